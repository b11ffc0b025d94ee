using OrleansTok.Grains;
using OrleansTok.Model;
using OrleansTok.Recommendation;

namespace OrleansTok.Tests.Core;

/// <summary>
/// A page served from a user's candidate pool: reused only while what retrieval read holds, and
/// never stale in what other users change (entries, eligibility, new uploads).
/// </summary>
public class CandidatePoolTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan FreshWindow = TimeSpan.FromDays(2);
    private static readonly string[] Tags = ["cats", "cars", "dance", "food"];

    private static CatalogEntry Video(int i, double ageHours = 72) =>
        new($"v{i}", $"c{i % 9}", $"s{i % 7}", [Tags[i % Tags.Length]], "", "en", 10_000, Now.AddHours(-ageHours),
            ContentEmbedding.ForVideo([Tags[i % Tags.Length]], $"s{i % 7}", $"c{i % 9}", 16), 0.2f, 0);

    private static (CatalogIndex Index, RetrievalQuery Query, SeenSet Seen) Catalogue(int videos = 400)
    {
        var index = new CatalogIndex(TimeSpan.FromHours(6), Now);
        for (var i = 0; i < videos; i++) index.Upsert(Video(i), null, Now);
        var seen = SeenSet.Create(500);
        var query = new RetrievalQuery(ContentEmbedding.ForInterests(["cats"], 16), "en", "US", [], [], [], seen.Filter(), 40);
        return (index, query, seen);
    }

    private static List<ScoredCandidate> Merged(CatalogIndex index, RetrievalQuery query) =>
        CandidateMerger.Merge([index.Retrieve(query, Now, FreshWindow)], _ => false, query.PerSource);

    /// <summary>A catalogue and a pool filled from one retrieval of it (controls 0, related scores: the query object).</summary>
    private static (CatalogIndex Index, RetrievalQuery Query, SeenSet Seen, List<ScoredCandidate> Merged, CandidatePool Pool) Filled()
    {
        var (index, query, seen) = Catalogue();
        var merged = Merged(index, query);
        var pool = new CandidatePool(TimeSpan.FromSeconds(5), 0.95f);
        pool.Fill(merged, query.Interest, 0, query, Now);
        return (index, query, seen, merged, pool);
    }

    private static float[] Interest(params string[] tags) => ContentEmbedding.ForInterests(tags, 16);

    [Fact]
    public void The_pool_serves_only_the_inputs_it_was_filled_for_while_young()
    {
        var pool = new CandidatePool(TimeSpan.FromSeconds(5), 0.95f);
        var related = new Dictionary<string, float>();
        var (index, query, _) = Catalogue();
        var interest = Interest("cats");
        Assert.False(pool.Matches(interest, 0, related, Now)); // empty

        pool.Fill(Merged(index, query), interest, controls: 3, related, Now);
        Assert.True(pool.Matches(interest, 3, related, Now.AddSeconds(4)));
        Assert.False(pool.Matches(interest, 4, related, Now), "a follow, a hidden creator or a new positive changed the controls");
        Assert.False(pool.Matches(interest, 3, new Dictionary<string, float>(), Now), "the related scores were summed anew");
        Assert.False(pool.Matches(interest, 3, related, Now.AddSeconds(6)), "older than its maximum age");
        Assert.False(pool.Matches(interest, 3, related, Now.AddSeconds(-1)), "filled in the future: the clock went back");
        Assert.False(pool.Matches(Interest("cars"), 3, related, Now), "the interest moved to another topic");

        var nudged = (float[])interest.Clone();
        VectorMath.AddScaled(nudged, Interest("cars"), 0.05f);
        Assert.True(pool.Matches(nudged, 3, related, Now), "a small move is ranked, not retrieved, again");

        pool.Clear();
        Assert.False(pool.Matches(interest, 3, related, Now));
        Assert.False(new CandidatePool(TimeSpan.Zero, 0.95f).Enabled);
    }

    [Fact]
    public void A_drained_pool_retrieves_again()
    {
        var (_, _, _, merged, pool) = Filled();
        Assert.True(pool.Enough(merged.Count, 10));
        Assert.True(pool.Enough((merged.Count * 3 + 3) / 4, 10));
        Assert.False(pool.Enough(merged.Count * 3 / 4 - 1, 10), "more than a quarter served");
        Assert.False(pool.Enough(39, 10), "fewer than four per item");
    }

    [Fact]
    public void A_refilled_pool_holds_only_its_new_candidates()
    {
        var (index, query, _, merged, pool) = Filled();
        var dropped = merged[^1];
        pool.Fill(merged.Take(merged.Count / 2).ToList(), query.Interest, 1, query, Now.AddSeconds(1));

        Assert.Equal(merged.Count / 2, pool.Count);
        Assert.True(pool.Matches(query.Interest, 1, query, Now.AddSeconds(1)));
        Assert.False(pool.Matches(query.Interest, 0, query, Now.AddSeconds(1)), "the controls of the first fill");
        var page = new List<ScoredCandidate>();
        index.Refresh(pool, query, Now, page);
        Assert.DoesNotContain(page, c => c.Entry.VideoId == dropped.Entry.VideoId);

        // The first fill's candidate is new to this pool: offered by the fresh source, it joins.
        var asFresh = new Candidate(dropped.Entry, CandidateSources.Fresh, 1f, 0f);
        pool.AddFresh(page, [asFresh], _ => false, new HashSet<string>());
        Assert.Single(page, c => c.Entry.VideoId == dropped.Entry.VideoId);
    }

    [Fact]
    public void Refreshing_drops_seen_hidden_and_removed_videos_and_reads_current_entries()
    {
        var (index, query, seen, merged, pool) = Filled();
        index.Refresh(pool, query, Now, []); // a first pooled page: the members keep their videos' records

        var seenId = merged[0].Entry.VideoId;
        seen.Add(seenId);
        var removed = merged[1].Entry;
        index.Remove(removed.VideoId);
        var hiddenCreator = merged[2].Entry.CreatorId;
        var changed = merged[3].Entry;
        index.Upsert(changed with { Views = changed.Views + 7, Quality = 0.9f }, null, Now);

        var page = new List<ScoredCandidate>();
        index.Refresh(pool, query with { Exclude = seen.Filter(), HiddenCreators = [hiddenCreator] }, Now, page);

        Assert.DoesNotContain(page, c => c.Entry.VideoId == seenId);
        Assert.DoesNotContain(page, c => c.Entry.VideoId == removed.VideoId);
        Assert.DoesNotContain(page, c => c.Entry.CreatorId == hiddenCreator);
        var current = Assert.Single(page, c => c.Entry.VideoId == changed.VideoId);
        Assert.Equal((changed.Views + 7, 0.9f), (current.Entry.Views, current.Entry.Quality));
        var expected = merged.Count(c => c.Entry.VideoId != seenId && c.Entry.VideoId != removed.VideoId && c.Entry.CreatorId != hiddenCreator);
        Assert.Equal(expected, page.Count);

        // Reinstated, the video is a new record in the index: the pool finds it again.
        index.Upsert(removed, null, Now);
        var again = new List<ScoredCandidate>();
        index.Refresh(pool, query, Now, again);
        Assert.Contains(again, c => c.Entry.VideoId == removed.VideoId);
    }

    [Fact]
    public void A_pooled_page_reads_every_videos_trend_as_it_is_now()
    {
        var (index, query, _, merged, pool) = Filled();
        var first = merged[0].Entry;
        var second = merged[1].Entry;
        index.Upsert(first, new Dictionary<string, float> { ["US"] = 5f, ["GB"] = 50f }, Now);
        index.Upsert(second, new Dictionary<string, float> { ["GB"] = 3f }, Now);
        var before = AssertLiveTrends(query, Now);

        index.Upsert(first, new Dictionary<string, float> { ["US"] = 20f }, Now.AddMinutes(1));
        var after = AssertLiveTrends(query, Now.AddMinutes(2));
        Assert.True(after[first.VideoId] > 2 * before[first.VideoId], "the new popularity reached the pooled page");
        var moved = AssertLiveTrends(query with { Country = "GB" }, Now.AddMinutes(2));
        Assert.True(moved[second.VideoId] > after[second.VideoId], "the user moved to where the video is popular");
        var later = AssertLiveTrends(query, Now.AddHours(7));
        Assert.True(later[first.VideoId] < after[first.VideoId] / 2, "decayed over more than a half-life");

        // Past 400 half-lives the index moves its landmark and rescales every stored popularity.
        index.Upsert(second, new Dictionary<string, float> { ["US"] = 1f }, Now.AddDays(101));
        AssertLiveTrends(query, Now.AddDays(101));

        Dictionary<string, float> AssertLiveTrends(RetrievalQuery q, DateTimeOffset at)
        {
            var pooled = new List<ScoredCandidate>();
            index.Refresh(pool, q, at, pooled);
            // The same candidates in a pool never refreshed before.
            var live = new CandidatePool(TimeSpan.FromSeconds(5), 0.95f);
            live.Fill(merged, q.Interest, 0, q, Now);
            var expected = new List<ScoredCandidate>();
            index.Refresh(live, q, at, expected);
            Assert.Equal(expected.Select(c => (c.Entry.VideoId, c.Trend)), pooled.Select(c => (c.Entry.VideoId, c.Trend)));
            return pooled.ToDictionary(c => c.Entry.VideoId, c => c.Trend);
        }
    }

    [Fact]
    public void A_new_upload_joins_the_pooled_page_at_once_labelled_as_a_merge_would()
    {
        var (index, query, _, _, pool) = Filled();

        var upload = Video(1000, ageHours: 0) with { CreatorId = "followed" };
        var other = Video(1001, ageHours: 0);
        index.Upsert(upload, null, Now);
        index.Upsert(other, null, Now);
        var fresh = index.RetrieveFresh(query, Now, FreshWindow);
        Assert.Contains(fresh, c => c.Entry.VideoId == upload.VideoId);

        var page = new List<ScoredCandidate>();
        index.Refresh(pool, query, Now, page);
        var before = page.Count;
        pool.AddFresh(page, fresh, id => id == other.VideoId, new HashSet<string> { "followed" });

        var added = Assert.Single(page.Skip(before), c => c.Entry.VideoId == upload.VideoId);
        Assert.Equal((upload.VideoId, CandidateSources.Following, true), (added.Entry.VideoId, added.Source, added.Fresh));
        Assert.DoesNotContain(page, c => c.Entry.VideoId == other.VideoId); // "not interested"

        // The pool keeps it: the next page has it once, not twice.
        var next = new List<ScoredCandidate>();
        index.Refresh(pool, query, Now, next);
        pool.AddFresh(next, fresh, _ => false, new HashSet<string>());
        Assert.Single(next, c => c.Entry.VideoId == upload.VideoId);
    }

    [Fact]
    public void A_pooled_page_retrieves_only_the_fresh_candidates_its_pool_does_not_hold()
    {
        var (index, query, _, merged, pool) = Filled();
        var pooled = merged.Select(c => c.Entry.VideoId).ToHashSet();
        Assert.Empty(index.RetrieveFresh(query, Now, FreshWindow, pool)); // the fill took the fresh source's k

        var uploads = new[] { Video(1000, ageHours: 0), Video(1001, ageHours: 0) };
        foreach (var upload in uploads) index.Upsert(upload, null, Now);
        var whole = index.RetrieveFresh(query, Now, FreshWindow);
        var unpooled = index.RetrieveFresh(query, Now, FreshWindow, pool);

        // The same k as the whole source (the uploads pushed pooled videos out of it), less the pooled ones.
        Assert.Equal(query.PerSource, whole.Count);
        Assert.Equal(whole.Where(c => !pooled.Contains(c.Entry.VideoId)).Select(c => (c.Entry.VideoId, c.SourceScore, c.Trend)),
            unpooled.Select(c => (c.Entry.VideoId, c.SourceScore, c.Trend)));
        Assert.All(uploads, u => Assert.Contains(unpooled, c => c.Entry.VideoId == u.VideoId));
        Assert.True(unpooled.Count < whole.Count / 2, "most of the source is pooled");

        // Once a page added them, the pool holds them too.
        pool.AddFresh([], unpooled, _ => false, new HashSet<string>());
        Assert.Empty(index.RetrieveFresh(query, Now, FreshWindow, pool));
    }
}
