using OrleansTok.Grains;
using OrleansTok.Model;
using OrleansTok.Recommendation;

namespace OrleansTok.Tests.Core;

/// <summary>A silo's catalogue replica, fed by the partitions' change feeds, answers what the partitions would.</summary>
public class LocalCatalogTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly string[] Tags = ["cats", "cars", "dance"];

    private static CatalogEntry Video(int i, string? creator = null) =>
        new($"v{i}", creator ?? $"c{i % 7}", $"s{i % 5}", [Tags[i % 3]], "", "en", 10_000, Now.AddHours(-1 - i % 40),
            ContentEmbedding.ForVideo([Tags[i % 3]], $"s{i % 5}", creator ?? $"c{i % 7}", 16), 0.2f, 0);

    private static Dictionary<string, float> Popularity(int i) => new() { ["US"] = 1 + i * 7 % 13, ["DE"] = 1 + i % 3 };

    private static RetrievalQuery Query() =>
        new(ContentEmbedding.ForInterests(["cats"], 16), "en", "US", ["c1", "c3"], [], [], null, 12);

    private static List<(string, string, float)> Answer(IEnumerable<IReadOnlyList<Candidate>> batches) =>
        [.. CandidateMerger.Merge(batches, _ => false, 12).Select(c => (c.Entry.VideoId, c.Source, MathF.Round(c.Trend, 3))).Order()];

    private static void Pull(LocalCatalog replica, CatalogIndex[] partitions)
    {
        for (var p = 0; p < partitions.Length; p++) replica.Apply(p, partitions[p].ChangesSince(replica.CursorOf(p)));
    }

    [Fact]
    public void Replica_follows_uploads_popularity_and_removals_and_answers_as_the_partitions_do()
    {
        // Partitions activated at different times (different decay landmarks), the replica at a third.
        var partitions = new[] { new CatalogIndex(TimeSpan.FromHours(6), Now.AddHours(-20)), new CatalogIndex(TimeSpan.FromHours(6), Now.AddHours(-3)) };
        var replica = new LocalCatalog(TimeSpan.FromHours(6), Now.AddHours(-9));
        for (var i = 0; i < 40; i++) partitions[i % 2].Upsert(Video(i), Popularity(i), Now.AddMinutes(-i));
        Pull(replica, partitions);
        Assert.Equal(40, replica.Count);
        Assert.Equal(Answer(partitions.Select(p => p.Retrieve(Query(), Now, TimeSpan.FromDays(2)))), Answer([replica.Retrieve(Query(), Now, TimeSpan.FromDays(2))]));

        // Incremental: new uploads, engagement on old videos, removals.
        for (var i = 40; i < 50; i++) partitions[i % 2].Upsert(Video(i), null, Now);
        for (var i = 0; i < 10; i++) partitions[i % 2].Upsert(Video(i), new Dictionary<string, float> { ["US"] = 50 }, Now);
        partitions[0].Remove("v2");
        partitions[1].Remove("v3");
        Pull(replica, partitions);

        Assert.Equal(48, replica.Count);
        var expected = Answer(partitions.Select(p => p.Retrieve(Query(), Now, TimeSpan.FromDays(2))));
        Assert.Equal(expected, Answer([replica.Retrieve(Query(), Now, TimeSpan.FromDays(2))]));
        Assert.Contains(expected, c => c.Item1 == "v45"); // an upload made after the first pull is retrievable
        Assert.Equal(
            partitions.SelectMany(p => p.Trending("US", null, 5, Now)).OrderByDescending(t => t.Score).Take(5).Select(t => (t.Entry.VideoId, Math.Round(t.Score, 6))),
            replica.Trending("US", null, 5, Now).Select(t => (t.Entry.VideoId, Math.Round(t.Score, 6))));
    }

    [Fact]
    public void A_partition_restarted_without_some_videos_is_replaced_by_its_snapshot()
    {
        var partition = new CatalogIndex(TimeSpan.FromHours(6), Now);
        for (var i = 0; i < 10; i++) partition.Upsert(Video(i), null, Now);
        var replica = new LocalCatalog(TimeSpan.FromHours(6), Now);
        replica.Apply(0, partition.ChangesSince(null));
        var staleCursor = replica.CursorOf(0);

        // The partition comes back (a new activation: a new epoch) holding only v0..v5, v3 with another creator.
        var restarted = new CatalogIndex(TimeSpan.FromHours(6), Now);
        for (var i = 0; i < 6; i++) restarted.Upsert(Video(i, creator: i == 3 ? "newcomer" : null), null, Now);
        var changes = restarted.ChangesSince(staleCursor);
        Assert.True(changes.Full);
        replica.Apply(0, changes);

        Assert.Equal(6, replica.Count);
        var following = replica.Retrieve(new RetrievalQuery(new float[16], "en", "US", ["newcomer", "c1"], [], [], null, 10), Now, TimeSpan.FromDays(2))
            .Where(c => c.Source == CandidateSources.Following).Select(c => c.Entry.VideoId).Order().ToList();
        Assert.Equal(["v1", "v3"], following);

        // Nothing changed since: the next pull is empty and incremental.
        var next = restarted.ChangesSince(replica.CursorOf(0));
        Assert.False(next.Full);
        Assert.Empty(next.Changed);
        Assert.Empty(next.Removed);
    }
}
