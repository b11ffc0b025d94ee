using OrleansTok.Model;

namespace OrleansTok.Recommendation;

/// <summary>Everything ranking and the feed rules need to know about the user, read from the user grain's state.</summary>
public sealed class RankingContext
{
    public required float[] LongTerm { get; init; }
    public required float[] Session { get; init; }
    public required UserSettings Settings { get; init; }
    public required IReadOnlySet<string> Following { get; init; }
    public required TokenWeights Hashtags { get; init; }
    public required TokenWeights Creators { get; init; }
    public required TokenWeights Sounds { get; init; }
    public required DateTimeOffset Now { get; init; }
}

/// <summary>A candidate on its way through ranking and the feed rules.</summary>
public sealed class ScoredCandidate
{
    public required CatalogEntry Entry { get; init; }
    public required string Source { get; set; }
    public float SourceScore { get; init; }
    public float Trend { get; init; }

    /// <summary>The fresh source produced it, also when a more personal source's label won the merge: exploration may pick it.</summary>
    public bool Fresh { get; set; }

    /// <summary>Summed co-engagement similarity with the user's recent positives (0 when unrelated).</summary>
    public float Related { get; set; }

    /// <summary>The ranker's features, inline: a page ranks hundreds of candidates and keeps ten.</summary>
    public Span<float> Features => _features;

    private FeatureVector _features;
    public float Score { get; set; }
    public bool Recycled { get; set; }
    public string Reason { get; set; } = "";
}

/// <summary>The ranker's features of one candidate, stored inline in it instead of in an array of its own.</summary>
[System.Runtime.CompilerServices.InlineArray(Ranker.FeatureCount)]
public struct FeatureVector
{
    private float _first;
}
