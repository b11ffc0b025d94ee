using OrleansTok.Grains;

namespace OrleansTok.Recommendation;

/// <summary>Merges candidates from every source and partition into one list, one entry per video.</summary>
public static class CandidateMerger
{
    /// <summary>Source precedence when several produced the same video: the most personal reason wins.</summary>
    private static int Precedence(string source) => source switch
    {
        "following" => 0,
        "related" => 1,
        "similar" => 2,
        "trending" => 3,
        _ => 4,
    };

    public static List<ScoredCandidate> Merge(IEnumerable<IReadOnlyList<Candidate>> batches, Func<string, bool> isExcluded)
    {
        var byVideo = new Dictionary<string, ScoredCandidate>(StringComparer.Ordinal);
        foreach (var batch in batches)
        {
            foreach (var candidate in batch)
            {
                var id = candidate.Entry.VideoId;
                if (isExcluded(id)) continue;
                if (byVideo.TryGetValue(id, out var existing))
                {
                    if (Precedence(candidate.Source) < Precedence(existing.Source)) existing.Source = candidate.Source;
                    continue;
                }
                byVideo[id] = new ScoredCandidate
                {
                    Entry = candidate.Entry,
                    Source = candidate.Source,
                    SourceScore = candidate.SourceScore,
                    Trend = candidate.Trend,
                    Related = candidate.Related,
                };
            }
        }
        return [.. byVideo.Values];
    }
}
