using System.Numerics;
using System.Runtime.InteropServices;
using OrleansTok.Grains;

namespace OrleansTok.Recommendation;

/// <summary>
/// The videos a user has been served or has watched, in bounded memory: Bloom filters answer
/// "seen?" for about <c>capacity</c> videos, and a ring of the most recent fingerprints orders them
/// for recycling.
/// <para>
/// The filters come in slices of one ring's worth of videos (512 by default), so a user's filters
/// are as large as the history they hold. The newest slice is open: it holds exactly the ring's
/// entries since the last slice was sealed, so it grows from a few hundred bytes without losing
/// anything and is rebuilt from the ring after a load instead of being stored. Each time the ring
/// comes round, the open slice is sealed; sealed slices never change and are stored as raw words.
/// When there are more than the capacity allows, the oldest slice is dropped, so the oldest history
/// fades a slice at a time. A single filter sized for the whole capacity (as sets written before
/// slices hold, <see cref="Legacy"/>) cost 8 KiB from the 428th video on, even for a user who had
/// seen 600: most users' stored state was that one mostly-empty filter.
/// </para>
/// </summary>
[GenerateSerializer, Alias("ot.SeenSet")]
public sealed class SeenSet
{
    private const double TotalFalsePositives = 0.01;
    private const int InitialRing = 16;
    private const int LegacyHashes = 7;
    private const double LegacyBitsPerEntry = 9.59;

    /// <summary>
    /// The one filter of sets written before slices (it holds every video they had seen), empty in
    /// sets written since. Read, never written; dropped once the slices hold a capacity's worth.
    /// </summary>
    [Id(0)] public ulong[] Legacy { get; private set; } = [];
    [Id(1)] public ulong[] Ring { get; private set; } = [];
    [Id(2)] public int RingHead { get; private set; }
    // Id 3 counted the entries of the single filter.
    [Id(4)] public long Total { get; private set; }

    /// <summary>About how many videos the filters remember.</summary>
    [Id(5)] public int Capacity { get; private set; }

    /// <summary>How many recent fingerprints the ring keeps at most, and how many videos a slice holds (0 in older sets: the ring's length).</summary>
    [Id(6)] public int RecentCapacity { get; private set; }

    /// <summary>
    /// The sealed slices, oldest first, each <see cref="SliceWords"/> little-endian words. Bytes
    /// rather than words so the serializer copies them (8 bytes a word) instead of writing each as a
    /// variable-length integer (9 or 10 for a half-full filter's random words).
    /// </summary>
    [Id(7)] public byte[] Sealed { get; private set; } = [];

    /// <summary>The open slice; not stored (the ring holds its entries), built on first use.</summary>
    [NonSerialized] private ulong[]? _open;
    [NonSerialized] private int _openCount;
    [NonSerialized] private (int Slices, int Words, int Hashes) _shape;

    public static SeenSet Create(int capacity, int recentCapacity = 512)
    {
        recentCapacity = Math.Max(InitialRing, recentCapacity);
        return new SeenSet
        {
            Capacity = capacity,
            RecentCapacity = recentCapacity,
            Ring = new ulong[Math.Min(InitialRing, recentCapacity)],
        };
    }

    private int SliceEntries => RecentCapacity > 0 ? RecentCapacity : Ring.Length;

    /// <summary>Enough slices that a capacity's worth of videos is never forgotten.</summary>
    private int MaxSlices => Shape.Slices;

    public int SealedSlices => Sealed.Length / (SliceWords * sizeof(ulong));

    /// <summary>A slice's size in words, a power of two so a probe is a mask.</summary>
    public int SliceWords => Shape.Words;

    private int SliceHashes => Shape.Hashes;

    /// <summary>
    /// Slices sized so that all of them together, open one included, report at most 1 % false
    /// positives: at the default 5,000 videos in slices of 512, 16 bits and 11 probes a video.
    /// </summary>
    private (int Slices, int Words, int Hashes) Shape
    {
        get
        {
            if (_shape.Words > 0) return _shape;
            // Sets from before growth have no capacity: their one filter was sized for it at 1 %.
            var capacity = Capacity > 0 ? Capacity : (int)(Legacy.Length * 64 / LegacyBitsPerEntry);
            var slices = Math.Max(1, (capacity + SliceEntries - 1) / SliceEntries);
            var bits = SliceEntries * -Math.Log(TotalFalsePositives / (slices + 1)) / (Math.Log(2) * Math.Log(2));
            var words = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(64, Math.Ceiling(bits))) / 64;
            var hashes = (int)Math.Clamp(Math.Round(words * 64.0 / SliceEntries * Math.Log(2)), 1, 32);
            return _shape = (slices, words, hashes);
        }
    }

    public long Count => Total;

    public bool Contains(string videoId) => Contains(IdHash.Of(videoId));

    private bool Contains(ulong fingerprint) =>
        BloomContains(Open, SliceHashes, fingerprint)
        || SealedContains(Sealed, SliceWords, SliceHashes, fingerprint)
        || LegacyContains(Legacy, fingerprint);

    public void Add(string videoId)
    {
        var fingerprint = IdHash.Of(videoId);
        var open = Open;
        // Only the open slice's exact entries count as already recorded. A video an older slice
        // reports (seen long ago, or a false positive) is recorded again, so it stays remembered
        // when that slice fades; a false positive of a small open slice would otherwise be lost
        // when the slice grows, being rebuilt from the ring.
        if (BloomContains(open, SliceHashes, fingerprint) && OpenEntries().Contains(fingerprint)) return;
        if (_openCount >= OpenEntriesFitting(open)) open = RebuildOpen(open.Length * 4);
        BloomAdd(open, SliceHashes, fingerprint);
        _openCount++;
        Total++;
        Ring[RingHead++] = fingerprint;
        if (RingHead < Ring.Length) return;
        if (Ring.Length < SliceEntries)
        {
            Ring = Resize(Ring, Math.Min(Ring.Length * 2, SliceEntries));
            return;
        }
        Seal(open);
        RingHead = 0;
    }

    private ulong[] Open => _open ??= RebuildOpen(InitialOpenWords);

    /// <summary>An eighth of a slice (128 B at the default), for the first 64 videos.</summary>
    private int InitialOpenWords => Math.Max(1, SliceWords / 8);

    /// <summary>How many videos an open slice of this size holds at the full slice's bits per video.</summary>
    private int OpenEntriesFitting(ulong[] open) =>
        open.Length == SliceWords ? int.MaxValue : (int)((long)SliceEntries * open.Length / SliceWords);

    /// <summary>What the open slice holds: the ring's entries since the last seal.</summary>
    private ReadOnlySpan<ulong> OpenEntries() => Ring.AsSpan(0, RingHead);

    /// <summary>Builds the open slice from the ring, at least <paramref name="words"/> large and big enough for what it holds.</summary>
    private ulong[] RebuildOpen(int words)
    {
        var entries = OpenEntries();
        words = Math.Min(words, SliceWords);
        while (words < SliceWords && (long)SliceEntries * words / SliceWords <= entries.Length) words *= 4;
        var open = new ulong[Math.Min(words, SliceWords)];
        foreach (var fingerprint in entries) BloomAdd(open, SliceHashes, fingerprint);
        _openCount = entries.Length;
        return _open = open;
    }

    private void Seal(ulong[] open)
    {
        var slice = MemoryMarshal.AsBytes(open.AsSpan());
        var keep = Math.Min(SealedSlices, MaxSlices - 1) * slice.Length;
        var sealedSlices = new byte[keep + slice.Length];
        Sealed.AsSpan(Sealed.Length - keep).CopyTo(sealedSlices);
        slice.CopyTo(sealedSlices.AsSpan(keep));
        Sealed = sealedSlices;
        // The one old filter is older than every slice: once the slices alone reach the capacity it
        // is the one to drop.
        if (SealedSlices >= MaxSlices) Legacy = [];
        _open = new ulong[InitialOpenWords];
        _openCount = 0;
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
    /// The filters as they are, shared, not copied (up to ~10 KiB at the default capacity, on every
    /// page): a grain reads them in the partitions while it awaits their answers, and a grain is not
    /// reentrant, so the set cannot change under a read. A partition answering after its caller gave
    /// up may see later bits; that answer is discarded. Across silos the query is serialized, a copy anyway.
    /// </summary>
    public SeenFilter Filter() => new(Open, SliceHashes, Sealed, SliceWords, Legacy);

    public void Clear()
    {
        _ = Shape; // before the filter a set from before growth is sized by goes
        Array.Clear(Ring);
        RingHead = 0;
        Total = 0;
        Sealed = [];
        Legacy = [];
        _open = null;
    }

    public static bool Contains(SeenFilter filter, ulong fingerprint) =>
        BloomContains(filter.Bits, filter.HashCount, fingerprint)
        || (filter.Sealed is { } sealedSlices && SealedContains(sealedSlices, filter.SliceWords, filter.HashCount, fingerprint))
        || (filter.Legacy is { } legacy && LegacyContains(legacy, fingerprint));

    private static bool SealedContains(byte[] sealedSlices, int sliceWords, int hashes, ulong fingerprint)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(sealedSlices.AsSpan());
        for (var end = words.Length; end > 0; end -= sliceWords) // newest first: a re-served video is most likely recent
        {
            if (BloomContains(words.Slice(end - sliceWords, sliceWords), hashes, fingerprint)) return true;
        }
        return false;
    }

    private static bool LegacyContains(ulong[] legacy, ulong fingerprint) => legacy.Length > 0 && BloomContains(legacy, LegacyHashes, fingerprint);

    private static bool BloomContains(ReadOnlySpan<ulong> bits, int hashes, ulong fingerprint)
    {
        if (bits.Length == 0) return false;
        var mask = (ulong)bits.Length * 64 - 1;
        var h2 = IdHash.Mix(fingerprint) | 1UL;
        for (var i = 0UL; i < (ulong)hashes; i++)
        {
            var bit = (fingerprint + i * h2) & mask;
            if ((bits[(int)(bit >> 6)] & (1UL << (int)(bit & 63))) == 0) return false;
        }
        return true;
    }

    private static void BloomAdd(Span<ulong> bits, int hashes, ulong fingerprint)
    {
        var mask = (ulong)bits.Length * 64 - 1;
        var h2 = IdHash.Mix(fingerprint) | 1UL;
        for (var i = 0UL; i < (ulong)hashes; i++)
        {
            var bit = (fingerprint + i * h2) & mask;
            bits[(int)(bit >> 6)] |= 1UL << (int)(bit & 63);
        }
    }
}
