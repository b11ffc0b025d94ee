using System.Buffers;
using System.Numerics;

namespace OrleansTok.Recommendation;

/// <summary>
/// One video's co-engagement pairs by partner handle, bounded: a flat array of 12-byte slots, open
/// addressing with linear probing. Counting a pair reads one slot, usually one cache line; the
/// dictionary it replaces read a bucket and an entry in two arrays, two cache misses on a list of
/// ~24 KB that ingest visits at random (docs/benchmarks.md round 20). At capacity the rarest quarter
/// is forgotten at once, so a full list pays one scan per capacity/4 new pairs, not one per pair (a
/// per-pair scan of 1,000 entries was the largest single cost of ingest, measured with dotnet-trace).
/// </summary>
/// <remarks>
/// The table is kept at most three quarters full, so it is at most twice the power of two above
/// 4/3 of its pairs: 2,048 slots (24 KiB) for the default 1,000 pairs, as much as the dictionary held.
/// </remarks>
internal sealed class PairTable
{
    /// <summary>
    /// A full list forgets one pair in this many at once. One in ten made the scans 2.5 times as frequent
    /// for the same quality: ingest +4 / +10 % in two pairs, replay HR@10 0.2031 → 0.2025 (runs of one
    /// build differ by as much; docs/benchmarks.md round 14).
    /// </summary>
    private const int EvictOneIn = 4;

    private Slot[] _slots = [];
    /// <summary>32 minus log2 of the slots: a handle's home slot is the top bits of its Fibonacci hash.</summary>
    private int _shift = 32;

    public int Count { get; private set; }

    /// <summary>The slots, empty ones included (<see cref="Slot.IsEmpty"/>), in no meaningful order.</summary>
    public ReadOnlySpan<Slot> Slots => _slots;

    /// <summary>Room for <paramref name="pairs"/> without growing.</summary>
    public void Reserve(int pairs)
    {
        var slots = SlotsFor(pairs);
        if (slots > _slots.Length) Resize(slots);
    }

    /// <summary>The pair with <paramref name="handle"/>, added with zero counts when new; a new pair in a full table first forgets the rarest quarter.</summary>
    public ref Slot GetOrAdd(int handle, int capacity)
    {
        var key = handle + 1;
        if (_slots.Length > 0)
        {
            var at = Probe(key);
            if (_slots[at].Key == key) return ref _slots[at];
        }
        if (Count >= capacity) EvictRarest();
        if (Count + 1 > _slots.Length / 4 * 3) Resize(Math.Max(SlotsFor(Count + 1), 2 * _slots.Length));
        var free = Probe(key);
        ref var slot = ref _slots[free];
        slot = new Slot { Key = key };
        Count++;
        return ref slot;
    }

    /// <summary>The pair's count with <paramref name="handle"/> (0: no such pair).</summary>
    public int CountOf(int handle)
    {
        if (_slots.Length == 0) return 0;
        ref readonly var slot = ref _slots[Probe(handle + 1)];
        return slot.IsEmpty ? 0 : slot.Count;
    }

    /// <summary>The slot holding <paramref name="key"/>, or the empty slot where it would go.</summary>
    private int Probe(int key)
    {
        var mask = _slots.Length - 1;
        var at = (int)(((uint)key * 2654435769u) >> _shift);
        while (true)
        {
            var found = _slots[at].Key;
            if (found == key || found == 0) return at;
            at = (at + 1) & mask;
        }
    }

    private static int SlotsFor(int pairs) => (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(8, pairs + (pairs + 2) / 3));

    private void Resize(int slots)
    {
        var old = _slots;
        _slots = new Slot[slots];
        _shift = 32 - BitOperations.Log2((uint)slots);
        Count = 0;
        foreach (var slot in old)
        {
            if (!slot.IsEmpty) Insert(slot);
        }
    }

    /// <summary>Puts a pair known to be absent into its first free slot.</summary>
    private void Insert(in Slot slot)
    {
        _slots[Probe(slot.Key)] = slot;
        Count++;
    }

    /// <summary>
    /// Forgets the rarest quarter of the pairs (at least one); ties at the cut go in any order. Linear
    /// probing cannot simply empty a slot, so the survivors are put back into a cleared table, through
    /// a pooled buffer: a new table per eviction was 24 KB of garbage every 250 new pairs.
    /// </summary>
    private void EvictRarest()
    {
        var drop = Math.Max(1, Count / EvictOneIn);
        var (cut, below) = RarestCut(drop);
        var atCut = drop - below; // pairs strictly rarer than the cut all go; the rest of the quota comes from the cut itself
        var kept = ArrayPool<Slot>.Shared.Rent(Count);
        try
        {
            var n = 0;
            foreach (var slot in _slots)
            {
                if (slot.IsEmpty || slot.Count < cut || (slot.Count == cut && atCut-- > 0)) continue;
                kept[n++] = slot;
            }
            Array.Clear(_slots);
            Count = 0;
            for (var i = 0; i < n; i++) Insert(kept[i]);
        }
        finally
        {
            ArrayPool<Slot>.Shared.Return(kept);
        }
    }

    /// <summary>
    /// The count of the <paramref name="drop"/>-th rarest pair, and how many pairs are rarer. Counts
    /// are small, so a histogram finds it in one pass; sorting every count took ~5 % of ingest (perf).
    /// </summary>
    private (int Cut, int Below) RarestCut(int drop)
    {
        const int Buckets = 64;
        Span<int> histogram = stackalloc int[Buckets];
        foreach (var slot in _slots)
        {
            if (!slot.IsEmpty) histogram[Math.Clamp(slot.Count, 0, Buckets - 1)]++;
        }
        var below = 0;
        for (var count = 0; count < Buckets - 1; count++)
        {
            if (below + histogram[count] >= drop) return (count, below);
            below += histogram[count];
        }
        // The rarest quarter is this common: sort the common ones.
        var common = new List<int>(Count - below);
        foreach (var slot in _slots)
        {
            if (!slot.IsEmpty && slot.Count >= Buckets - 1) common.Add(slot.Count);
        }
        common.Sort();
        var cut = common[drop - below - 1];
        return (cut, below + common.Count(c => c < cut));
    }

    /// <summary>A pair in memory: both counts fit an int (a video with two billion positives is clamped).</summary>
    public struct Slot
    {
        /// <summary>The partner's handle + 1; 0 marks an empty slot, so a new array is all empty.</summary>
        internal int Key;
        public int Count;
        public int OtherPositives;

        public readonly bool IsEmpty => Key == 0;
        public readonly int Handle => Key - 1;
    }
}
