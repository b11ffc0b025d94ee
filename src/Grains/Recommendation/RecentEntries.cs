using OrleansTok.Model;

namespace OrleansTok.Recommendation;

/// <summary>
/// The catalog entries of the last videos served to one user, the newest overwriting the oldest, so
/// the interactions that name them (almost always videos of the last page or two) need no call to
/// the video while the silo's catalogue replica is not current.
/// </summary>
/// <remarks>
/// A ring of references searched from the newest: a dictionary of the last 1,000 cost a reading
/// user ~28 KB, its largest structure, and each of its doublings a new array that outlived gen 0.
/// A miss costs only what the cache saves (a replica lookup, or a call while it is not current).
/// </remarks>
public sealed class RecentEntries(int capacity)
{
    private CatalogEntry[] _ring = [];
    private int _count;
    private int _next;

    public void Add(CatalogEntry entry)
    {
        if (_count == _ring.Length && _ring.Length < capacity)
        {
            // Still growing, so never wrapped: the entries sit in order and the next slot is the first new one.
            Array.Resize(ref _ring, Math.Min(capacity, Math.Max(16, 2 * _ring.Length)));
            _next = _count;
        }
        _ring[_next] = entry;
        _next = (_next + 1) % _ring.Length;
        _count = Math.Min(_count + 1, _ring.Length);
    }

    public bool TryGet(string videoId, out CatalogEntry entry)
    {
        for (var i = 1; i <= _count; i++)
        {
            var candidate = _ring[(_next - i + _ring.Length) % _ring.Length];
            if (string.Equals(candidate.VideoId, videoId, StringComparison.Ordinal))
            {
                entry = candidate;
                return true;
            }
        }
        entry = null!;
        return false;
    }

    public void Clear()
    {
        _ring = [];
        _count = 0;
        _next = 0;
    }
}
