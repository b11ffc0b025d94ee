using OrleansTok.Grains;
using OrleansTok.Model;

namespace OrleansTok.Recommendation;

public sealed partial class CatalogIndex
{
    /// <summary>
    /// The live part of a page served from a <see cref="CandidatePool"/>: copies to
    /// <paramref name="into"/> the pooled candidates still eligible for <paramref name="query"/>
    /// (in the catalogue, not seen, not hidden), each with its video's current entry and trend.
    /// </summary>
    public void Refresh(IReadOnlyList<ScoredCandidate> pooled, RetrievalQuery query, DateTimeOffset now, List<ScoredCandidate> into)
    {
        var eligible = new Eligibility(query);
        var toNow = 1 / _decay.Weight(now);
        foreach (var c in pooled)
        {
            // A record stays the video's while it is in the index (changes update it in place): a
            // page of ~300 pooled candidates spent most of its refresh hashing ids and chasing them.
            var video = c.Indexed;
            if (video is null || video.Removed)
            {
                if (!_videos.TryGetValue(c.Entry.VideoId, out video)) continue;
                c.Indexed = video;
            }
            if (!eligible.Allows(video)) continue;
            c.Entry = video.Entry;
            c.Trend = Trend(video, query.Country, toNow);
            into.Add(c);
        }
    }

    /// <summary>The fresh source alone, as <see cref="Retrieve"/> returns it: what a pooled page still retrieves, so new uploads reach it at once.</summary>
    public List<Candidate> RetrieveFresh(RetrievalQuery query, DateTimeOffset now, TimeSpan freshWindow)
    {
        var k = Math.Max(1, query.PerSource);
        var result = new List<Candidate>(k);
        TakeEligible(FreshRanking(query.Language, now, freshWindow, refresher: false), k, new Eligibility(query), result, CandidateSources.Fresh, query, 1 / _decay.Weight(now), 1);
        return result;
    }
}
