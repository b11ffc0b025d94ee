using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using OrleansTok.Model;
using OrleansTok.Streams;

namespace OrleansTok.Tests.Core;

/// <summary>
/// The journal's record format: what round 24 slimmed (the interaction stored once, the user's
/// embedding at half precision) and that records written in the earlier shape, which may be
/// waiting in a journal at an upgrade, still read with their interaction and full embedding.
/// </summary>
public class JournalRecordFormatTests
{
    private static readonly IServiceProvider Services = new ServiceCollection()
        .AddSerializer(s => s.AddAssembly(typeof(JournalRecord).Assembly).AddAssembly(typeof(JournalRecordFormatTests).Assembly))
        .BuildServiceProvider();
    private static readonly Serializer Serializer = Services.GetRequiredService<Serializer>();

    private static readonly float[] Embedding = Enumerable.Range(0, 32).Select(i => MathF.Sin(i) * 0.7f).ToArray();
    private static readonly DateTimeOffset At = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_record_reads_back_the_interaction_it_was_derived_from()
    {
        var signal = new VideoSignal("e1", "u1", "v1", InteractionType.View, 4_200, At, 0, 0, 0.4f, HalfEmbedding.Pack(Embedding), "US", Counted: true, ["v7", "v9"]);
        var record = new JournalRecord("u1", "c1", signal, At.AddSeconds(1), FeedRequestId: "page-3");

        var read = Serializer.Deserialize<JournalRecord>(Serializer.SerializeToArray(record))!;

        Assert.Equal(new Interaction("e1", "v1", InteractionType.View, 4_200, "page-3", At), read.Interaction);
        Assert.Equal(["v7", "v9"], read.Signal.CoEngaged!);
        var user = new float[32];
        Assert.True(read.Signal.TryReadUserEmbedding(user));
        Assert.Equal(Embedding, user, (a, b) => MathF.Abs(a - b) <= 1e-3f);
    }

    [Fact]
    public void The_silo_local_handles_of_co_engaged_videos_never_reach_the_journal()
    {
        var plain = new VideoSignal("e1", "u1", "v1", InteractionType.Like, 9_000, At, 1, 0, 1.2f, HalfEmbedding.Pack(Embedding), "US", Counted: true, ["v7", "v9"]);
        var hinted = plain with { CoEngagedHandles = [7, 9], CoEngagedTable = 42 };
        var bytes = Serializer.SerializeToArray(new JournalRecord("u1", "c1", hinted, At, null));

        var read = Serializer.Deserialize<JournalRecord>(bytes)!;

        // Numbers in one silo's table mean nothing to whoever reads the record back: it goes by the ids.
        Assert.Null(read.Signal.CoEngagedHandles);
        Assert.Equal(0, read.Signal.CoEngagedTable);
        Assert.Equal(["v7", "v9"], read.Signal.CoEngaged!);
        Assert.Equal(Serializer.SerializeToArray(new JournalRecord("u1", "c1", plain, At, null)), bytes);
        // Inside the silo the signal is immutable and passed as is, handles included.
        Assert.Same(hinted, Services.GetRequiredService<DeepCopier>().Copy(hinted));
    }

    [Fact]
    public void The_embedding_travels_at_half_precision_and_the_record_shrinks_with_it()
    {
        var packed = HalfEmbedding.Pack(Embedding);
        Assert.Equal(64, packed.Length);
        var signal = new VideoSignal("e1", "u1", "v1", InteractionType.Like, 9_000, At, 1, 0, 1.2f, packed, "US", Counted: true);
        var slim = Serializer.SerializeToArray(new JournalRecord("u1", "c1", signal, At, null)).Length;
        var legacy = Serializer.SerializeToArray(Legacy(signal)).Length;

        // The earlier shape stored the interaction twice and the vector at five bytes a component.
        Assert.True(slim < legacy - 120, $"record {slim} B against {legacy} B in the earlier shape");
    }

    [Fact]
    public void A_record_in_the_earlier_shape_reads_with_its_interaction_and_full_embedding()
    {
        var signal = new VideoSignal("e2", "u2", "v2", InteractionType.Share, 0, At, 0, 0, 2f, [], "DE", Counted: true);
        var read = Serializer.Deserialize<JournalRecord>(Serializer.SerializeToArray(Legacy(signal, feedRequestId: "page-9")))!;

        Assert.Equal(new Interaction("e2", "v2", InteractionType.Share, 0, "page-9", At), read.Interaction);
        var user = new float[32];
        Assert.True(read.Signal.TryReadUserEmbedding(user));
        Assert.Equal(Embedding, user);
        Assert.False(read.Signal.TryReadUserEmbedding(new float[16]), "a vector of another size is not read");
    }

    private static LegacyJournalRecord Legacy(VideoSignal s, string? feedRequestId = null) => new(
        s.UserId, "c1", new Interaction(s.EventId, s.VideoId, s.Type, s.WatchMs, feedRequestId, s.At),
        new LegacyVideoSignal(s.EventId, s.UserId, s.VideoId, s.Type, s.WatchMs, s.At, s.LikeDelta, s.FavoriteDelta, s.Engagement,
            Embedding, s.UserCountry, s.Counted, s.CoEngaged, s.Impressions),
        At);
}

// The journal record and video signal as OrleansTok wrote them before round 24, field for field.
[GenerateSerializer, Immutable]
public sealed record LegacyJournalRecord(
    [property: Id(0)] string UserId,
    [property: Id(1)] string CreatorId,
    [property: Id(2)] Interaction Interaction,
    [property: Id(3)] LegacyVideoSignal Signal,
    [property: Id(4)] DateTimeOffset AppendedAt);

[GenerateSerializer, Immutable]
public sealed record LegacyVideoSignal(
    [property: Id(0)] string EventId,
    [property: Id(1)] string UserId,
    [property: Id(2)] string VideoId,
    [property: Id(3)] InteractionType Type,
    [property: Id(4)] int WatchMs,
    [property: Id(5)] DateTimeOffset At,
    [property: Id(6)] int LikeDelta,
    [property: Id(7)] int FavoriteDelta,
    [property: Id(8)] float Engagement,
    [property: Id(9)] float[] UserEmbedding,
    [property: Id(10)] string UserCountry,
    [property: Id(11)] bool Counted,
    [property: Id(12)] IReadOnlyList<string>? CoEngaged = null,
    [property: Id(13)] int Impressions = 0);
