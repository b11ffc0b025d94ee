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
