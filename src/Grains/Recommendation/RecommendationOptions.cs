namespace OrleansTok.Recommendation;

/// <summary>Model and feed settings, bound from the "Recommendation" configuration section.</summary>
public sealed class RecommendationOptions
{
    public const string Section = "Recommendation";

    /// <summary>Embedding dimension of users, videos and content tokens.</summary>
    public int Dimension { get; set; } = 32;

    /// <summary>Retrieval partitions the eligible catalogue is hashed over.</summary>
    public int CatalogPartitions { get; set; } = 4;

    /// <summary>
    /// How often each silo pulls the partitions' changes into its local catalogue replica, which
    /// feed pages retrieve from in-process. Zero turns the replica off: every page asks every partition.
    /// </summary>
    public TimeSpan CatalogReplicaRefresh { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// From this many videos a catalogue (each partition's, each silo's replica) groups its embeddings
    /// around ~√n centroids and the similarity scan reads only the groups nearest the user
    /// (<see cref="ClusteredRows"/>); below it every row is scanned. Zero: always every row.
    /// </summary>
    public int ClusteredScanMinVideos { get; set; } = 20_000;

    /// <summary>Share of a clustered catalogue's rows the similarity scan reads, nearest groups first.</summary>
    public float ClusteredScanShare { get; set; } = 0.1f;

    internal ClusteredScan ClusteredScan => new(ClusteredScanMinVideos, ClusteredScanShare);

    /// <summary>Candidates each source returns per partition.</summary>
    public int CandidatesPerSource { get; set; } = 20;

    /// <summary>
    /// How long a user's next pages may rank the candidates of their last retrieval again instead of
    /// retrieving (<see cref="CandidatePool"/>); entries, eligibility and fresh uploads are read live
    /// on every page regardless. Zero: every page retrieves.
    /// </summary>
    public TimeSpan CandidatePoolMaxAge { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The pool serves while the cosine between the user's interest now and at retrieval stays at
    /// least this; a larger move (a burst of skips, a new taste) retrieves anew.
    /// </summary>
    public float CandidatePoolMinCosine { get; set; } = 0.95f;

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

    /// <summary>Videos a user's seen set remembers: two generations of half as many each, ~1% false positives together at most.</summary>
    public int SeenCapacity { get; set; } = 5000;

    /// <summary>
    /// Recently served items whose ranking features are kept for joining later actions to them (16
    /// pages of ten): an action comes almost always within the page or two before it.
    /// </summary>
    public int ImpressionItems { get; set; } = DefaultImpressionItems;

    public const int DefaultImpressionItems = 160;

    /// <summary>Recent positive videos per user that new positives are paired with (item-to-item co-engagement).</summary>
    public int CoEngagementHistory { get; set; } = 20;

    /// <summary>
    /// Co-engaged neighbours a video keeps counting (when full, the rarest quarter is forgotten). Evicting
    /// too early loses counts: on MovieLens 100K, 200 gives HR@10 0.197 and 1,000 gives 0.202 (measured).
    /// </summary>
    public int NeighbourCapacity { get; set; } = 1000;

    /// <summary>Neighbours read per recent positive when scoring related videos (the strongest first).</summary>
    public int NeighboursPerPositive { get; set; } = 200;

    /// <summary>Related videos (summed co-engagement of the recent positives) a page retrieves from, the strongest first.</summary>
    public int RelatedCandidates { get; set; } = 300;

    /// <summary>Engagement from which an action counts as a positive for co-engagement (a completion is 1.0).</summary>
    public float CoEngagementThreshold { get; set; } = 1.0f;

    /// <summary>How long a user grain reuses a video's neighbour list before asking again (other users' co-engagement reaches a feed within this).</summary>
    public TimeSpan NeighbourRefresh { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Weight of each older recent positive relative to the next newer one when scoring related videos.</summary>
    public float CoEngagementRecencyDecay { get; set; } = 0.9f;

    public EngagementWeights Weights { get; set; } = new();

    /// <summary>Overrides of the ranker's prior weights by feature name (see <see cref="Ranker.FeatureNames"/>).</summary>
    public Dictionary<string, float> RankerPrior { get; set; } = [];

    /// <summary>The ranker's starting weights, which online learning is regularised towards.</summary>
    public float[] RankerPriorWeights()
    {
        var weights = (float[])Ranker.PriorWeights.Clone();
        foreach (var (name, value) in RankerPrior)
        {
            var index = Array.IndexOf(Ranker.FeatureNames, name);
            if (index < 0) throw new ArgumentException($"Recommendation:RankerPrior:{name} is not a ranker feature ({string.Join(", ", Ranker.FeatureNames)})");
            weights[index] = value;
        }
        return weights;
    }
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
