namespace OrleansTok.Recommendation;

/// <summary>
/// Predicted engagement as a small logistic model over a handful of features, learned online per
/// user from what was shown and what happened to it (joined on the feed request id). It starts from
/// hand-set prior weights and is regularised towards them, so a few events tilt it without
/// overturning it.
/// </summary>
public static class Ranker
{
    public const int FeatureCount = 12;

    public static readonly string[] FeatureNames =
    [
        "bias", "affinity", "session", "quality", "trend", "freshness",
        "language", "following", "tokenAffinity", "tokenAversion", "declaredInterest", "related",
    ];

    /// <summary>Prior weights: learned embedding affinity first, negative feedback strongly down.</summary>
    public static readonly float[] PriorWeights = [-1.0f, 2.5f, 1.5f, 1.0f, 1.5f, 0.4f, 0.6f, 1.0f, 1.0f, 2.5f, 0.6f, 8.0f];

    /// <summary>Writes the candidate's features into <paramref name="features"/> (<see cref="FeatureCount"/> long).</summary>
    public static void Features(ScoredCandidate candidate, RankingContext context, Span<float> features)
    {
        var entry = candidate.Entry;
        features[0] = 1f;
        (features[1], features[2]) = VectorMath.Dot2(context.LongTerm, context.Session, entry.Embedding);
        features[3] = entry.Quality;
        features[4] = MathF.Log(1f + Math.Max(0f, candidate.Trend)) / 5f; // uncapped: the most popular must stay apart
        var ageHours = Math.Max(0.0, (context.Now - entry.UploadedAt).TotalHours);
        features[5] = (float)Math.Exp(-ageHours / 24.0);
        features[6] = entry.Language == context.Settings.Language ? 1f : 0f;
        features[7] = context.Following.Contains(entry.CreatorId) ? 1f : 0f;

        float liked = 0f, rejected = 0f;
        Accumulate(context.Creators[entry.CreatorId], ref liked, ref rejected);
        Accumulate(context.Sounds[entry.SoundId], ref liked, ref rejected);
        var declared = 0;
        var hashtags = entry.Hashtags;
        for (var i = 0; i < hashtags.Count; i++) // indexed: foreach over the interface would allocate an enumerator per candidate
        {
            var tag = hashtags[i];
            Accumulate(context.Hashtags[tag], ref liked, ref rejected);
            if (context.Settings.Interests.Contains(tag)) declared++;
        }
        features[8] = MathF.Tanh(liked / 3f);
        features[9] = MathF.Tanh(rejected / 3f);
        features[10] = entry.Hashtags.Count == 0 ? 0f : (float)declared / entry.Hashtags.Count;
        // log, not tanh: sums of many strong neighbours must still rank above sums of a few.
        features[11] = MathF.Log(1f + Math.Max(0f, candidate.Related));

        static void Accumulate(float weight, ref float liked, ref float rejected)
        {
            if (weight > 0f) liked += weight; else rejected += weight;
        }
    }

    public static float Score(ReadOnlySpan<float> weights, ReadOnlySpan<float> features) =>
        VectorMath.Sigmoid(VectorMath.Dot(weights, features));

    /// <summary>One step of logistic regression towards <paramref name="label"/>, regularised towards the prior.</summary>
    public static void Learn(float[] weights, ReadOnlySpan<float> features, float label, float learningRate, float regularization, ReadOnlySpan<float> prior = default)
    {
        if (prior.IsEmpty) prior = PriorWeights;
        if (weights.Length != FeatureCount || features.Length != FeatureCount) return;
        var error = label - Score(weights, features);
        Span<float> next = stackalloc float[FeatureCount];
        for (var i = 0; i < FeatureCount; i++)
        {
            next[i] = weights[i] + learningRate * (error * features[i] - regularization * (weights[i] - prior[i]));
        }
        if (!VectorMath.AllFinite(next)) return;
        for (var i = 0; i < FeatureCount; i++) weights[i] = Math.Clamp(next[i], -10f, 10f);
    }

    /// <summary>
    /// Reads what <see cref="Features"/> will read of each candidate, in a loop that does nothing
    /// else: its loads do not depend on one another, so the CPU has many cache misses in flight at
    /// once, where the scoring loop, long per candidate, met them one at a time (a returning user's
    /// ~300 candidates are scattered over the heap: pages +13 %, docs/benchmarks.md round 26). The
    /// sum is returned so that the loads are kept.
    /// </summary>
    private static int Touch(List<ScoredCandidate> candidates)
    {
        var sum = 0;
        foreach (var candidate in System.Runtime.InteropServices.CollectionsMarshal.AsSpan(candidates))
        {
            var entry = candidate.Entry;
            sum += entry.Embedding.Length + entry.CreatorId.Length + entry.SoundId.Length + entry.Language.Length;
            if (entry.Hashtags is string[] { Length: > 0 } tags) sum += tags[0].Length;
        }
        return sum;
    }

    public static void Rank(List<ScoredCandidate> candidates, RankingContext context, float[] weights)
    {
        var keys = System.Buffers.ArrayPool<float>.Shared.Rent(candidates.Count);
        try
        {
            Touch(candidates);
            for (var i = 0; i < candidates.Count; i++)
            {
                var candidate = candidates[i];
                Features(candidate, context, candidate.Features);
                candidate.Score = Score(weights, candidate.Features);
                keys[i] = -candidate.Score;
            }
            // On primitive keys, best first: a comparison delegate cost ~3× more for a few hundred candidates.
            keys.AsSpan(0, candidates.Count).Sort(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(candidates));
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(keys);
        }
    }
}
