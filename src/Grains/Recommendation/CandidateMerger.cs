using OrleansTok.Grains;
using OrleansTok.Model;

namespace OrleansTok.Recommendation;

/// <summary>
/// Merges candidates from every source and partition into one list, one entry per video. Each
/// partition returns its own top k per source; the merger keeps the global top k per source (what
/// one partition holding the whole catalogue would return) before anything is built per candidate,
/// so ranking sees ~k per source whatever the number of partitions.
/// </summary>
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

    public static List<ScoredCandidate> Merge(IEnumerable<IReadOnlyList<Candidate>> batches, Func<string, bool> isExcluded, int perSource)
    {
        var all = batches as IReadOnlyCollection<IReadOnlyList<Candidate>> ?? batches.ToList();
        if (all.Count == 1) return Dedupe(all.First(), isExcluded, perSource);
        var bySource = new Dictionary<string, List<Candidate>>(StringComparer.Ordinal);
        foreach (var batch in all)
        {
            foreach (var candidate in batch)
            {
                if (isExcluded(candidate.Entry.VideoId)) continue;
                if (!bySource.TryGetValue(candidate.Source, out var list)) bySource[candidate.Source] = list = new(perSource * all.Count);
                list.Add(candidate);
            }
        }

        var byVideo = new Dictionary<string, ScoredCandidate>(bySource.Count * perSource, StringComparer.Ordinal);
        foreach (var list in bySource.Values)
        {
            // Scores of one source compare across partitions (similarity, upload time, decayed popularity now).
            list.Sort(static (a, b) => b.SourceScore.CompareTo(a.SourceScore));
            for (var i = 0; i < list.Count && i < perSource; i++) Add(byVideo, list[i]);
        }
        return [.. byVideo.Values];
    }

    /// <summary>
    /// One batch (a silo's catalogue replica holds the whole catalogue) is already each source's top k
    /// best first, as <see cref="CatalogIndex.Retrieve"/> returns it: only duplicates are left to merge.
    /// </summary>
    private static List<ScoredCandidate> Dedupe(IReadOnlyList<Candidate> batch, Func<string, bool> isExcluded, int perSource)
    {
        var byVideo = new Dictionary<string, ScoredCandidate>(batch.Count, StringComparer.Ordinal);
        var source = "";
        var taken = 0;
        foreach (var candidate in batch)
        {
            if (candidate.Source != source) (source, taken) = (candidate.Source, 0);
            if (taken == perSource || isExcluded(candidate.Entry.VideoId)) continue;
            taken++;
            Add(byVideo, candidate);
        }
        return [.. byVideo.Values];
    }

    private static void Add(Dictionary<string, ScoredCandidate> byVideo, Candidate candidate)
    {
        var fresh = candidate.Source == CandidateSources.Fresh;
        if (byVideo.TryGetValue(candidate.Entry.VideoId, out var existing))
        {
            if (Precedence(candidate.Source) < Precedence(existing.Source)) existing.Source = candidate.Source;
            existing.Fresh |= fresh;
            return;
        }
        byVideo[candidate.Entry.VideoId] = ScoredCandidates.Rent(candidate.Entry, candidate.Source, candidate.SourceScore, candidate.Trend, candidate.Related, fresh);
    }
}
