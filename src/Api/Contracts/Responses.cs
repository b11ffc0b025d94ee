using OrleansTok.Grains;
using OrleansTok.Model;

namespace OrleansTok.Api.Contracts;

public sealed record UserResponse(
    string Id, string Language, string Country, string DeviceType, IReadOnlyList<string> Interests, DateTimeOffset CreatedAt,
    int Following, int HiddenCreators, int HiddenSounds, long Served, long Watched, long Interactions, int Likes)
{
    public static UserResponse From(UserSummary s) => new(s.Id, s.Settings.Language, s.Settings.Country, s.Settings.DeviceType,
        s.Settings.Interests, s.CreatedAt, s.Following, s.HiddenCreators, s.HiddenSounds, s.Served, s.Watched, s.Interactions, s.Likes);
}

public sealed record VideoResponse(
    string Id, string CreatorId, string Caption, IReadOnlyList<string> Hashtags, string SoundId, string Language, int DurationMs,
    DateTimeOffset UploadedAt, string Status,
    long Impressions, long Views, long WatchTimeMs, long Completions, long Likes, long Shares, long Comments, long Favorites,
    long Replays, long Skips, long NotInterested, EngagementRates Rates)
{
    public static VideoResponse From(VideoDetails d)
    {
        var (u, c) = (d.Upload, d.Counters);
        return new VideoResponse(u.Id, u.CreatorId, u.Caption, u.Hashtags, u.SoundId, u.Language, u.DurationMs, u.UploadedAt,
            Wire.Status(d.Status), c.Impressions, c.Views, c.WatchTimeMs, c.Completions, c.Likes, c.Shares, c.Comments, c.Favorites,
            c.Replays, c.Skips, c.NotInterested, d.Rates);
    }
}

public sealed record InteractionsAccepted(int Accepted, int Duplicates);

public sealed record TrendingItem(string VideoId, string CreatorId, string SoundId, IReadOnlyList<string> Hashtags, string Caption, string Language, double Score)
{
    public static TrendingItem From(TrendingVideo t) =>
        new(t.Entry.VideoId, t.Entry.CreatorId, t.Entry.SoundId, t.Entry.Hashtags, t.Entry.Caption, t.Entry.Language, Math.Round(t.Score, 3));
}

public sealed record TrendingResponse(string? Country, string? Language, IReadOnlyList<TrendingItem> Items);
