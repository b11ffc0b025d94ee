using OrleansTok.Grains;
using OrleansTok.Model;

namespace OrleansTok.Recommendation;

public sealed partial class CatalogIndex
{
    /// <summary>
    /// The live part of a page served from a <see cref="CandidatePool"/>: adds to
    /// <paramref name="into"/> a candidate for each pooled one still eligible for
    /// <paramref name="query"/> (in the catalogue, not seen, not hidden), with its video's current
    /// entry and trend.
    /// </summary>
    public void Refresh(CandidatePool pool, RetrievalQuery query, DateTimeOffset now, List<ScoredCandidate> into)
    {
        var eligible = new Eligibility(query);
        var toNow = 1 / _decay.Weight(now);
        foreach (ref var member in pool.Members)
        {
            // A record stays the video's while it is in the index (changes update it in place): a
            // page of ~300 pooled candidates spent most of its refresh hashing ids and chasing them.
            var video = member.Video;
            if (video is null || video.Removed)
            {
                if (!_videos.TryGetValue(member.Entry.VideoId, out video)) continue;
                member.Video = video;
            }
            if (!eligible.Allows(video)) continue;
            into.Add(member.ToCandidate(video.Entry, Trend(video, query.Country, toNow)));
        }
    }

    /// <summary>
    /// The fresh source as <see cref="Retrieve"/> returns it, less what <paramref name="pool"/>
    /// already holds: what a pooled page still retrieves, so new uploads reach it at once. Most of
    /// the source's k are pooled since the fill, and were made into candidates only to be dropped.
    /// </summary>
    public List<Candidate> RetrieveFresh(RetrievalQuery query, DateTimeOffset now, TimeSpan freshWindow, CandidatePool? pool = null)
    {
        var k = Math.Max(1, query.PerSource);
        var result = new List<Candidate>();
        TakeFresh(query, k, new Eligibility(query), result, now, freshWindow, 1 / _decay.Weight(now), pool);
        return result;
    }

    /// <summary>The fresh source's k best eligible, by upload time and exposure (its scores are not decayed).</summary>
    private void TakeFresh(RetrievalQuery query, int k, in Eligibility eligible, List<Candidate> into, DateTimeOffset now, TimeSpan freshWindow, double toNow,
        CandidatePool? held = null) =>
        TakeEligible(FreshRanking(query.Language, now, freshWindow, refresher: false), k, eligible, into, CandidateSources.Fresh, query, toNow, 1, held);
}
