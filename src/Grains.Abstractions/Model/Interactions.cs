namespace OrleansTok.Model;

[GenerateSerializer, Alias("ot.InteractionType")]
public enum InteractionType
{
    View = 0,
    Like = 1,
    Unlike = 2,
    Share = 3,
    Comment = 4,
    Favorite = 5,
    Replay = 6,
    Skip = 7,
    NotInterested = 8,
    HideCreator = 9,
    HideSound = 10,
}

/// <summary>One action of a user on a video, as the app reports it.</summary>
[GenerateSerializer, Immutable, Alias("ot.Interaction")]
public sealed record Interaction(
    [property: Id(0)] string EventId,
    [property: Id(1)] string VideoId,
    [property: Id(2)] InteractionType Type,
    [property: Id(3)] int WatchMs,
    [property: Id(4)] string? FeedRequestId,
    [property: Id(5)] DateTimeOffset At);

[GenerateSerializer, Immutable, Alias("ot.InteractionResult")]
public sealed record InteractionResult(
    [property: Id(0)] CommandStatus Status,
    [property: Id(1)] int Accepted,
    [property: Id(2)] int Duplicates,
    [property: Id(3)] IReadOnlyList<string> UnknownVideoIds);
