using OrleansTok.Grains;
using OrleansTok.Model;
using OrleansTok.Recommendation;

namespace OrleansTok.Tests.Core;

/// <summary>Exploration slots: a new upload's first audience on one page, something outside the user's interests on the next.</summary>
public class ExplorationTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private static ScoredCandidate Fresh(string id, long views, float affinity, string source = CandidateSources.Fresh)
    {
        var candidate = new ScoredCandidate
        {
            Entry = new CatalogEntry(id, $"c-{id}", $"s-{id}", ["t"], "", "en", 10_000, Now, [1f], 0.5f, views),
            Source = source,
            Fresh = true,
        };
        candidate.Features[1] = affinity;
        candidate.Features[3] = 0.5f;
        candidate.Features[5] = 1f; // uploaded just now
        return candidate;
    }

    [Fact]
    public void A_debut_slot_goes_to_the_unwatched_upload_closest_to_the_user_an_outside_slot_to_the_farthest()
    {
        var match = Fresh("match", views: 0, affinity: 0.7f, source: CandidateSources.Similar); // also retrieved as similar
        var watched = Fresh("watched", views: 500, affinity: 0f);
        var far = Fresh("far", views: 0, affinity: -0.2f);
        var notFresh = new ScoredCandidate { Entry = match.Entry with { VideoId = "old" }, Source = CandidateSources.Trending };
        List<ScoredCandidate> ranked = [watched, notFresh, far, match];

        Assert.Equal(["match", "far", "watched"], Exploration.Order(ranked, debut: true).Select(c => c.Entry.VideoId));
        Assert.Equal(["far", "watched", "match"], Exploration.Order(ranked, debut: false).Select(c => c.Entry.VideoId));
    }

    [Theory]
    [InlineData(0, 10, true)]
    [InlineData(10, 10, false)]
    [InlineData(20, 10, true)]
    [InlineData(25, 5, false)]
    public void The_slot_alternates_page_by_page(long served, int count, bool debut) =>
        Assert.Equal(debut, Exploration.IsDebutPage(served, count));

    [Fact]
    public void Merging_keeps_that_the_fresh_source_produced_a_video_another_source_labels()
    {
        var entry = new CatalogEntry("v", "c", "s", ["t"], "", "en", 10_000, Now, [1f], 0.5f, 0);
        var merged = CandidateMerger.Merge([[new Candidate(entry, CandidateSources.Fresh, 1f, 0f), new Candidate(entry, CandidateSources.Similar, 0.9f, 0f)]], _ => false, 5);

        var only = Assert.Single(merged);
        Assert.Equal(CandidateSources.Similar, only.Source);
        Assert.True(only.Fresh);
    }
}
