namespace OrleansTok.Model;

[GenerateSerializer, Alias("ot.VideoStatus")]
public enum VideoStatus
{
    Active = 0,
    UnderReview = 1,
    Removed = 2,
}

/// <summary>What a creator uploads. Hashtags are normalised (lower case, no '#').</summary>
[GenerateSerializer, Immutable, Alias("ot.VideoUpload")]
public sealed record VideoUpload(
    [property: Id(0)] string Id,
    [property: Id(1)] string CreatorId,
    [property: Id(2)] string Caption,
    [property: Id(3)] IReadOnlyList<string> Hashtags,
    [property: Id(4)] string SoundId,
    [property: Id(5)] string Language,
    [property: Id(6)] int DurationMs,
    [property: Id(7)] DateTimeOffset UploadedAt);

[GenerateSerializer, Immutable, Alias("ot.VideoCounters")]
public sealed record VideoCounters(
    [property: Id(0)] long Impressions,
    [property: Id(1)] long Views,
    [property: Id(2)] long WatchTimeMs,
    [property: Id(3)] long Completions,
    [property: Id(4)] long Likes,
    [property: Id(5)] long Shares,
    [property: Id(6)] long Comments,
    [property: Id(7)] long Favorites,
    [property: Id(8)] long Replays,
    [property: Id(9)] long Skips,
    [property: Id(10)] long NotInterested);

/// <summary>Bayesian-smoothed rates: a video with three views does not outrank one with three thousand.</summary>
[GenerateSerializer, Immutable, Alias("ot.EngagementRates")]
public sealed record EngagementRates(
    [property: Id(0)] double Completion,
    [property: Id(1)] double Like,
    [property: Id(2)] double Share,
    [property: Id(3)] double Skip,
    [property: Id(4)] double Quality);

[GenerateSerializer, Immutable, Alias("ot.VideoDetails")]
public sealed record VideoDetails(
    [property: Id(0)] VideoUpload Upload,
    [property: Id(1)] VideoStatus Status,
    [property: Id(2)] VideoCounters Counters,
    [property: Id(3)] EngagementRates Rates);

[GenerateSerializer, Immutable, Alias("ot.CreatorSummary")]
public sealed record CreatorSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] long Followers,
    [property: Id(2)] int Videos,
    [property: Id(3)] IReadOnlyList<string> RecentVideoIds,
    [property: Id(4)] long Views,
    [property: Id(5)] long Completions,
    [property: Id(6)] long Likes,
    [property: Id(7)] long Shares,
    [property: Id(8)] long Comments,
    [property: Id(9)] long WatchTimeMs);
