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
    private int[] _hashes = []; // each entry's id hash: a miss (an interaction on a video not served lately) is one vectorised scan
    private int _count;
    private int _next;

    public void Add(CatalogEntry entry)
    {
        if (_count == _ring.Length && _ring.Length < capacity)
        {
            // Still growing, so never wrapped: the entries sit in order and the next slot is the first new one.
            var length = Math.Min(capacity, Math.Max(16, 2 * _ring.Length));
            Array.Resize(ref _ring, length);
            Array.Resize(ref _hashes, length);
            _next = _count;
        }
        _ring[_next] = entry;
        _hashes[_next] = entry.VideoId.GetHashCode();
        _next = (_next + 1) % _ring.Length;
        _count = Math.Min(_count + 1, _ring.Length);
    }

    public bool TryGet(string videoId, out CatalogEntry entry)
    {
        var hash = videoId.GetHashCode();
        // Newest first: the slots before the next one, then (once wrapped) the ones after it.
        if (Find(0, _next, hash, videoId, out entry)) return true;
        return Find(_next, _count - _next, hash, videoId, out entry);
    }

    private bool Find(int start, int length, int hash, string videoId, out CatalogEntry entry)
    {
        var hashes = _hashes.AsSpan(start, Math.Max(0, length));
        for (var i = hashes.LastIndexOf(hash); i >= 0; i = hashes[..i].LastIndexOf(hash))
        {
            if (string.Equals(_ring[start + i].VideoId, videoId, StringComparison.Ordinal))
            {
                entry = _ring[start + i];
                return true;
            }
        }
        entry = null!;
        return false;
    }

    public void Clear()
    {
        _ring = [];
        _hashes = [];
        _count = 0;
        _next = 0;
    }
}
