using System.Numerics;
using OrleansTok.Grains;

namespace OrleansTok.Recommendation;

/// <summary>
/// The videos a user has been served or has watched, in bounded memory: Bloom filters answer
/// "seen?" for about <c>capacity</c> videos, and a ring of the most recent fingerprints orders them
/// for recycling. Both start small and grow while the ring still holds every fingerprint (so growing
/// loses nothing): a new user costs a few hundred bytes, not the full filter.
/// <para>
/// The filter holds half the capacity; when it fills it becomes the previous generation and a new
/// one starts, and the generation before is dropped. A user so remembers at least a generation of
/// their most recent videos (2,970–5,940 at the default 5,000, the filter's size being rounded up to
/// a power of two), and a user past the ring (512 videos) stores a filter of half the capacity.
/// The single full-size filter before generations was rebuilt from the ring when full: from ~6,800
/// videos back to the last 512, so the rest could all come back.
/// </para>
/// </summary>
[GenerateSerializer, Alias("ot.SeenSet")]
public sealed class SeenSet
{
    private const int HashCount = 7;
    private const double BitsPerEntry = 11.03; // m = -n·ln(p)/ln(2)² for p = 0.5 %: two generations report at most 1 %
    private const int InitialEntries = 64;
    private const int InitialRing = 16;

    [Id(0)] public ulong[] Bits { get; private set; } = [];
    [Id(1)] public ulong[] Ring { get; private set; } = [];
    [Id(2)] public int RingHead { get; private set; }
    [Id(3)] public int FilterCount { get; private set; }
    [Id(4)] public long Total { get; private set; }

    /// <summary>About how many videos the two generations remember (0 in sets written before growth: their filter is full size).</summary>
    [Id(5)] public int Capacity { get; private set; }

    /// <summary>How many recent fingerprints the ring keeps at most (0 in older sets: the ring's length).</summary>
    [Id(6)] public int RecentCapacity { get; private set; }

    /// <summary>The previous generation's filter, read only; empty until the first generation fills.</summary>
    [Id(7)] public ulong[] Previous { get; private set; } = [];

    public static SeenSet Create(int capacity, int recentCapacity = 512)
    {
        recentCapacity = Math.Max(InitialRing, recentCapacity);
        return new SeenSet
        {
            Capacity = capacity,
            RecentCapacity = recentCapacity,
            Bits = new ulong[WordsFor(Math.Min(capacity, InitialEntries))],
            Ring = new ulong[Math.Min(InitialRing, recentCapacity)],
        };
    }

    /// <summary>Filter size for <paramref name="entries"/>, rounded up to a power of two so a probe is a mask, not a division.</summary>
    private static int WordsFor(int entries) =>
        (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(64, (int)Math.Ceiling(entries * BitsPerEntry))) / 64;

    private static int EntriesIn(ulong[] bits) => (int)(bits.Length * 64 / BitsPerEntry);

    public long Count => Total;

    public bool Contains(string videoId) => InEither(Bits, Previous, IdHash.Of(videoId));

    public void Add(string videoId)
    {
        var fingerprint = IdHash.Of(videoId);
        // Only a video the ring holds is recorded already. One the filter reports by mistake (a false
        // positive) is recorded anyway: a growing filter is rebuilt from the ring and would forget
        // it, and its age would be wrong. One seen before the ring's oldest, or only in the previous
        // generation, is recorded again, to be remembered as recent.
        if (BloomContains(Bits, fingerprint) && Array.IndexOf(Ring, fingerprint) >= 0) return;
        if (FilterCount >= EntriesIn(Bits))
        {
            if (CanGrow()) Grow();
            else StartGeneration();
        }
        BloomAdd(Bits, fingerprint);
        FilterCount++;
        Total++;
        Ring[RingHead++] = fingerprint;
        if (RingHead == Ring.Length)
        {
            if (Ring.Length < RecentCapacity) Ring = Resize(Ring, Math.Min(Ring.Length * 2, RecentCapacity));
            else RingHead = 0;
        }
    }

    /// <summary>How many videos a generation's full-size filter is sized for.</summary>
    private int GenerationEntries => Math.Max(1, (Capacity + 1) / 2);

    /// <summary>Growing is lossless only while the ring still holds every fingerprint ever added.</summary>
    private bool CanGrow() => Bits.Length < WordsFor(GenerationEntries) && Total <= Ring.Length;

    private void Grow()
    {
        // Four times larger while the ring can still rebuild it; then straight to full size.
        var entries = FilterCount * 4 < RecentCapacity ? FilterCount * 4 : GenerationEntries;
        Bits = new ulong[WordsFor(Math.Min(entries, GenerationEntries))];
        Rebuild();
    }

    /// <summary>The full filter becomes the previous generation; the one before it is forgotten.</summary>
    private void StartGeneration()
    {
        Previous = Bits;
        // Sets from before growth have no capacity: their filter stays the size it was.
        Bits = new ulong[Capacity > 0 ? WordsFor(GenerationEntries) : Bits.Length];
        FilterCount = 0;
    }

    private static ulong[] Resize(ulong[] array, int length)
    {
        var resized = new ulong[length];
        array.CopyTo(resized, 0);
        return resized;
    }

    /// <summary>How many newer videos were seen since this one; int.MaxValue if it fell out of the recent ring.</summary>
    public int Age(string videoId)
    {
        var fingerprint = IdHash.Of(videoId);
        var index = Array.IndexOf(Ring, fingerprint);
        if (index < 0) return int.MaxValue;
        return (RingHead - 1 - index + Ring.Length) % Ring.Length;
    }

    /// <summary>
    /// The filters as they are, shared, not copied (up to 8 KiB at the default capacity, on every
    /// page): a grain reads them in the partitions while it awaits their answers, and a grain is not
    /// reentrant, so the set cannot change under a read. A partition answering after its caller gave
    /// up may see later bits; that answer is discarded. Across silos the query is serialized, a copy anyway.
    /// </summary>
    public SeenFilter Filter() => new(Bits, HashCount, Previous.Length > 0 ? Previous : null);

    public void Clear()
    {
        Array.Clear(Bits);
        Previous = [];
        Array.Clear(Ring);
        RingHead = 0;
        FilterCount = 0;
        Total = 0;
    }

    private void Rebuild()
    {
        Array.Clear(Bits);
        FilterCount = 0;
        foreach (var fingerprint in Ring)
        {
            if (fingerprint == 0) continue;
            BloomAdd(Bits, fingerprint);
            FilterCount++;
        }
    }

    public static bool Contains(SeenFilter filter, ulong fingerprint) => InEither(filter.Bits, filter.Previous, fingerprint);

    private static bool InEither(ulong[] current, ulong[]? previous, ulong fingerprint) =>
        BloomContains(current, fingerprint) || (previous is not null && BloomContains(previous, fingerprint));

    private static bool BloomContains(ulong[] bits, ulong fingerprint)
    {
        if (bits.Length == 0) return false;
        var m = (ulong)bits.Length * 64;
        var mask = BitOperations.IsPow2(m) ? m - 1 : 0;
        var h2 = IdHash.Mix(fingerprint) | 1UL;
        for (var i = 0UL; i < HashCount; i++)
        {
            var probe = fingerprint + i * h2;
            var bit = mask != 0 ? probe & mask : probe % m;
            if ((bits[bit >> 6] & (1UL << (int)(bit & 63))) == 0) return false;
        }
        return true;
    }

    private static void BloomAdd(ulong[] bits, ulong fingerprint)
    {
        var m = (ulong)bits.Length * 64;
        var mask = BitOperations.IsPow2(m) ? m - 1 : 0;
        var h2 = IdHash.Mix(fingerprint) | 1UL;
        for (var i = 0UL; i < HashCount; i++)
        {
            var probe = fingerprint + i * h2;
            var bit = mask != 0 ? probe & mask : probe % m;
            bits[bit >> 6] |= 1UL << (int)(bit & 63);
        }
    }
}
