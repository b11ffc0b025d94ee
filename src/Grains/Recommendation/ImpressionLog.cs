using System.Numerics.Tensors;

namespace OrleansTok.Recommendation;

/// <summary>
/// What a user's recent feed pages showed, kept so a later action can be joined to the features its
/// video was ranked with (Monolith's joiner, per user): one flat ring of served items, the newest
/// overwriting the oldest.
/// </summary>
/// <remarks>
/// An item is 28 bytes in three parallel arrays: its video's fingerprint, its page's tag and the
/// ranker's features at half precision (three significant digits, finer than one learning step
/// moves a weight), without the bias, which is always 1. A record per page (request id string,
/// id array, feature array) kept ~8.5 KB for a reader's last 16 pages; the ring keeps ~4.5 KB.
/// Fingerprints are 32 bits and tags 16: a wrong join needs the same video on two of the last few
/// hundred items and a colliding tag, and even then it returns that video's features from another
/// recent page, nearly the same ones. The ring grows to its capacity, so a user who read one page
/// carries one page.
/// </remarks>
[GenerateSerializer, Alias("ot.ImpressionLog")]
public sealed class ImpressionLog
{
    /// <summary>Features kept per item: all but <see cref="Ranker"/>'s feature 0, its bias.</summary>
    public const int StoredFeatures = Ranker.FeatureCount - 1;

    private const int InitialItems = 16;

    [Id(0)] private uint[] _videos = [];
    [Id(1)] private ushort[] _pages = [];
    [Id(2)] private Half[] _features = [];
    [Id(3)] private int _count;
    [Id(4)] private int _next;
    [Id(5)] private int _capacity;

    public static ImpressionLog Create(int capacity) => capacity > 0
        ? new() { _capacity = capacity }
        : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "the log keeps at least one item");

    /// <summary>Most items kept.</summary>
    public int Capacity => _capacity;

    /// <summary>Items kept now.</summary>
    public int Count => _count;

    /// <summary>Records one served page: each item's video and the features it was ranked with.</summary>
    public void Record(string requestId, IReadOnlyList<ScoredCandidate> served)
    {
        var page = PageTag(requestId);
        foreach (var c in served)
        {
            var slot = NextSlot();
            _videos[slot] = VideoFingerprint(c.Entry.VideoId);
            _pages[slot] = page;
            TensorPrimitives.ConvertToHalf(c.Features[1..], _features.AsSpan(slot * StoredFeatures, StoredFeatures));
        }
    }

    /// <summary>
    /// Writes the features <paramref name="videoId"/> was ranked with on page <paramref name="requestId"/>
    /// into <paramref name="into"/> (<see cref="Ranker.FeatureCount"/> long); false if no kept page
    /// by that id showed it. The newest such item wins.
    /// </summary>
    public bool TryGetFeatures(string requestId, string videoId, Span<float> into)
    {
        if (into.Length != Ranker.FeatureCount) return false;
        var video = VideoFingerprint(videoId);
        var page = PageTag(requestId);
        // Newest first: the slots before the next one, then (once wrapped) the ones after it.
        var slot = Find(0, _next, video, page);
        if (slot < 0) slot = Find(_next, _count - _next, video, page);
        if (slot < 0) return false;
        into[0] = 1f;
        TensorPrimitives.ConvertToSingle(_features.AsSpan(slot * StoredFeatures, StoredFeatures), into[1..]);
        return true;
    }

    private int Find(int start, int length, uint video, ushort page)
    {
        var videos = _videos.AsSpan(start, Math.Max(0, length));
        for (var i = videos.LastIndexOf(video); i >= 0; i = videos[..i].LastIndexOf(video))
        {
            if (_pages[start + i] == page) return start + i;
        }
        return -1;
    }

    private int NextSlot()
    {
        if (_count == _videos.Length && _videos.Length < _capacity)
        {
            // Still growing, so never wrapped: the items sit in order and the next slot is the first new one.
            var length = Math.Min(_capacity, Math.Max(InitialItems, 2 * _videos.Length));
            Array.Resize(ref _videos, length);
            Array.Resize(ref _pages, length);
            Array.Resize(ref _features, length * StoredFeatures);
            _next = _count;
        }
        var slot = _next;
        _next = (_next + 1) % _videos.Length;
        _count = Math.Min(_count + 1, _videos.Length);
        return slot;
    }

    private static uint VideoFingerprint(string videoId) => (uint)IdHash.Of(videoId);

    private static ushort PageTag(string requestId) => (ushort)(IdHash.Of(requestId) >> 48);
}
