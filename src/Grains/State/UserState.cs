using System.Numerics.Tensors;
using OrleansTok.Model;
using OrleansTok.Recommendation;

namespace OrleansTok.State;

[GenerateSerializer, Alias("ot.UserState")]
public sealed class UserState
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public UserSettings? Settings { get; set; }
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
    [Id(3)] public float[] Embedding { get; set; } = [];
    [Id(4)] public float[] Session { get; set; } = [];
    [Id(5)] public HashSet<string> Following { get; set; } = new(StringComparer.Ordinal);
    [Id(6)] public HashSet<string> HiddenCreators { get; set; } = new(StringComparer.Ordinal);
    [Id(7)] public HashSet<string> HiddenSounds { get; set; } = new(StringComparer.Ordinal);
    [Id(8)] public TokenWeights Hashtags { get; set; } = TokenWeights.Create(64);
    [Id(9)] public TokenWeights Creators { get; set; } = TokenWeights.Create(32);
    [Id(10)] public TokenWeights Sounds { get; set; } = TokenWeights.Create(32);
    [Id(11)] public SeenSet Seen { get; set; } = SeenSet.Create(16);
    [Id(12)] public RecentIds Events { get; set; } = RecentIds.Create(512);
    [Id(13)] public RecentIds Liked { get; set; } = RecentIds.Create(1024);
    [Id(14)] public RecentIds Favorited { get; set; } = RecentIds.Create(1024);
    [Id(15)] public RecentIds NotInterested { get; set; } = RecentIds.Create(512);
    [Id(16)] public List<FeedImpression> Impressions { get; set; } = [];
    [Id(17)] public float[] RankerWeights { get; set; } = [];
    [Id(18)] public string? LastCreator { get; set; }
    [Id(19)] public string? LastSound { get; set; }
    [Id(20)] public long Served { get; set; }
    [Id(21)] public long Watched { get; set; }
    [Id(22)] public long Interactions { get; set; }
    [Id(23)] public List<string> RecentPositives { get; set; } = [];

    /// <summary>The highest journal id whose interaction this state includes; later ones are replayed on activation.</summary>
    [Id(24)] public long JournalMark { get; set; }
}

/// <summary>
/// What one feed request showed, kept so later actions can be joined to it: the served videos in
/// page order and the ranker's features of each, in one flat array at half precision.
/// </summary>
/// <remarks>
/// A page's impression outlives the request (the last <see cref="RecommendationOptions.ImpressionHistory"/>
/// pages are kept), so every page's record survives a gen-0 collection and stays with a reading
/// user. As an object per item with an array of features each it was 24 objects and ~1.5 KB a
/// page; four now (the record, the request id, the ids, which are the entries' own strings, and the
/// features), ~0.5 KB. Half precision (three significant digits) is finer than one learning step
/// moves a weight.
/// </remarks>
[GenerateSerializer, Alias("ot.FeedImpression")]
public sealed class FeedImpression
{
    [Id(0)] public required string RequestId { get; init; }
    [Id(1)] public DateTimeOffset At { get; init; }

    // Id 2 held a list of per-item records (video, source, score, features) until the flat layout
    // below; stored states that still carry it load without those impressions.
    [Id(3)] public string[] VideoIds { get; init; } = [];

    /// <summary><see cref="Ranker.FeatureCount"/> features per served video, in the order of <see cref="VideoIds"/>.</summary>
    [Id(4)] public Half[] Features { get; init; } = [];

    /// <summary>The record of one served page.</summary>
    public static FeedImpression Of(string requestId, DateTimeOffset at, IReadOnlyList<ScoredCandidate> served)
    {
        var ids = new string[served.Count];
        var features = new Half[served.Count * Ranker.FeatureCount];
        for (var i = 0; i < served.Count; i++)
        {
            ids[i] = served[i].Entry.VideoId;
            TensorPrimitives.ConvertToHalf(served[i].Features, features.AsSpan(i * Ranker.FeatureCount, Ranker.FeatureCount));
        }
        return new FeedImpression { RequestId = requestId, At = at, VideoIds = ids, Features = features };
    }

    /// <summary>
    /// Writes the features <paramref name="videoId"/> was ranked with on this page into
    /// <paramref name="into"/> (<see cref="Ranker.FeatureCount"/> long); false if the page did not show it.
    /// </summary>
    public bool TryGetFeatures(string videoId, Span<float> into)
    {
        var i = Array.IndexOf(VideoIds, videoId);
        if (i < 0 || into.Length != Ranker.FeatureCount || Features.Length < (i + 1) * Ranker.FeatureCount) return false;
        TensorPrimitives.ConvertToSingle(Features.AsSpan(i * Ranker.FeatureCount, Ranker.FeatureCount), into);
        return true;
    }
}
