using System.Numerics;

namespace OrleansTok.Recommendation;

/// <summary>
/// A co-engagement list's pairs: partner handle to counts, in one array of 12-byte slots with open
/// addressing (linear probing). Under ingest every positive interaction updates ~40 pairs in lists
/// spread over hundreds of megabytes, so nearly every update is a cache miss. A
/// <see cref="Dictionary{TKey,TValue}"/> pays two dependent misses (its bucket, then its entry);
/// a slot holds the key and the counts together, so an update pays one.
/// </summary>
/// <remarks>
/// A slot's key is the handle plus one: a new array is all empty slots without a fill. Pairs are
/// never removed one by one: <see cref="RemoveRarest"/> sweeps the table once, which is what
/// eviction (a quarter of a full list at once) needs.
/// </remarks>
internal sealed class PairTable
{
    private const int MinSlots = 16;

    private Slot[] _slots = [];
    private int _count;
    private int _shift;

    public int Count => _count;

    /// <summary>The slots, empty ones included (<see cref="Slot.IsEmpty"/>).</summary>
    public ReadOnlySpan<Slot> Slots => _slots;

    /// <summary>The counts of <paramref name="handle"/>'s pair, added (zeroed) when there was none.</summary>
    public ref Slot GetOrAdd(int handle, out bool added)
    {
        if (_count >= MaxCount(_slots.Length)) Resize(SlotsFor(_count + 1));
        var key = handle + 1;
        var mask = _slots.Length - 1;
        for (var i = Home(key); ; i = (i + 1) & mask)
        {
            ref var slot = ref _slots[i];
            if (slot.Key == key)
            {
                added = false;
                return ref slot;
            }
            if (slot.Key == 0)
            {
                slot.Key = key;
                _count++;
                added = true;
                return ref slot;
            }
        }
    }

    /// <summary>The counts of <paramref name="handle"/>'s pair, or an empty slot when there is none.</summary>
    public Slot Get(int handle)
    {
        if (_count == 0) return default;
        var key = handle + 1;
        var mask = _slots.Length - 1;
        for (var i = Home(key); ; i = (i + 1) & mask)
        {
            var slot = _slots[i];
            if (slot.Key == key || slot.Key == 0) return slot.Key == key ? slot : default;
        }
    }

    /// <summary>
    /// Reads the home slot of each of <paramref name="handles"/> in a loop that does nothing else: the
    /// loads are independent, so their cache misses overlap, and the updates that follow find the
    /// slots in cache instead of meeting the misses one at a time. Returns a sum so the loads are kept.
    /// </summary>
    public int Touch(ReadOnlySpan<int> handles)
    {
        if (_slots.Length == 0) return 0;
        var sum = 0;
        foreach (var handle in handles) sum += _slots[Home(handle + 1)].Key;
        return sum;
    }

    /// <summary>Makes room for <paramref name="count"/> pairs without growing.</summary>
    public void EnsureCapacity(int count)
    {
        var slots = SlotsFor(count);
        if (slots > _slots.Length) Resize(slots);
    }

    /// <summary>
    /// Forgets every pair counted fewer than <paramref name="cut"/> times and the first
    /// <paramref name="atCut"/> counted exactly that often; returns how many went.
    /// </summary>
    /// <remarks>
    /// One sweep in place. It starts just after an empty slot, so no run of occupied slots wraps past
    /// its start: every pair it meets has its home at or before it, and every slot behind it is final.
    /// Each pair is taken out and either dropped or put back at the first free slot from its home,
    /// which is its own slot or one a removal freed. Copying the survivors aside, clearing the table
    /// and placing them back read and wrote the table about twice as often (~6 % of ingest, perf).
    /// </remarks>
    public int RemoveRarest(int cut, int atCut)
    {
        if (_count == 0) return 0;
        var mask = _slots.Length - 1;
        var start = 0;
        while (_slots[start].Key != 0) start++; // at most three quarters full: there is one
        var removed = 0;
        for (int step = 1, i = (start + 1) & mask; step < _slots.Length; step++, i = (i + 1) & mask)
        {
            var slot = _slots[i];
            if (slot.Key == 0) continue;
            _slots[i] = default;
            if (slot.Count < cut || (slot.Count == cut && atCut-- > 0)) removed++;
            else Place(slot);
        }
        _count -= removed;
        return removed;
    }

    /// <summary>At most three quarters full: linear probing stays short (~2.5 slots a hit).</summary>
    private static int MaxCount(int slots) => slots - slots / 4;

    private static int SlotsFor(int count)
    {
        var slots = MinSlots;
        while (MaxCount(slots) < count) slots *= 2;
        return slots;
    }

    /// <summary>
    /// Fibonacci hashing: handles are dense, and a list holds an arbitrary subset of them. Only called
    /// once the table has slots (an empty table answers before hashing).
    /// </summary>
    private int Home(int key) => (int)((uint)key * 2654435769u >> _shift);

    private void Resize(int slots)
    {
        var old = _slots;
        _slots = new Slot[slots];
        _shift = 32 - BitOperations.Log2((uint)slots);
        foreach (var slot in old)
        {
            if (!slot.IsEmpty) Place(slot);
        }
    }

    /// <summary>Puts a pair known not to be in the table into the first free slot from its home.</summary>
    private void Place(Slot slot)
    {
        var mask = _slots.Length - 1;
        var i = Home(slot.Key);
        while (_slots[i].Key != 0) i = (i + 1) & mask;
        _slots[i] = slot;
    }

    /// <summary>A pair: both counts fit an int (a video with two billion positives is clamped).</summary>
    public struct Slot
    {
        /// <summary>The partner's handle plus one; 0 is an empty slot.</summary>
        public int Key;
        public int Count;
        public int OtherPositives;

        public readonly bool IsEmpty => Key == 0;
        public readonly int Handle => Key - 1;
    }
}
