namespace OrleansTok.Recommendation;

/// <summary>
/// How much of a brand-new upload's claim on exploration a video still has: all of it unwatched,
/// half at <see cref="HalfClaimViews"/> views, never less than half. Fresh retrieval and the page's
/// exploration slots both use it, so a new upload finds its first audience ahead of equally fresh
/// videos that already have theirs (ranked by age and quality alone, it sank behind every slightly
/// older video with a good rate and reached other users' pages seconds late; docs/benchmarks.md).
/// </summary>
public static class FreshExposure
{
    public const float HalfClaimViews = 50f;

    public static float Claim(long views) => 0.5f + 0.5f / (1f + Math.Max(0, views) / HalfClaimViews);
}
