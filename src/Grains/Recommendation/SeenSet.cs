using System.Numerics;
using OrleansTok.Grains;

namespace OrleansTok.Recommendation;

/// <summary>
/// The videos a user has been served or has watched, in bounded memory: a Bloom filter answers
/// "seen?" for about <c>capacity</c> videos, and a ring of the most recent fingerprints orders them
/// for recycling. Both start small and grow while the ring still holds every fingerprint (so growing
/// loses nothing): a new user costs a few hundred bytes, not the full filter. When the full-size
/// filter fills up it is rebuilt from the ring, so the oldest history fades instead of memory growing.
/// </summary>
[GenerateSerializer, Alias("ot.SeenSet")]
public sealed class SeenSet
{
    private const int HashCount = 7;
    private const double BitsPerEntry = 9.59; // m = -n·ln(p)/ln(2)² for p = 1 %
    private const int InitialEntries = 64;
    private const int InitialRing = 16;

    [Id(0)] public ulong[] Bits { get; private set; } = [];
    [Id(1)] public ulong[] Ring { get; private set; } = [];
    [Id(2)] public int RingHead { get; private set; }
    [Id(3)] public int FilterCount { get; private set; }
    [Id(4)] public long Total { get; private set; }

    /// <summary>Entries the full-size filter holds at 1 % false positives (0 in sets written before growth: their filter is full size).</summary>
    [Id(5)] public int Capacity { get; private set; }

    /// <summary>How many recent fingerprints the ring keeps at most (0 in older sets: the ring's length).</summary>
    [Id(6)] public int RecentCapacity { get; private set; }

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

    public bool Contains(string videoId) => BloomContains(Bits, IdHash.Of(videoId));

    public void Add(string videoId)
    {
        var fingerprint = IdHash.Of(videoId);
        // While the filter may still grow, the ring must hold every fingerprint: one the small filter
        // reports by mistake (a false positive) is recorded anyway, or growing would forget it.
        if (BloomContains(Bits, fingerprint) && (!CanGrow() || Array.IndexOf(Ring, fingerprint) >= 0)) return;
        if (FilterCount >= EntriesIn(Bits))
        {
            if (CanGrow()) Grow();
            else Rebuild();
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

    /// <summary>Growing is lossless only while the ring still holds every fingerprint ever added.</summary>
    private bool CanGrow() => Bits.Length < WordsFor(Capacity) && Total <= Ring.Length;

    private void Grow()
    {
        // Four times larger while the ring can still rebuild it; then straight to full size.
        var entries = FilterCount * 4 < RecentCapacity ? FilterCount * 4 : Capacity;
        Bits = new ulong[WordsFor(Math.Min(entries, Capacity))];
        Rebuild();
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
    /// The filter as it is, shared, not copied (8 KiB at the default capacity, on every page): a
    /// grain reads it in the partitions while it awaits their answers, and a grain is not reentrant,
    /// so the set cannot change under a read. A partition answering after its caller gave up may see
    /// later bits; that answer is discarded. Across silos the query is serialized, a copy anyway.
    /// </summary>
    public SeenFilter Filter() => new(Bits, HashCount);

    public void Clear()
    {
        Array.Clear(Bits);
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

    public static bool Contains(SeenFilter filter, ulong fingerprint) => BloomContains(filter.Bits, fingerprint);

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
