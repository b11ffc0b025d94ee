using OrleansTok.Model;
using OrleansTok.State;
using OrleansTok.Streams;

namespace OrleansTok.Recommendation;

/// <summary>What one signal adds to a video's counters and to its trending popularity.</summary>
public static class CounterRules
{
    public static readonly VideoCounters Zero = new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    public static VideoCounters Delta(VideoSignal signal, int durationMs, EngagementWeights weights)
    {
        if (signal.IsImpression) return Zero with { Impressions = Math.Max(1, signal.Impressions) };
        return signal.Type switch
        {
            InteractionType.View => Zero with
            {
                Views = 1,
                WatchTimeMs = signal.WatchMs,
                Completions = EngagementModel.IsCompletion(signal.WatchMs, durationMs, weights) ? 1 : 0,
                Skips = EngagementModel.IsFastSkip(signal.WatchMs, durationMs, weights) ? 1 : 0,
            },
            InteractionType.Like or InteractionType.Unlike => Zero with { Likes = signal.LikeDelta },
            InteractionType.Favorite => Zero with { Favorites = signal.FavoriteDelta },
            InteractionType.Share => Zero with { Shares = 1 },
            InteractionType.Comment => Zero with { Comments = 1 },
            InteractionType.Replay => Zero with { Replays = 1 },
            InteractionType.Skip => Zero with { Skips = 1 },
            InteractionType.NotInterested => Zero with { NotInterested = 1 },
            _ => Zero,
        };
    }

    /// <summary>What a video of <paramref name="durationMs"/> counts for <paramref name="signals"/>, all together.</summary>
    public static VideoCounters Sum(IReadOnlyList<VideoSignal> signals, int durationMs, EngagementWeights weights)
    {
        var sum = new CounterSet();
        foreach (var signal in signals) sum.Add(Delta(signal, durationMs, weights));
        return sum.ToRecord();
    }

    /// <summary>Trending counts attention: a view a little, positive engagement by its weight, negatives nothing.</summary>
    public static float Popularity(VideoSignal signal) =>
        signal.IsImpression ? 0f : Math.Max(0f, signal.Engagement) + (signal.Type == InteractionType.View ? 0.2f : 0f);

    /// <summary>Smoothed rates with a prior worth ten views, so young videos are neither stars nor duds.</summary>
    public static EngagementRates Rates(VideoCounters c)
    {
        const double prior = 10;
        var views = Math.Max(0, c.Views) + prior;
        var completion = (c.Completions + prior * 0.3) / views;
        var like = (c.Likes + prior * 0.05) / views;
        var share = (c.Shares + prior * 0.01) / views;
        var skip = (c.Skips + c.NotInterested * 3 + prior * 0.3) / views;
        var quality = Math.Clamp(0.6 * completion + 2.0 * like + 4.0 * share - 0.4 * skip + 0.1, 0, 1);
        return new EngagementRates(completion, like, share, skip, quality);
    }
}
