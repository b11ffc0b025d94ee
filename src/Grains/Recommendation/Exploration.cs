namespace OrleansTok.Recommendation;

/// <summary>
/// What fills a page's exploration slots, from the candidates the fresh source produced (whatever
/// source's label won the merge). The slot alternates between two needs, page by page:
/// <list type="bullet">
/// <item><b>debut</b>: a new upload's first audience. Unwatched uploads close to what the user
/// engages with go first, as a platform's initial traffic pool tests a new video on viewers likely
/// to enjoy it; an upload that matched a user's declared interest used to wait behind the whole
/// popular catalogue (docs/benchmarks.md, round 7).</item>
/// <item><b>outside</b>: something fresh far from the user's known interests, so the system can
/// learn what else they like.</item>
/// </list>
/// Both read the ranker's features: [1] long-term affinity, [3] quality, [5] freshness.
/// </summary>
public static class Exploration
{
    /// <summary>Whether the page after <paramref name="served"/> items, in pages of <paramref name="count"/>, gives its slot to a debut.</summary>
    public static bool IsDebutPage(long served, int count) => served / Math.Max(1, count) % 2 == 0;

    /// <summary>The fresh candidates, best first for the slot's kind.</summary>
    public static List<ScoredCandidate> Order(List<ScoredCandidate> ranked, bool debut)
    {
        // Sized once and keyed in a rented array: a pooled page holds ~100 fresh candidates, and the
        // lists grown one by one were ~9 % of what a feed page allocated (docs/benchmarks.md, round 34).
        var all = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(ranked);
        var count = 0;
        foreach (var c in all)
        {
            if (c.Fresh) count++;
        }
        var fresh = new List<ScoredCandidate>(count);
        var keys = System.Buffers.ArrayPool<float>.Shared.Rent(Math.Max(1, count));
        foreach (var c in all)
        {
            if (!c.Fresh) continue;
            keys[fresh.Count] = -(debut ? Debut(c) : Outside(c));
            fresh.Add(c);
        }
        // Keys computed once each: a comparison delegate computed both sides of every comparison.
        keys.AsSpan(0, count).Sort(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(fresh));
        System.Buffers.ArrayPool<float>.Shared.Return(keys);
        return fresh;
    }

    /// <summary>Fresh and not yet watched, then close to the user; quality breaks near-ties.</summary>
    public static float Debut(ScoredCandidate c) => c.Features[5] * FreshExposure.Claim(c.Entry.Views) + c.Features[1] + 0.1f * c.Features[3];

    /// <summary>Fresh and not yet watched, far from what the user already engages with; quality breaks near-ties.</summary>
    public static float Outside(ScoredCandidate c) => c.Features[5] * FreshExposure.Claim(c.Entry.Views) + 0.1f * c.Features[3] - c.Features[1];
}
