using OrleansTok.Model;
using OrleansTok.Recommendation;

namespace OrleansTok.Tests.Core;

/// <summary>Candidates a page gives back are reused by later pages on the same thread, as new.</summary>
public class ScoredCandidatesTests
{
    private static CatalogEntry Entry(string id) =>
        new(id, "c1", "s1", ["cats"], "", "en", 10_000, DateTimeOffset.UnixEpoch, ContentEmbedding.ForVideo(["cats"], "s1", "c1", 16), 0.2f, 0);

    [Fact]
    public void A_given_back_candidate_comes_back_with_nothing_of_its_last_page()
    {
        // Empty this thread's spares (there are at most 1,024), so the next rent takes the one given back.
        for (var i = 0; i < 1_100; i++) ScoredCandidates.Rent(Entry("x"), CandidateSources.Similar, 0f, 0f, 0f, false);
        var used = ScoredCandidates.Rent(Entry("v1"), CandidateSources.Following, 0.9f, 3f, 2f, true);
        used.Features.Fill(7f);
        (used.Score, used.Recycled, used.Reason, used.Source) = (0.8f, true, "from @c1, whom you follow", CandidateSources.Related);
        var page = new List<ScoredCandidate> { used };

        ScoredCandidates.Return(page);
        var next = ScoredCandidates.Rent(Entry("v2"), CandidateSources.Fresh, 0.1f, 0.5f, 0f, false);

        Assert.Empty(page);
        Assert.Same(used, next);
        Assert.Equal(("v2", CandidateSources.Fresh, 0.1f, 0.5f, 0f, false), (next.Entry.VideoId, next.Source, next.SourceScore, next.Trend, next.Related, next.Fresh));
        Assert.Equal((0f, false, ""), (next.Score, next.Recycled, next.Reason));
        Assert.All(next.Features.ToArray(), f => Assert.Equal(0f, f));
    }
}
