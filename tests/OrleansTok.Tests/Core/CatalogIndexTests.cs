using FsCheck;
using FsCheck.Fluent;
using OrleansTok.Grains;
using OrleansTok.Model;
using OrleansTok.Recommendation;
using OrleansTok.Streams;

namespace OrleansTok.Tests.Core;

/// <summary>The fast retrieval paths (score first, filter lazily, shared rankings) answer what a plain scan would.</summary>
public class CatalogIndexTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Tags = ["cats", "cars", "dance", "food", "golf", "jazz"];

    private static CatalogEntry Video(int i, double ageHours = 48, int dimension = 16) =>
        new($"v{i}", $"c{i % 7}", $"s{i % 5}", [Tags[i % Tags.Length]], "", i % 3 == 0 ? "es" : "en", 10_000, Now.AddHours(-ageHours),
            ContentEmbedding.ForVideo([Tags[i % Tags.Length]], $"s{i % 5}", $"c{i % 7}", dimension), 0.2f, 0);

    /// <remarks>32 dimensions take the vectorised 8-bit scan, 16 the scalar one.</remarks>
    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    public void Similar_top_k_equals_a_plain_scan_with_the_same_filters(int dimension)
    {
        var cases = Gen.Sample(Gen.Choose(20, 1_000).SelectMany(n => Gen.Choose(0, 1_000_000), (n, seed) => (n, seed)), 60, new Rnd(42UL), 10);
        foreach (var (n, seed) in cases)
        {
            var random = new Random(seed);
            var index = new CatalogIndex(TimeSpan.FromHours(6), Now);
            for (var i = 0; i < n; i++) index.Upsert(Video(i, dimension: dimension), null, Now);
            for (var i = 0; i < n / 5; i++) index.Remove($"v{random.Next(n)}"); // holes in the matrix
            var seen = SeenSet.Create(500);
            for (var i = 0; i < n / 3; i++) seen.Add($"v{random.Next(n)}");
            var interest = ContentEmbedding.ForInterests([Tags[random.Next(Tags.Length)], Tags[random.Next(Tags.Length)]], dimension);
            string[] hidden = [$"c{random.Next(7)}"];
            var query = new RetrievalQuery(interest, "en", "US", [], hidden, [$"s{random.Next(5)}"], seen.Filter(), 8);

            AssertSimilarIsThePlainScans(index, query);
        }
    }

    /// <summary>
    /// The similar source must pick what scoring every eligible video exactly and sorting would.
    /// Equal scores may tie-break differently, and the 8-bit scan may swap videos whose scores lie
    /// within its error of each other (twice the bound QuantizedRowsTests checks): the exact scores
    /// of the picks must match rank by rank within that.
    /// </summary>
    private static void AssertSimilarIsThePlainScans(CatalogIndex index, RetrievalQuery query)
    {
        var interest = query.Interest;
        var fast = index.Retrieve(query, Now, TimeSpan.FromDays(2)).Where(c => c.Source == CandidateSources.Similar).Select(c => c.Entry.VideoId).ToList();
        var plain = index.Videos
            .Where(v => !query.HiddenCreators.Contains(v.Entry.CreatorId) && !query.HiddenSounds.Contains(v.Entry.SoundId)
                && (query.Exclude is null || !SeenSet.Contains(query.Exclude, v.Fingerprint)))
            .Select(v => (v.Entry.VideoId, Score: VectorMath.Dot(interest, v.Entry.Embedding)))
            .OrderByDescending(x => x.Score).Take(query.PerSource).ToList();

        Assert.Equal(plain.Count, fast.Count);
        var tolerance = 2 * interest.Sum(MathF.Abs) * index.Videos.Max(v => v.Entry.Embedding.Max(MathF.Abs)) / 254f + 1e-4f;
        var fastScores = fast.Select(id => VectorMath.Dot(interest, index.Videos.First(v => v.Entry.VideoId == id).Entry.Embedding)).ToList();
        for (var i = 0; i < plain.Count; i++) Assert.True(MathF.Abs(plain[i].Score - fastScores[i]) <= tolerance, $"rank {i}: {fastScores[i]} against {plain[i].Score}");
    }

    /// <remarks>
    /// Offers start at a floor sampled from the scores, about 2k rows from the top. A user who saw all
    /// but three videos of their topic has fewer than k eligible above it: the second pass below the
    /// floor must still find the exact k.
    /// </remarks>
    [Fact]
    public void A_user_who_saw_nearly_all_of_a_topic_still_gets_the_exact_top_k()
    {
        var index = new CatalogIndex(TimeSpan.FromHours(6), Now);
        for (var i = 0; i < 1_200; i++) index.Upsert(Video(i, dimension: 32), null, Now);
        var seen = SeenSet.Create(500);
        var cats = index.Videos.Where(v => v.Entry.Hashtags.Contains("cats")).Select(v => v.Entry.VideoId).ToList();
        foreach (var id in cats.Skip(3)) seen.Add(id);
        var query = new RetrievalQuery(ContentEmbedding.ForInterests(["cats"], 32), "en", "US", [], [], [], seen.Filter(), 8);

        AssertSimilarIsThePlainScans(index, query);
        var similar = index.Retrieve(query, Now, TimeSpan.FromDays(2)).Where(c => c.Source == CandidateSources.Similar).ToList();
        Assert.Equal(3, similar.Count(c => c.Entry.Hashtags.Contains("cats")));
    }

    /// <remarks>
    /// A returning user has seen the very top of their own topic, not random videos. With more than
    /// k of the top 2k seen, fewer than k eligible rows lie above the sampled floor: the pass below it
    /// must still give the exact k, for every amount seen around that point.
    /// </remarks>
    [Theory]
    [InlineData(12)]
    [InlineData(24)]
    [InlineData(60)]
    [InlineData(200)]
    public void A_user_who_saw_the_top_of_their_topic_gets_the_exact_top_k_below_it(int seenTop)
    {
        var index = new CatalogIndex(TimeSpan.FromHours(6), Now);
        for (var i = 0; i < 1_200; i++) index.Upsert(Video(i, dimension: 32), null, Now);
        var interest = ContentEmbedding.ForInterests(["cats", "jazz"], 32);
        var seen = SeenSet.Create(500);
        foreach (var v in index.Videos.OrderByDescending(v => VectorMath.Dot(interest, v.Entry.Embedding)).Take(seenTop)) seen.Add(v.Entry.VideoId);
        var query = new RetrievalQuery(interest, "en", "US", [], [], [], seen.Filter(), 8);

        AssertSimilarIsThePlainScans(index, query);
    }

    /// <summary>A copy of the entry as a stream or another silo delivers it: equal values, none of them shared.</summary>
    private static CatalogEntry Copy(CatalogEntry e, float[]? embedding = null) =>
        e with
        {
            VideoId = new string(e.VideoId), CreatorId = new string(e.CreatorId), SoundId = new string(e.SoundId),
            Caption = new string(e.Caption), Language = new string(e.Language), Hashtags = e.Hashtags.Select(t => new string(t)).ToArray(),
            Embedding = embedding ?? (float[])e.Embedding.Clone(), Views = e.Views + 1,
        };

    [Fact]
    public void A_repeated_entry_keeps_the_first_ones_values_and_a_changed_embedding_is_still_scored()
    {
        var index = new CatalogIndex(TimeSpan.FromHours(6), Now);
        var first = Video(1);
        index.Upsert(first, null, Now);
        index.Upsert(Copy(first), null, Now);
        Assert.True(index.TryGetEntry("v1", out var kept));
        Assert.Equal(first.Views + 1, kept.Views); // the new values are applied
        Assert.Same(first.CreatorId, kept.CreatorId);
        Assert.Same(first.SoundId, kept.SoundId);
        Assert.Same(first.Language, kept.Language);
        Assert.Same(first.Hashtags, kept.Hashtags);
        Assert.Same(first.Embedding, kept.Embedding);

        // A replica in the partition's silo takes the partition's entry as it is, without a copy.
        var sameSilo = new CatalogIndex(TimeSpan.FromHours(6), Now);
        sameSilo.Set(new CatalogRow(first, 0, new Dictionary<string, double>()), Now);
        sameSilo.Set(new CatalogRow(kept, 0, new Dictionary<string, double>()), Now);
        Assert.True(sameSilo.TryGetEntry("v1", out var replicated));
        Assert.Same(kept, replicated);

        // Through a replica's path too, and a changed embedding replaces the row the scan reads.
        var replica = new CatalogIndex(TimeSpan.FromHours(6), Now);
        replica.Set(new CatalogRow(first, 0, new Dictionary<string, double>()), Now);
        var towardDance = ContentEmbedding.ForInterests(["dance"], 16);
        var moved = Copy(first, (float[])towardDance.Clone());
        replica.Set(new CatalogRow(moved, 0, new Dictionary<string, double>()), Now);
        Assert.True(replica.TryGetEntry("v1", out var changed));
        Assert.Same(moved.Embedding, changed.Embedding);
        Assert.Same(first.CreatorId, changed.CreatorId);
        var query = new RetrievalQuery(towardDance, "en", "US", [], [], [], null, 5);
        var similar = replica.Retrieve(query, Now, TimeSpan.FromDays(2)).Single(c => c.Source == CandidateSources.Similar);
        Assert.Equal(VectorMath.Dot(towardDance, moved.Embedding), similar.SourceScore, 3); // the first embedding would score below that
        Assert.True(VectorMath.Dot(towardDance, first.Embedding) < similar.SourceScore - 0.1f);
    }

    [Fact]
    public void Refreshed_stats_change_a_held_video_and_are_ignored_for_one_not_held()
    {
        var index = new CatalogIndex(TimeSpan.FromHours(6), Now);
        var first = Video(1);
        index.Upsert(first, null, Now);
        var towardDance = ContentEmbedding.ForInterests(["dance"], 16);

        Assert.True(index.Refresh("v1", new CatalogStats(towardDance, 0.9f, 1_234, 56), new Dictionary<string, float> { ["US"] = 3f }, Now));

        Assert.True(index.TryGetEntry("v1", out var refreshed));
        Assert.Equal((0.9f, 1_234L, 56L), (refreshed.Quality, refreshed.Views, refreshed.Positives));
        Assert.Same(first.CreatorId, refreshed.CreatorId);
        Assert.Same(first.Hashtags, refreshed.Hashtags);
        Assert.Same(towardDance, refreshed.Embedding);
        var query = new RetrievalQuery(towardDance, "en", "US", [], [], [], null, 5);
        var candidates = index.Retrieve(query, Now, TimeSpan.FromDays(2));
        Assert.Equal(VectorMath.Dot(towardDance, towardDance), candidates.Single(c => c.Source == CandidateSources.Similar).SourceScore, 2);
        Assert.Contains(candidates, c => c.Source == CandidateSources.Trending && c.Entry.VideoId == "v1"); // its popularity counted

        // Stats alone cannot make a video eligible: not one never held, nor one removed since.
        Assert.False(index.Refresh("v2", new CatalogStats(towardDance, 0.9f, 1, 1), null, Now));
        index.Remove("v1");
        Assert.False(index.Refresh("v1", new CatalogStats(towardDance, 0.9f, 1, 1), null, Now));
        Assert.Equal(0, index.Count);
        Assert.False(index.TryGetEntry("v1", out _));
    }

    [Fact]
    public void A_removed_video_leaves_every_source_even_from_a_cached_ranking()
    {
        var index = new CatalogIndex(TimeSpan.FromHours(6), Now);
        for (var i = 0; i < 30; i++) index.Upsert(Video(i, ageHours: i), new Dictionary<string, float> { ["US"] = 30 - i }, Now);
        var query = new RetrievalQuery(ContentEmbedding.ForInterests(["cats"], 16), "en", "US", ["c0"], [], [], null, 5);
        var before = index.Retrieve(query, Now, TimeSpan.FromDays(2));
        Assert.Contains(before, c => c.Entry.VideoId == "v1" && c.Source == CandidateSources.Trending);

        index.Remove("v1");

        Assert.DoesNotContain(index.Retrieve(query, Now, TimeSpan.FromDays(2)), c => c.Entry.VideoId == "v1");
    }

    [Fact]
    public void A_new_upload_is_the_first_fresh_candidate_at_once()
    {
        var index = new CatalogIndex(TimeSpan.FromHours(6), Now);
        for (var i = 1; i < 30; i++) index.Upsert(Video(i, ageHours: 5 + i), null, Now);
        var query = new RetrievalQuery(new float[16], "en", "US", [], [], [], null, 5);
        _ = index.Retrieve(query, Now, TimeSpan.FromDays(2)); // builds the shared ranking

        index.Upsert(Video(300, ageHours: 0) with { Language = "en" }, null, Now);

        Assert.Equal("v300", index.Retrieve(query, Now, TimeSpan.FromDays(2)).First(c => c.Source == CandidateSources.Fresh).Entry.VideoId);
    }

    [Fact]
    public void A_new_upload_goes_ahead_of_minutes_older_uploads_that_already_found_their_audience()
    {
        var index = new CatalogIndex(TimeSpan.FromHours(6), Now);
        for (var i = 1; i < 30; i++) index.Upsert(Video(i, ageHours: 0.05) with { Language = "en", Views = 100, Quality = 0.9f }, null, Now);
        index.Upsert(Video(300, ageHours: 0) with { Language = "en", Views = 0, Quality = 0.18f }, null, Now);
        var query = new RetrievalQuery(new float[16], "en", "US", [], [], [], null, 5);

        Assert.Equal("v300", index.Retrieve(query, Now, TimeSpan.FromDays(2)).First(c => c.Source == CandidateSources.Fresh).Entry.VideoId);
    }

    private static List<string> TrendingIds(CatalogIndex index, RetrievalQuery query) =>
        index.Retrieve(query, Now, TimeSpan.FromDays(2)).Where(c => c.Source == CandidateSources.Trending).Select(c => c.Entry.VideoId).ToList();

    /// <summary>Ten videos ranked v0…v9 by popularity, the ranking built and read, then v9 made the most popular (popularity only).</summary>
    private static (CatalogIndex Index, RetrievalQuery Query) TrendingJustChanged()
    {
        var index = new CatalogIndex(TimeSpan.FromHours(6), Now);
        for (var i = 0; i < 10; i++) index.Upsert(Video(i) with { Language = "en" }, new Dictionary<string, float> { ["US"] = 10 - i }, Now);
        var query = new RetrievalQuery(new float[16], "en", "US", [], [], [], null, 3);
        Assert.Equal(["v0", "v1", "v2"], TrendingIds(index, query));
        index.Upsert(Video(9) with { Language = "en" }, new Dictionary<string, float> { ["US"] = 100 }, Now);
        return (index, query);
    }

    [Fact]
    public void Popularity_reaches_the_shared_trending_ranking_through_the_refresh_off_the_pages_path()
    {
        var (index, query) = TrendingJustChanged();
        Thread.Sleep(300); // past the 250 ms a shared ranking may lag popularity
        index.RefreshRankings(Now, TimeSpan.FromDays(2));

        Assert.Equal(["v9", "v0", "v1"], TrendingIds(index, query));
    }

    [Fact]
    public void Pages_rebuild_a_stale_trending_ranking_themselves_when_nothing_refreshes_it()
    {
        var (index, query) = TrendingJustChanged();
        Thread.Sleep(600); // past the 500 ms a page waits for a refresh

        Assert.Equal(["v9", "v0", "v1"], TrendingIds(index, query));
    }
}
