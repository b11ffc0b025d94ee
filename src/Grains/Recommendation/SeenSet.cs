using System.Numerics;
using OrleansTok.Grains;

namespace OrleansTok.Recommendation;

/// <summary>
/// The videos a user has been served or has watched, in bounded memory: a Bloom filter answers
/// "seen?" for about <c>capacity</c> videos, and a ring of the most recent fingerprints orders them
/// for recycling. When the filter fills up it is rebuilt from the ring, so the oldest history fades
/// instead of memory growing.
/// </summary>
[GenerateSerializer, Alias("ot.SeenSet")]
public sealed class SeenSet
{
    private const int HashCount = 7;

    [Id(0)] public ulong[] Bits { get; private set; } = [];
    [Id(1)] public ulong[] Ring { get; private set; } = [];
    [Id(2)] public int RingHead { get; private set; }
    [Id(3)] public int FilterCount { get; private set; }
    [Id(4)] public long Total { get; private set; }

    public static SeenSet Create(int capacity, int recentCapacity = 512)
    {
        // m = -n·ln(p)/ln(2)² bits for p = 1%, rounded up to a power of two so a probe is a mask, not a division.
        var bits = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(64, (int)Math.Ceiling(capacity * 9.59)));
        return new SeenSet
        {
            Bits = new ulong[bits / 64],
            Ring = new ulong[Math.Max(16, recentCapacity)],
        };
    }

    public long Count => Total;

    public bool Contains(string videoId) => BloomContains(Bits, IdHash.Of(videoId));

    public void Add(string videoId)
    {
        var fingerprint = IdHash.Of(videoId);
        if (BloomContains(Bits, fingerprint)) return;
        if (FilterCount >= Bits.Length * 64 / 9.59)
        {
            Rebuild();
        }
        BloomAdd(Bits, fingerprint);
        FilterCount++;
        Total++;
        Ring[RingHead] = fingerprint;
        RingHead = (RingHead + 1) % Ring.Length;
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
