using OrleansTok.Grains;
using OrleansTok.Model;
using OrleansTok.Recommendation;

namespace OrleansTok.Tests.Core;

public class RetrievalAndRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static CatalogEntry Video(string id, string creator, string sound, string tag, double ageHours = 48, string language = "en") =>
        new(id, creator, sound, [tag], tag, language, 10_000, Now.AddHours(-ageHours), ContentEmbedding.ForVideo([tag], sound, creator, 16), 0.2f, 0);

    private static RetrievalQuery Query(float[] interest, SeenFilter? exclude = null, string[]? following = null, string[]? hiddenCreators = null) =>
        new(interest, "en", "US", following ?? [], hiddenCreators ?? [], [], exclude, 5);

    [Fact]
    public void Similarity_source_finds_videos_near_the_interest_and_excludes_seen_and_hidden()
    {
        var index = new CatalogIndex(TimeSpan.FromHours(6), Now);
        for (var i = 0; i < 20; i++) index.Upsert(Video($"cat{i}", $"c{i % 4}", $"s{i}", "cats"), null, Now);
        for (var i = 0; i < 20; i++) index.Upsert(Video($"car{i}", $"d{i % 4}", $"t{i}", "cars"), null, Now);
        var seen = SeenSet.Create(100);
        seen.Add("cat0");

        var result = index.Retrieve(Query(ContentEmbedding.ForInterests(["cats"], 16), seen.Filter(), hiddenCreators: ["c1"]), Now, TimeSpan.FromDays(1));
        var similar = result.Where(c => c.Source == CandidateSources.Similar).Select(c => c.Entry).ToList();

        Assert.Equal(5, similar.Count);
        Assert.All(similar, e => Assert.Equal("cats", e.Hashtags[0]));
        Assert.DoesNotContain(result, c => c.Entry.VideoId == "cat0" || c.Entry.CreatorId == "c1");
    }

    [Fact]
    public void Following_fresh_and_trending_sources_answer_in_the_same_pass()
    {
        var index = new CatalogIndex(TimeSpan.FromHours(6), Now);
        index.Upsert(Video("old", "alice", "s1", "cats", ageHours: 100), null, Now);
        index.Upsert(Video("new", "bob", "s2", "cars", ageHours: 1), null, Now);
        index.Upsert(Video("hot", "carol", "s3", "dance", ageHours: 50), new Dictionary<string, float> { ["US"] = 10f }, Now);

        var result = index.Retrieve(Query(new float[16], following: ["alice"]), Now, TimeSpan.FromDays(2));

        Assert.Contains(result, c => c.Source == CandidateSources.Following && c.Entry.VideoId == "old");
        Assert.Equal("new", result.Where(c => c.Source == CandidateSources.Fresh).First().Entry.VideoId);
        Assert.Contains(result, c => c.Source == CandidateSources.Trending && c.Entry.VideoId == "hot" && c.Trend > 9f);
        Assert.DoesNotContain(result, c => c.Source == CandidateSources.Similar); // no interest yet: no similarity source
    }

    [Fact]
    public void Merging_partitions_keeps_the_global_top_k_per_source_as_one_partition_would()
    {
        // Two partitions with different decay landmarks (activated at different times) and one with the whole catalogue.
        var whole = new CatalogIndex(TimeSpan.FromHours(6), Now.AddHours(-30));
        var parts = new[] { new CatalogIndex(TimeSpan.FromHours(6), Now.AddHours(-30)), new CatalogIndex(TimeSpan.FromHours(6), Now.AddHours(-2)) };
        var tags = new[] { "cats", "cars", "dance" };
        for (var i = 0; i < 60; i++)
        {
            // Five cats videos for a top 5 of similar: the 8-bit scan may swap videos whose similarities
            // lie within its error, which is not what this test is about (CatalogIndexTests bounds it).
            var video = Video($"v{i}", $"c{i % 7}", $"s{i}", i < 5 ? "cats" : tags[1 + i % 2], ageHours: 1 + i * 1.5);
            var popularity = new Dictionary<string, float> { ["US"] = 1 + (i * 37 % 11) };
            var at = Now.AddMinutes(-(i * 13 % 90));
            whole.Upsert(video, popularity, at);
            parts[i % 2].Upsert(video, popularity, at);
        }
        var query = Query(ContentEmbedding.ForInterests(["cats"], 16), following: ["c1", "c2"]);

        var merged = CandidateMerger.Merge(parts.Select(p => p.Retrieve(query, Now, TimeSpan.FromDays(1))), _ => false, query.PerSource);
        var single = CandidateMerger.Merge([whole.Retrieve(query, Now, TimeSpan.FromDays(1))], _ => false, query.PerSource);

        Assert.Equal(single.Select(c => (c.Entry.VideoId, c.Source)).Order(), merged.Select(c => (c.Entry.VideoId, c.Source)).Order());
        Assert.True(merged.Count <= 4 * query.PerSource); // similar, following, trending, fresh: k each at most
    }

    [Fact]
    public void Trending_decays_with_time_so_recent_engagement_wins()
    {
        var index = new CatalogIndex(TimeSpan.FromHours(1), Now.AddDays(-1));
        index.Upsert(Video("yesterday", "a", "s1", "x"), new Dictionary<string, float> { ["US"] = 100f }, Now.AddHours(-10));
        index.Upsert(Video("today", "b", "s2", "y"), new Dictionary<string, float> { ["US"] = 1f }, Now);

        var top = index.Trending("US", null, 2, Now);
        Assert.Equal("today", top[0].Entry.VideoId);
        Assert.Equal(100.0 / 1024, top[1].Score, 3); // ten half-lives later
        Assert.Empty(index.Trending("DE", null, 2, Now));
    }

    [Fact]
    public void Trending_survives_a_landmark_rebase_far_in_the_future()
    {
        var start = Now.AddDays(-40);
        var index = new CatalogIndex(TimeSpan.FromHours(1), start);
        index.Upsert(Video("a", "a", "s1", "x"), new Dictionary<string, float> { ["US"] = 1f }, start);
        index.Upsert(Video("b", "b", "s2", "y"), new Dictionary<string, float> { ["US"] = 1f }, Now); // 960 half-lives: forces a rebase
        var top = index.Trending("US", null, 2, Now);
        Assert.Equal("b", top[0].Entry.VideoId);
        Assert.Equal(1.0, top[0].Score, 3);
        Assert.True(double.IsFinite(top[1].Score));
    }

    private static ScoredCandidate Scored(string id, string creator, string sound, float score, string source = "similar") =>
        new() { Entry = Video(id, creator, sound, "t"), Source = source, Score = score };

    [Fact]
    public void Composer_never_puts_the_same_creator_or_sound_back_to_back_even_across_pages()
    {
        var ranked = new List<ScoredCandidate>
        {
            Scored("1", "ana", "s1", 0.9f), Scored("2", "ana", "s2", 0.8f), Scored("3", "bob", "s1", 0.7f),
            Scored("4", "bob", "s3", 0.6f), Scored("5", "cid", "s4", 0.5f), Scored("6", "ana", "s5", 0.4f),
        };
        var composer = new FeedComposer(previousCreator: "cid", previousSound: null);
        composer.Fill(ranked, [], 6, 0);
        var picked = composer.Picked;

        Assert.Equal("1", picked[0].Entry.VideoId);
        for (var i = 1; i < picked.Count; i++)
        {
            Assert.NotEqual(picked[i - 1].Entry.CreatorId, picked[i].Entry.CreatorId);
            Assert.NotEqual(picked[i - 1].Entry.SoundId, picked[i].Entry.SoundId);
        }
        Assert.True(picked.Count(p => p.Entry.CreatorId == "ana") <= FeedComposer.MaxPerCreatorPerPage);
    }

    [Fact]
    public void Composer_places_exploration_items_and_returns_a_short_page_rather_than_break_a_rule()
    {
        var ranked = Enumerable.Range(0, 20).Select(i => Scored($"r{i}", $"c{i}", $"s{i}", 1f - i * 0.01f)).ToList();
        var explore = new List<ScoredCandidate> { Scored("x", "explorer", "sx", 0.1f, "fresh") };
        var composer = new FeedComposer(null, null);
        composer.Fill(ranked, explore, 10, FeedComposer.ExplorationSlots(10, 1));
        Assert.Equal(10, composer.Picked.Count);
        Assert.Equal("r0", composer.Picked[0].Entry.VideoId);
        Assert.Single(composer.Picked, p => p.Entry.VideoId == "x");

        var sameCreator = Enumerable.Range(0, 5).Select(i => Scored($"a{i}", "ana", $"s{i}", 0.5f)).ToList();
        var strict = new FeedComposer(null, null);
        strict.Fill(sameCreator, [], 5, 0);
        Assert.Single(strict.Picked);
    }

    [Theory]
    [InlineData(10, 1, 1)]
    [InlineData(20, 1, 2)]
    [InlineData(50, 1, 5)]
    [InlineData(3, 1, 0)]
    [InlineData(10, 0, 0)]
    public void Exploration_slots_are_pro_rata(int count, int perTen, int expected) =>
        Assert.Equal(expected, FeedComposer.ExplorationSlots(count, perTen));

    [Fact]
    public void Reasons_name_the_signal_that_put_the_item_there()
    {
        var context = RankingContexts.NewUser(Now, following: "ana");
        context.Hashtags.Add("t", 1f);
        Assert.Equal("because you liked #t", ReasonBuilder.For(Scored("1", "bob", "s", 1f), context));
        Assert.Equal("from @ana, whom you follow", ReasonBuilder.For(Scored("1", "ana", "s", 1f, "following"), context));
        Assert.Equal("popular in DE", ReasonBuilder.For(Scored("1", "bob", "s", 1f, "trending"), context));
        Assert.Equal("new: exploring", ReasonBuilder.For(Scored("1", "bob", "s", 1f, "fresh"), context));
    }

    [Fact]
    public void A_similar_items_reason_names_its_best_liked_hashtag_else_the_next_signal()
    {
        var context = RankingContexts.NewUser(Now);
        ScoredCandidate Tagged(string creator, string source, params string[] tags) =>
            new() { Entry = Video("1", creator, "s", tags[0]) with { Hashtags = tags }, Source = source };
        context.Hashtags.Add("cooking", 0.5f);
        context.Hashtags.Add("cats", 2f);
        context.Hashtags.Add("dogs", 2f);
        context.Hashtags.Add("cars", -3f);

        Assert.Equal("because you liked #cats", ReasonBuilder.For(Tagged("bob", "similar", "cooking", "cats", "dogs"), context)); // the first of the best
        Assert.Equal("because you liked #dogs", ReasonBuilder.For(Tagged("bob", "similar", "cars", "dogs"), context));
        Assert.Equal("people who liked what you liked also liked this", ReasonBuilder.For(Tagged("bob", "related", "cars"), context));
        context.Creators.Add("eve", 1f);
        Assert.Equal("because you watched @eve", ReasonBuilder.For(Tagged("eve", "similar", "cars", "dance"), context));
        Assert.Equal("because you're into #dance", ReasonBuilder.For(Tagged("bob", "similar", "cars", "dance"), context));
        Assert.Equal("similar to videos you watched", ReasonBuilder.For(Tagged("bob", "similar", "cars", "opera"), context));
    }
}
