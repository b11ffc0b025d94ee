using OrleansTok.Model;
using OrleansTok.Recommendation;
using OrleansTok.State;

namespace OrleansTok.Tests.Core;

/// <summary>What recent pages showed, which later actions on their videos are joined to so the ranker learns from them.</summary>
public class ImpressionLogTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Video <paramref name="i"/> ranked with features that are exact at half precision and differ by <paramref name="page"/>.</summary>
    private static ScoredCandidate Served(int i, int page = 0)
    {
        var entry = new CatalogEntry($"v{i}", "c1", "s1", ["cats"], "", "en", 10_000, Now, ContentEmbedding.ForVideo(["cats"], "s1", "c1", 16), 0.2f, 0);
        var candidate = new ScoredCandidate { Entry = entry, Source = CandidateSources.Similar };
        candidate.Features[0] = 1f;
        for (var f = 1; f < Ranker.FeatureCount; f++) candidate.Features[f] = i + page * 0.5f + f / 16f;
        return candidate;
    }

    private static ScoredCandidate[] Page(int page, params int[] videos) => videos.Select(v => Served(v, page)).ToArray();

    [Fact]
    public void An_action_finds_the_features_its_video_was_ranked_with_on_that_page()
    {
        var log = ImpressionLog.Create(160);
        log.Record("r1", Page(1, 1, 2, 3));
        log.Record("r2", Page(2, 4, 5));

        Assert.Equal(Served(2, 1).Features.ToArray(), FeaturesOf(log, "r1", "v2"));
        Assert.Equal(Served(5, 2).Features.ToArray(), FeaturesOf(log, "r2", "v5"));
        var into = new float[Ranker.FeatureCount];
        Assert.False(log.TryGetFeatures("r1", "v5", into)); // shown, but not on the page the action names
        Assert.False(log.TryGetFeatures("r9", "v1", into)); // a page this user never read
        Assert.False(log.TryGetFeatures("r1", "v9", into));
    }

    [Fact]
    public void A_video_shown_on_two_pages_joins_the_page_the_action_names()
    {
        var log = ImpressionLog.Create(160);
        log.Record("r1", Page(1, 7));
        log.Record("r2", Page(2, 8, 7));

        Assert.Equal(Served(7, 1).Features.ToArray(), FeaturesOf(log, "r1", "v7"));
        Assert.Equal(Served(7, 2).Features.ToArray(), FeaturesOf(log, "r2", "v7"));
    }

    [Fact]
    public void The_oldest_items_make_room_for_the_newest()
    {
        var log = ImpressionLog.Create(25);
        for (var p = 0; p < 5; p++) log.Record($"r{p}", Page(p, Enumerable.Range(p * 10, 10).ToArray()));

        Assert.Equal(25, log.Count);
        var into = new float[Ranker.FeatureCount];
        Assert.False(log.TryGetFeatures("r2", "v24", into)); // the 26th newest item is gone
        Assert.Equal(Served(25, 2).Features.ToArray(), FeaturesOf(log, "r2", "v25"));
        Assert.Equal(Served(49, 4).Features.ToArray(), FeaturesOf(log, "r4", "v49"));
        Assert.Equal(Served(30, 3).Features.ToArray(), FeaturesOf(log, "r3", "v30"));
    }

    [Fact]
    public void The_log_survives_the_grain_state_serializer()
    {
        var state = new UserState { Impressions = ImpressionLog.Create(40) };
        for (var p = 0; p < 5; p++) state.Impressions.Record($"r{p}", Page(p, Enumerable.Range(p * 10, 10).ToArray())); // wrapped once

        var copy = GrainsSerializer.Instance.Deserialize<UserState>(GrainsSerializer.Instance.SerializeToArray(state))!;

        Assert.Equal((40, 40), (copy.Impressions.Capacity, copy.Impressions.Count));
        Assert.Equal(Served(12, 1).Features.ToArray(), FeaturesOf(copy.Impressions, "r1", "v12"));
        copy.Impressions.Record("r5", Page(5, 50));
        Assert.False(copy.Impressions.TryGetFeatures("r1", "v10", new float[Ranker.FeatureCount])); // the ring goes on where it stopped
        Assert.Equal(Served(11, 1).Features.ToArray(), FeaturesOf(copy.Impressions, "r1", "v11"));
    }

    /// <summary>
    /// A user's state as the layout before the flat log stored it (a list of per-page records, field
    /// 16): written by that build's serializer, with one page of one video, 7 served, journal mark 42
    /// and a liked video.
    /// </summary>
    private const string StateWithPageRecords =
        "IAADwQEhgAAAAAAAAAAAgQAAAAAAAAAA4CHgwQ8hMAExLNQuHVN0cmluZ0NvbXBhcmVyAAMBAeDgITgDAAMBAeDgITgDAAMBAeDgISA4AwADAQHg4AECAuAhIDgDAAMBAeDgAYHgISA4AwADAQHg4AGB4CEgAAkBAQABAAEAAeAhACEBAQABAAEAAQABAAEAAQABAAEAAQABAAEAAQABAAEAAeABAQEBAQEBQQECEOAhIOABAQECEOAhIAARgRBT8OJ9wCsXAAEAAQABAAEAAQABAAHgAQUBAiDgIcCNAQEBAiDgIcCNAQEBAhDgIQADIUAFcjEhgADg+PQ0Ud8IgQAAAAAAAAAA4CIAA0EFdjHgIQAZAQLwAALxAALyAALzAAL0AAL1AAL2AAL3AAL4AAL5AAL6AAL74ODgwQ/BAcEBAR0BAQEBIeABqeA=";

    [Fact]
    public void A_state_stored_with_page_records_loads_with_an_empty_log_and_everything_else()
    {

        var state = GrainsSerializer.Instance.Deserialize<UserState>(Convert.FromBase64String(StateWithPageRecords))!;

        Assert.Equal((true, 7L, 42L), (state.Exists, state.Served, state.JournalMark));
        Assert.True(state.Liked.Contains("v1"));
        Assert.Equal((RecommendationOptions.DefaultImpressionItems, 0), (state.Impressions.Capacity, state.Impressions.Count));
    }

    [Fact]
    public void Features_keep_three_significant_digits_and_the_bias_is_one()
    {
        var candidate = Served(1);
        float[] values = [0.7071f, -2.345f, 0.001234f, 9.876f];
        values.CopyTo(candidate.Features[1..]);
        var log = ImpressionLog.Create(16);
        log.Record("r1", [candidate]);

        var kept = FeaturesOf(log, "r1", "v1");
        Assert.Equal(1f, kept[0]);
        for (var f = 0; f < values.Length; f++) Assert.Equal(values[f], kept[f + 1], Math.Abs(values[f]) * 1e-3f);
    }

    [Fact]
    public void The_ranker_writes_its_bias_as_feature_zero_which_the_log_does_not_store()
    {
        var context = RankingContexts.NewUser(Now);
        var features = new float[Ranker.FeatureCount];
        Ranker.Features(Served(1), context, features);
        Assert.Equal(1f, features[0]);
    }

    private static float[] FeaturesOf(ImpressionLog log, string requestId, string videoId)
    {
        var features = new float[Ranker.FeatureCount];
        Assert.True(log.TryGetFeatures(requestId, videoId, features));
        return features;
    }
}
