using System.Collections.Immutable;
using System.Runtime.InteropServices;
using OrleansTok.Grains;

namespace OrleansTok.Recommendation;

/// <summary>
/// One video's item-to-item co-engagement: how many users positively engaged both it and each
/// neighbour, with the neighbour's own positive count as last reported, so similarity is the
/// cosine co(i,j)/√(n_i·n_j). Partners are the silo's <see cref="VideoHandles"/>, so a pair is a
/// 12-byte slot of a <see cref="PairTable"/> with no reference in it. Bounded: at capacity the rarest quarter of the pairs is
/// forgotten at once, so a full list pays one scan per capacity/4 new pairs, not one per pair (a
/// per-pair scan of 1,000 entries was the largest single cost of ingest, measured with dotnet-trace).
/// Stored as <see cref="StoredCoEngagement"/>, by id.
/// </summary>
public sealed class CoEngagement(VideoHandles handles)
{
    private readonly PairTable _pairs = new();

    public long Positives { get; private set; }
    public int Count => _pairs.Count;

    // Feed requests read the neighbours far more often than they change: keep the sorted list until the
    // next change. An immutable array (boxed once) leaves a call inside the silo as the same object:
    // Orleans copied a List of 200 neighbours element by element for every reader (~5 % of a returning
    // user's page, perf), and a reader holding the same object knows nothing changed.
    private IReadOnlyList<Neighbour>? _top;
    private int _topCount;

    public void Add(string otherId, long otherPositives, int capacity) => Add(handles.Of(otherId), otherPositives, capacity);

    public void Add(int other, long otherPositives, int capacity)
    {
        _top = null;
        if (_pairs.Count >= capacity && _pairs.Get(other).IsEmpty) EvictRarest();
        ref var pair = ref _pairs.GetOrAdd(other, out var added);
        if (_byCount is { } byCount)
        {
            if (!added) byCount[Bucket(pair.Count)]--;
            byCount[Bucket(pair.Count + 1)]++;
        }
        pair.Count++;
        if (otherPositives > 0) pair.OtherPositives = Narrow(otherPositives);
    }

    /// <summary>Brings the pairs of <paramref name="others"/> into cache together before they are added one by one (<see cref="PairTable.Touch"/>).</summary>
    public int Touch(ReadOnlySpan<int> others) => _pairs.Touch(others);

    public void CountPositive()
    {
        Positives++;
        _top = null;
    }

    /// <summary>How many users engaged both this video and <paramref name="otherId"/> (0: no such pair); asking numbers no id.</summary>
    internal int CountWith(string otherId) => handles.TryGet(otherId, out var other) ? _pairs.Get(other).Count : 0;

    /// <summary>The strongest neighbours (by the cosine estimated from the last reported n_j), each with co(i,j)/√n_i.</summary>
    public IReadOnlyList<Neighbour> Top(int count)
    {
        if (_top is null || _topCount != count)
        {
            var self = Math.Sqrt(Math.Max(1, Positives));
            var pairs = new List<PairTable.Slot>(_pairs.Count);
            foreach (var slot in _pairs.Slots)
            {
                if (!slot.IsEmpty) pairs.Add(slot);
            }
            _top = pairs
                .OrderByDescending(p => p.Count / Math.Sqrt(Math.Max(p.Count, p.OtherPositives)))
                .Take(count)
                .Select(p => new Neighbour(handles.IdOf(p.Handle), (float)(p.Count / self)))
                .ToImmutableArray();
            _topCount = count;
        }
        return _top;
    }

    public static CoEngagement FromStored(StoredCoEngagement stored, VideoHandles handles)
    {
        var co = new CoEngagement(handles) { Positives = stored.Positives };
        co._pairs.EnsureCapacity(stored.Pairs.Count);
        foreach (var (id, pair) in stored.Pairs)
        {
            ref var slot = ref co._pairs.GetOrAdd(handles.Of(id), out _);
            slot.Count = pair.Count;
            slot.OtherPositives = Narrow(pair.OtherPositives);
        }
        return co;
    }

    public StoredCoEngagement ToStored()
    {
        var pairs = new Dictionary<string, PairCount>(_pairs.Count, StringComparer.Ordinal);
        foreach (var slot in _pairs.Slots)
        {
            if (!slot.IsEmpty) pairs[handles.IdOf(slot.Handle)] = new PairCount { Count = slot.Count, OtherPositives = slot.OtherPositives };
        }
        return new StoredCoEngagement { Positives = Positives, Pairs = pairs };
    }

    private static int Narrow(long count) => (int)Math.Min(count, int.MaxValue);

    /// <summary>
    /// A full list forgets one pair in this many at once. One in ten made the scans 2.5 times as frequent
    /// for the same quality: ingest +4 / +10 % in two pairs, replay HR@10 0.2031 → 0.2025 (runs of one
    /// build differ by as much; docs/benchmarks.md round 14).
    /// </summary>
    private const int EvictOneIn = 4;

    private const int Buckets = 64;

    /// <summary>
    /// How many pairs have each count (the last bucket: that count or more), kept from a list's first
    /// eviction on, so the next one finds its cut without reading every pair first (that read was
    /// ~2 % of ingest, perf). Lists that never fill never hold one.
    /// </summary>
    private int[]? _byCount;

    private static int Bucket(int count) => Math.Min(count, Buckets - 1);

    /// <summary>Forgets the rarest quarter of the pairs (at least one); ties at the cut go in any order.</summary>
    private void EvictRarest()
    {
        var drop = Math.Max(1, _pairs.Count / EvictOneIn);
        var byCount = _byCount ??= CountByCount();
        var (cut, below) = RarestCut(drop, byCount);
        _pairs.RemoveRarest(cut, atCut: drop - below); // pairs strictly rarer than the cut all go; the rest of the quota comes from the cut itself
        if (cut < Buckets - 1)
        {
            byCount.AsSpan(0, cut).Clear();
            byCount[cut] -= drop - below;
        }
        else _byCount = null; // the cut fell among the common pairs the last bucket lumps together: counted again when next needed
    }

    private int[] CountByCount()
    {
        var byCount = new int[Buckets];
        foreach (var slot in _pairs.Slots)
        {
            if (!slot.IsEmpty) byCount[Bucket(slot.Count)]++;
        }
        return byCount;
    }

    /// <summary>
    /// The count of the <paramref name="drop"/>-th rarest pair, and how many pairs are rarer. Counts
    /// are small, so the histogram answers; sorting every count took ~5 % of ingest (perf).
    /// </summary>
    private (int Cut, int Below) RarestCut(int drop, int[] byCount)
    {
        var below = 0;
        for (var count = 0; count < Buckets - 1; count++)
        {
            if (below + byCount[count] >= drop) return (count, below);
            below += byCount[count];
        }
        // The rarest quarter is this common: sort the common ones.
        var common = new List<int>(_pairs.Count - below);
        foreach (var slot in _pairs.Slots)
        {
            if (!slot.IsEmpty && slot.Count >= Buckets - 1) common.Add(slot.Count);
        }
        common.Sort();
        var cut = common[drop - below - 1];
        return (cut, below + common.Count(c => c < cut));
    }

    /// <summary>
    /// Sums the neighbours of a user's recent positives into one related-video score each (item kNN).
    /// <paramref name="lists"/> run oldest first; each older positive counts <paramref name="recencyDecay"/> times less,
    /// so the session's direction leads (on MovieLens 100K: HR@10 0.190 → 0.208 at 0.9, measured with the replay tool).
    /// </summary>
    public static Dictionary<string, float> Aggregate(IReadOnlyList<IReadOnlyList<Neighbour>> lists, int keep, float recencyDecay = 1f)
    {
        var entries = 0;
        foreach (var list in lists) entries += list.Count;
        var scores = new Dictionary<string, float>(Math.Min(entries, 8_192), StringComparer.Ordinal);
        var weight = 1f;
        for (var l = lists.Count - 1; l >= 0; l--, weight *= recencyDecay)
        {
            foreach (var n in lists[l])
            {
                if (!float.IsFinite(n.Similarity) || n.Similarity <= 0f) continue;
                CollectionsMarshal.GetValueRefOrAddDefault(scores, n.VideoId, out _) += weight * n.Similarity; // one hash per entry
            }
        }
        return scores.Count <= keep ? scores : Strongest(scores, keep);
    }

    /// <summary>The <paramref name="keep"/> highest scores (ties at the cut in any order): a selection of the cut, then one pass, not a sort.</summary>
    private static Dictionary<string, float> Strongest(Dictionary<string, float> scores, int keep)
    {
        var values = System.Buffers.ArrayPool<float>.Shared.Rent(scores.Count);
        try
        {
            var n = 0;
            foreach (var value in scores.Values) values[n++] = value;
            var cut = LargestAt(values.AsSpan(0, n), keep - 1);
            var atCut = keep;
            foreach (var value in scores.Values)
            {
                if (value > cut) atCut--;
            }
            var kept = new Dictionary<string, float>(keep, StringComparer.Ordinal);
            foreach (var (id, value) in scores)
            {
                if (value > cut || (value == cut && atCut-- > 0)) kept[id] = value;
            }
            return kept;
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(values);
        }
    }

    /// <summary>The value that would stand at <paramref name="rank"/> (0: the largest) were <paramref name="values"/> sorted descending; reorders them (quickselect).</summary>
    internal static float LargestAt(Span<float> values, int rank)
    {
        var lo = 0;
        var hi = values.Length - 1;
        while (lo < hi)
        {
            var pivot = MedianOfThree(values[lo], values[lo + (hi - lo) / 2], values[hi]);
            var i = lo;
            var j = hi;
            while (i <= j)
            {
                while (values[i] > pivot) i++;
                while (values[j] < pivot) j--;
                if (i > j) break;
                (values[i], values[j]) = (values[j], values[i]);
                i++;
                j--;
            }
            // [lo, j] ≥ pivot ≥ [i, hi]; whatever lies between equals the pivot.
            if (rank <= j) hi = j;
            else if (rank >= i) lo = i;
            else return pivot;
        }
        return values[rank];
    }

    private static float MedianOfThree(float a, float b, float c) => Math.Max(Math.Min(a, b), Math.Min(Math.Max(a, b), c));
}

/// <summary>
/// A video's co-engagement as stored, by id (handles are the silo's own). Alias and field ids are
/// those the list had when it was stored as it was held, so rows written then still read.
/// </summary>
[GenerateSerializer, Alias("ot.CoEngagement")]
public sealed class StoredCoEngagement
{
    [Id(0)] public long Positives { get; set; }
    [Id(1)] public Dictionary<string, PairCount> Pairs { get; set; } = new(StringComparer.Ordinal);
}

[GenerateSerializer, Alias("ot.PairCount")]
public struct PairCount
{
    [Id(0)] public int Count { get; set; }
    [Id(1)] public long OtherPositives { get; set; }
}
