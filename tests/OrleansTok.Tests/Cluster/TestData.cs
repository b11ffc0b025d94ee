using OrleansTok.Grains;
using OrleansTok.Model;

namespace OrleansTok.Tests.Cluster;

/// <summary>Users and events for the cluster tests, each with a fresh id so tests never share state.</summary>
internal static class TestData
{
    public static async Task<IUserGrain> NewUser(IGrainFactory grains, string prefix, string language = "en", string country = "US", params string[] interests)
    {
        var user = grains.GetGrain<IUserGrain>($"{prefix}-{Guid.NewGuid():N}");
        Assert.Equal(CommandStatus.Ok, await user.Create(new UserSettings(language, country, "ios", interests)));
        return user;
    }

    public static Interaction Event(string videoId, InteractionType type, int watchMs = 0, string? requestId = null, string? eventId = null) =>
        new(eventId ?? Guid.NewGuid().ToString("N"), videoId, type, watchMs, requestId, DateTimeOffset.UtcNow);
}
