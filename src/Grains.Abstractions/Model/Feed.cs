namespace OrleansTok.Model;

/// <summary>
/// How a feed page is asked for. The app always records impressions and explores; offline
/// evaluation asks for a side-effect-free page (nothing marked served) with exploration off.
/// </summary>
[GenerateSerializer, Immutable, Alias("ot.FeedRequest")]
public sealed record FeedRequest(
    [property: Id(0)] int Count,
    [property: Id(1)] bool RecordImpressions = true,
    [property: Id(2)] bool Explore = true,
    [property: Id(3)] string? RequestId = null);

[GenerateSerializer, Immutable, Alias("ot.FeedItem")]
public sealed record FeedItem(
    [property: Id(0)] string VideoId,
    [property: Id(1)] string CreatorId,
    [property: Id(2)] string SoundId,
    [property: Id(3)] IReadOnlyList<string> Hashtags,
    [property: Id(4)] string Caption,
    [property: Id(5)] double Score,
    [property: Id(6)] string Source,
    [property: Id(7)] string Reason,
    [property: Id(8)] bool Recycled,
    [property: Id(9)] int DurationMs = 0);

[GenerateSerializer, Immutable, Alias("ot.FeedPage")]
public sealed record FeedPage(
    [property: Id(0)] string RequestId,
    [property: Id(1)] IReadOnlyList<FeedItem> Items);

/// <summary>Names of the candidate sources, as they appear in <see cref="FeedItem.Source"/>.</summary>
public static class CandidateSources
{
    public const string Similar = "similar";
    public const string Following = "following";
    public const string Trending = "trending";
    public const string Fresh = "fresh";
    public const string Related = "related";
}
