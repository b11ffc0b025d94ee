using OrleansTok.Model;

namespace OrleansTok.Recommendation;

/// <summary>Turns one action into a signed engagement value: what the model learns from.</summary>
public static class EngagementModel
{
    public static float Signal(InteractionType type, int watchMs, int durationMs, EngagementWeights w) => type switch
    {
        InteractionType.View => ViewSignal(watchMs, durationMs, w),
        InteractionType.Like => w.Like,
        InteractionType.Unlike => w.Unlike,
        InteractionType.Share => w.Share,
        InteractionType.Comment => w.Comment,
        InteractionType.Favorite => w.Favorite,
        InteractionType.Replay => w.Replay,
        InteractionType.Skip => w.Skip,
        InteractionType.NotInterested => w.NotInterested,
        InteractionType.HideCreator => w.HideCreator,
        InteractionType.HideSound => w.HideSound,
        _ => 0f,
    };

    public static bool IsCompletion(int watchMs, int durationMs, EngagementWeights w) =>
        durationMs > 0 && watchMs >= w.CompletionFraction * durationMs;

    public static bool IsFastSkip(int watchMs, int durationMs, EngagementWeights w) =>
        watchMs < w.FastSkipMs || (durationMs > 0 && watchMs < 0.15f * durationMs);

    private static float ViewSignal(int watchMs, int durationMs, EngagementWeights w)
    {
        if (IsCompletion(watchMs, durationMs, w)) return w.Completion;
        if (IsFastSkip(watchMs, durationMs, w)) return w.FastSkip;
        // Partial views: watching past a third leans positive, less leans negative.
        var fraction = durationMs > 0 ? Math.Clamp((float)watchMs / durationMs, 0f, 1f) : 0f;
        return (fraction - 0.33f) * w.Completion;
    }
}
