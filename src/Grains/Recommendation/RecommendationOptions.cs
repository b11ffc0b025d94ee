namespace OrleansTok.Recommendation;

/// <summary>Model and feed settings, bound from the "Recommendation" configuration section.</summary>
public sealed class RecommendationOptions
{
    public const string Section = "Recommendation";

    /// <summary>Embedding dimension of users, videos and content tokens.</summary>
    public int Dimension { get; set; } = 32;

    /// <summary>Retrieval partitions the eligible catalogue is hashed over.</summary>
    public int CatalogPartitions { get; set; } = 4;

    /// <summary>Candidates each source returns per partition.</summary>
    public int CandidatesPerSource { get; set; } = 40;

    public float UserLearningRate { get; set; } = 0.25f;
    public float VideoLearningRate { get; set; } = 0.05f;
    public float RankerLearningRate { get; set; } = 0.05f;
    public float Regularization { get; set; } = 0.001f;

    /// <summary>No embedding's norm ever exceeds this: bounded norms keep scores comparable and finite.</summary>
    public float MaxNorm { get; set; } = 2.5f;

    /// <summary>How much of the short-term session interest survives each new engagement.</summary>
    public float SessionDecay { get; set; } = 0.7f;

    /// <summary>Exploration items guaranteed per page of 10 (pro rata for other sizes).</summary>
    public int ExplorationPerTen { get; set; } = 1;

    /// <summary>Half-life of trending popularity.</summary>
    public TimeSpan TrendingHalfLife { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Videos younger than this count as fresh uploads for exploration.</summary>
    public TimeSpan FreshWindow { get; set; } = TimeSpan.FromDays(2);

    /// <summary>Videos a user's seen filter is sized for (the Bloom filter keeps ~1% false positives up to here).</summary>
    public int SeenCapacity { get; set; } = 5000;

    /// <summary>Recent feed requests whose impressions are kept for joining later actions.</summary>
    public int ImpressionHistory { get; set; } = 16;

    public EngagementWeights Weights { get; set; } = new();
}

/// <summary>
/// Signed engagement values of each action, after the published ranking formulas: completion and
/// replay strongest among cheap signals, share and follow above like, negative feedback strongly negative.
/// </summary>
public sealed class EngagementWeights
{
    public float Completion { get; set; } = 1.0f;
    public float Like { get; set; } = 1.0f;
    public float Share { get; set; } = 1.5f;
    public float Comment { get; set; } = 0.8f;
    public float Favorite { get; set; } = 1.2f;
    public float Replay { get; set; } = 1.2f;
    public float Follow { get; set; } = 1.5f;
    public float Unlike { get; set; } = -0.5f;
    public float Skip { get; set; } = -0.6f;
    public float FastSkip { get; set; } = -0.8f;
    public float NotInterested { get; set; } = -2.0f;
    public float HideCreator { get; set; } = -2.5f;
    public float HideSound { get; set; } = -2.0f;

    /// <summary>A view shorter than this (or under 15% of the video) is a fast skip.</summary>
    public int FastSkipMs { get; set; } = 2000;

    /// <summary>Watched fraction from which a view counts as a completion.</summary>
    public float CompletionFraction { get; set; } = 0.9f;
}
