using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansTok.Model;
using OrleansTok.Recommendation;
using OrleansTok.State;

namespace OrleansTok.Tests.Core;

/// <summary>A served page's record, which later actions on its videos are joined to so the ranker learns from them.</summary>
public class FeedImpressionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static ScoredCandidate Served(int i)
    {
        var entry = new CatalogEntry($"v{i}", "c1", "s1", ["cats"], "", "en", 10_000, Now, ContentEmbedding.ForVideo(["cats"], "s1", "c1", 16), 0.2f, 0);
        var candidate = new ScoredCandidate { Entry = entry, Source = CandidateSources.Similar };
        for (var f = 0; f < Ranker.FeatureCount; f++) candidate.Features[f] = i + f / 16f; // exact at half precision
        return candidate;
    }

    [Fact]
    public void An_action_finds_the_features_its_video_was_ranked_with_on_that_page()
    {
        var page = FeedImpression.Of("r1", Now, [Served(1), Served(2), Served(3)]);

        Assert.Equal(["v1", "v2", "v3"], page.VideoIds);
        Assert.Equal(Served(2).Features.ToArray(), FeaturesOf(page, "v2"));
        Assert.Equal(Served(3).Features.ToArray(), FeaturesOf(page, "v3"));
        Assert.False(page.TryGetFeatures("v4", new float[Ranker.FeatureCount])); // not on this page: nothing to learn from
    }

    [Fact]
    public void The_record_survives_the_grain_state_serializer()
    {
        var serializer = new ServiceCollection().AddSerializer(s => s.AddAssembly(typeof(UserState).Assembly))
            .BuildServiceProvider().GetRequiredService<Serializer>();
        var state = new UserState { Impressions = [FeedImpression.Of("r1", Now, [Served(1), Served(2)])] };

        var copy = serializer.Deserialize<UserState>(serializer.SerializeToArray(state))!;

        var page = Assert.Single(copy.Impressions);
        Assert.Equal(("r1", Now), (page.RequestId, page.At));
        Assert.Equal(Served(2).Features.ToArray(), FeaturesOf(page, "v2"));
    }

    [Fact]
    public void Features_keep_three_significant_digits()
    {
        var candidate = Served(1);
        float[] values = [0.7071f, -2.345f, 0.001234f, 9.876f];
        values.CopyTo(candidate.Features);
        var kept = FeaturesOf(FeedImpression.Of("r1", Now, [candidate]), "v1");
        for (var f = 0; f < values.Length; f++) Assert.Equal(values[f], kept[f], Math.Abs(values[f]) * 1e-3f);
    }

    private static float[] FeaturesOf(FeedImpression page, string videoId)
    {
        var features = new float[Ranker.FeatureCount];
        Assert.True(page.TryGetFeatures(videoId, features));
        return features;
    }
}
