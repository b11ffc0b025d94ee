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
/// <remarks>
/// A page ranks ~300 of them and keeps ten, so they were ~30 % of what the feed allocated. Pages
/// therefore take them from <see cref="ScoredCandidates"/> and give them back when done: a third
/// fewer collections under feed load (docs/benchmarks.md, round 21).
/// </remarks>
public sealed class ScoredCandidate
{
    private CatalogEntry _entry = null!;
    private float _sourceScore;
    private float _trend;

    public required CatalogEntry Entry { get => _entry; init => _entry = value; }
    public required string Source { get; set; }
    public float SourceScore { get => _sourceScore; init => _sourceScore = value; }
    public float Trend { get => _trend; init => _trend = value; }

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

    /// <summary>Makes a given-back candidate a new one: every field set as a new object's would be.</summary>
    internal ScoredCandidate Reuse(CatalogEntry entry, string source, float sourceScore, float trend, float related, bool fresh)
    {
        _entry = entry;
        Source = source;
        _sourceScore = sourceScore;
        _trend = trend;
        Related = related;
        Fresh = fresh;
        _features = default;
        Score = 0f;
        Recycled = false;
        Reason = "";
        return this;
    }
}

/// <summary>
/// Each thread's spare <see cref="ScoredCandidate"/> objects. A page rents its candidates as it
/// builds them and returns them once its items are written; a turn of a grain never yields between
/// a rent or a return and its use of the thread's stack, so a thread-static stack needs no lock.
/// </summary>
public static class ScoredCandidates
{
    /// <summary>Enough for a few pages' candidates per thread (~110 KB), so nothing grows with load.</summary>
    private const int SparePerThread = 1024;

    [ThreadStatic] private static Stack<ScoredCandidate>? t_spare;

    public static ScoredCandidate Rent(CatalogEntry entry, string source, float sourceScore, float trend, float related, bool fresh) =>
        t_spare is { Count: > 0 } spare
            ? spare.Pop().Reuse(entry, source, sourceScore, trend, related, fresh)
            : new ScoredCandidate { Entry = entry, Source = source, SourceScore = sourceScore, Trend = trend, Related = related, Fresh = fresh };

    /// <summary>Gives back a finished page's candidates and empties the list: nothing may use them afterwards.</summary>
    public static void Return(List<ScoredCandidate> candidates)
    {
        var spare = t_spare ??= new Stack<ScoredCandidate>(SparePerThread);
        foreach (var c in candidates)
        {
            if (spare.Count == SparePerThread) break;
            spare.Push(c);
        }
        candidates.Clear();
    }
}

/// <summary>The ranker's features of one candidate, stored inline in it instead of in an array of its own.</summary>
[System.Runtime.CompilerServices.InlineArray(Ranker.FeatureCount)]
public struct FeatureVector
{
    private float _first;
}
