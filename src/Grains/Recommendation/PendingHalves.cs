using OrleansTok.Grains;

namespace OrleansTok.Recommendation;

/// <summary>
/// Co-engagement pair halves waiting for their receivers (video handles), appended flat and grouped
/// by receiver only when drained. A list per receiver, grown by doubling as its halves arrived, left
/// two or three times each receiver's halves behind as garbage every flush (the largest type the
/// silo allocated under ingest in round 31's profile, docs/benchmarks.md); here each receiver's halves are
/// copied once, into an array of exactly their number. Not thread-safe: the batcher fills one
/// instance under its lock and drains another outside it.
/// </summary>
public sealed class PendingHalves
{
    private int[] _receivers = new int[1024];
    private CoEngagedWith[] _others = new CoEngagedWith[1024];
    private int _count;
    // Per receiver handle while draining: its count, then its group's index; zero between drains.
    private int[] _slot = new int[1024];
    private readonly List<int> _touched = [];
    private int[] _fill = new int[256];

    public int Count => _count;

    /// <summary>Queues <paramref name="other"/> for each of <paramref name="receivers"/>.</summary>
    public void Add(ReadOnlySpan<int> receivers, CoEngagedWith other)
    {
        if (_count + receivers.Length > _receivers.Length)
        {
            var size = Math.Max(2 * _receivers.Length, _count + receivers.Length);
            Array.Resize(ref _receivers, size);
            Array.Resize(ref _others, size);
        }
        foreach (var receiver in receivers)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(receiver);
            _receivers[_count] = receiver;
            _others[_count] = other;
            _count++;
        }
    }

    /// <summary>
    /// Every queued half grouped by receiver, in the order receivers were first named, each group in
    /// the order its halves were added; then forgets them. The buffers keep their size for the next
    /// fill, so a steady load allocates only the groups.
    /// </summary>
    public List<(int Receiver, CoEngagedWith[] Others)> Drain()
    {
        if (_count == 0) return [];
        var receivers = _receivers.AsSpan(0, _count);
        foreach (var r in receivers)
        {
            if (r >= _slot.Length) Array.Resize(ref _slot, Math.Max(2 * _slot.Length, r + 1));
            if (_slot[r]++ == 0) _touched.Add(r);
        }
        if (_fill.Length < _touched.Count) _fill = new int[Math.Max(2 * _fill.Length, _touched.Count)];
        var groups = new List<(int, CoEngagedWith[])>(_touched.Count);
        for (var k = 0; k < _touched.Count; k++)
        {
            var r = _touched[k];
            groups.Add((r, new CoEngagedWith[_slot[r]]));
            _slot[r] = k;
            _fill[k] = 0;
        }
        for (var i = 0; i < receivers.Length; i++)
        {
            var k = _slot[receivers[i]];
            groups[k].Item2[_fill[k]++] = _others[i];
        }
        foreach (var r in _touched) _slot[r] = 0;
        _touched.Clear();
        Array.Clear(_others, 0, _count); // the halves belong to their groups now
        _count = 0;
        return groups;
    }
}
