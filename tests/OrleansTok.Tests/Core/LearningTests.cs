using OrleansTok.Model;
using OrleansTok.Recommendation;

namespace OrleansTok.Tests.Core;

public class LearningTests
{
    private static readonly EngagementWeights Weights = new();

    [Fact]
    public void Positive_engagement_pulls_user_towards_video_and_negative_pushes_away()
    {
        var video = ContentEmbedding.ForVideo(["cats"], "s1", "c1", 32);
        var user = ContentEmbedding.ForVideo(["dogs"], "s2", "c2", 32);
        var before = VectorMath.Dot(user, video);

        var liked = (float[])user.Clone();
        EmbeddingLearner.Update(liked, video, 1f, 0.25f, 0.001f, 2.5f);
        var rejected = (float[])user.Clone();
        EmbeddingLearner.Update(rejected, video, -2f, 0.25f, 0.001f, 2.5f);

        Assert.True(VectorMath.Dot(liked, video) > before + 0.05f);
        Assert.True(VectorMath.Dot(rejected, video) < before);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Non_finite_engagement_leaves_the_embedding_unchanged(float engagement)
    {
        var user = ContentEmbedding.ForInterests(["cats"], 16);
        var copy = (float[])user.Clone();
        Assert.False(EmbeddingLearner.Update(user, ContentEmbedding.ForVideo(["cats"], "s", "c", 16), engagement, 0.25f, 0f, 2.5f));
        Assert.Equal(copy, user);
    }

    [Fact]
    public void Non_finite_input_vector_is_rejected_and_norms_stay_bounded()
    {
        var user = ContentEmbedding.ForInterests(["cats"], 16);
        var poisoned = new float[16];
        poisoned[3] = float.NaN;
        Assert.False(EmbeddingLearner.Update(user, poisoned, 1f, 0.25f, 0f, 2.5f));
        Assert.True(VectorMath.AllFinite(user));

        var huge = Enumerable.Repeat(1e6f, 16).ToArray();
        for (var i = 0; i < 100; i++) EmbeddingLearner.Update(user, huge, 2f, 1f, 0f, 2.5f);
        Assert.True(VectorMath.AllFinite(user));
        Assert.True(VectorMath.Norm(user) <= 2.5f + 1e-4f);

        var session = new float[16];
        for (var i = 0; i < 100; i++) EmbeddingLearner.UpdateSession(session, huge, 2f, 0.7f, 2.5f);
        Assert.True(VectorMath.Norm(session) <= 2.5f + 1e-4f);
    }

    [Fact]
    public void Content_embeddings_are_deterministic_and_share_direction_with_shared_hashtags()
    {
        var a = ContentEmbedding.ForVideo(["cats", "funny"], "s1", "c1", 32);
        var b = ContentEmbedding.ForVideo(["cats", "funny"], "s1", "c1", 32);
        var cat = ContentEmbedding.ForVideo(["cats"], "s9", "c9", 32);
        var car = ContentEmbedding.ForVideo(["cars"], "s8", "c8", 32);
        Assert.Equal(a, b);
        Assert.True(VectorMath.Dot(a, cat) > VectorMath.Dot(a, car) + 0.2f);
    }

    [Theory]
    [InlineData(InteractionType.View, 9500, 10000, 1.0f)]   // completion
    [InlineData(InteractionType.View, 800, 10000, -0.8f)]   // fast skip
    [InlineData(InteractionType.Share, 0, 10000, 1.5f)]
    [InlineData(InteractionType.NotInterested, 0, 10000, -2.0f)]
    public void Engagement_signal_follows_the_weights(InteractionType type, int watchMs, int durationMs, float expected)
    {
        Assert.Equal(expected, EngagementModel.Signal(type, watchMs, durationMs, Weights), 3);
    }

    [Fact]
    public void Partial_views_lean_positive_past_a_third_and_negative_before()
    {
        Assert.True(EngagementModel.Signal(InteractionType.View, 6000, 10000, Weights) > 0f);
        Assert.True(EngagementModel.Signal(InteractionType.View, 2500, 10000, Weights) < 0f);
    }

    [Fact]
    public void Ranker_learns_from_joined_outcomes_and_stays_finite()
    {
        var weights = (float[])Ranker.PriorWeights.Clone();
        var features = new float[Ranker.FeatureCount];
        features[0] = 1f;
        features[7] = 1f; // following
        var before = Ranker.Score(weights, features);
        for (var i = 0; i < 50; i++) Ranker.Learn(weights, features, 0f, 0.1f, 0.001f);
        Assert.True(Ranker.Score(weights, features) < before - 0.1f);

        features[3] = float.NaN;
        var snapshot = (float[])weights.Clone();
        Ranker.Learn(weights, features, 1f, 0.1f, 0.001f);
        Assert.Equal(snapshot, weights);
    }

    [Theory]
    [InlineData(32, 32, 32)] // the embedding's length: one pass
    [InlineData(64, 64, 64)]
    [InlineData(12, 12, 12)] // not a whole number of vectors
    [InlineData(32, 16, 32)] // lengths that disagree score 0, as Dot does
    [InlineData(0, 0, 0)]
    public void Two_dot_products_in_one_pass_agree_with_one_at_a_time(int lengthA, int lengthB, int lengthC)
    {
        var random = new Random(lengthA * 31 + lengthB * 7 + lengthC);
        float[] Vector(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var (a, b, c) = (Vector(lengthA), Vector(lengthB), Vector(lengthC));

        var (da, db) = VectorMath.Dot2(a, b, c);

        Assert.Equal(VectorMath.Dot(a, c), da, 5);
        Assert.Equal(VectorMath.Dot(b, c), db, 5);
        if (lengthA == lengthC && lengthA > 0) Assert.NotEqual(0f, da);
    }
}
