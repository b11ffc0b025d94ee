namespace OrleansTok.Model;

/// <summary>Account settings a user declares; TikTok weighs these least, but they seed a cold start.</summary>
[GenerateSerializer, Immutable, Alias("ot.UserSettings")]
public sealed record UserSettings(
    [property: Id(0)] string Language,
    [property: Id(1)] string Country,
    [property: Id(2)] string DeviceType,
    [property: Id(3)] IReadOnlyList<string> Interests);

[GenerateSerializer, Immutable, Alias("ot.UserSummary")]
public sealed record UserSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] UserSettings Settings,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] int Following,
    [property: Id(4)] int HiddenCreators,
    [property: Id(5)] int HiddenSounds,
    [property: Id(6)] long Served,
    [property: Id(7)] long Watched,
    [property: Id(8)] long Interactions,
    [property: Id(9)] int Likes);

/// <summary>A named signal and how strongly the user's profile holds it (negative: pushed down).</summary>
[GenerateSerializer, Immutable, Alias("ot.WeightedName")]
public sealed record WeightedName(
    [property: Id(0)] string Name,
    [property: Id(1)] double Weight);

/// <summary>The user's profile as the recommender sees it: what it learned, and what the user chose.</summary>
[GenerateSerializer, Immutable, Alias("ot.UserProfile")]
public sealed record UserProfile(
    [property: Id(0)] string Id,
    [property: Id(1)] IReadOnlyList<WeightedName> Hashtags,
    [property: Id(2)] IReadOnlyList<WeightedName> Creators,
    [property: Id(3)] IReadOnlyList<WeightedName> Sounds,
    [property: Id(4)] IReadOnlyList<string> Following,
    [property: Id(5)] IReadOnlyList<string> HiddenCreators,
    [property: Id(6)] IReadOnlyList<string> HiddenSounds,
    [property: Id(7)] long Served,
    [property: Id(8)] long Watched,
    [property: Id(9)] int Likes,
    [property: Id(10)] long Interactions);

/// <summary>Outcome of a command addressed to a grain that may not exist yet.</summary>
[GenerateSerializer, Alias("ot.CommandStatus")]
public enum CommandStatus
{
    Ok = 0,
    NotFound = 1,
    Conflict = 2,
    UnknownVideo = 3,
    UnknownCreator = 4,
}
