using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using OrleansTok.Grains;
using OrleansTok.Model;
using OrleansTok.Streams;

namespace OrleansTok.Tests.Cluster;

[Collection(ClusterCollection.Name)]
public class CatalogStreamTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_window_of_thousands_of_updates_reaches_its_partitions_whole_through_the_stream()
    {
        // Under ingest a silo sends each partition thousands of updates per window, as one packed
        // stream event of hundreds of kilobytes (docs/benchmarks.md, round 32: smaller events cost more).
        var publisher = ((InProcessSiloHandle)fixture.Cluster.Primary!).SiloHost!.Services.GetRequiredService<CatalogPublisher>();
        var ids = Enumerable.Range(0, 3_000).Select(i => $"window-{i}-{Guid.NewGuid():N}").ToArray();
        var now = DateTimeOffset.UtcNow;
        var before = await ClusterFixture.CatalogSize(fixture.Grains); // other tests of the collection upload too
        for (var i = 0; i < ids.Length - 1; i++) publisher.Publish(Upsert(ids[i], now));
        await publisher.PublishNowAsync(Upsert(ids[^1], now));
        await Eventually.HoldsAsync(async () => await ClusterFixture.CatalogSize(fixture.Grains) == before + ids.Length,
            TimeSpan.FromSeconds(10), "every update of the window indexed");

        // As many removals in one window, which also leave the shared catalogue as it was.
        for (var i = 0; i < ids.Length - 1; i++) publisher.Publish(new CatalogUpdate(CatalogChange.Remove, ids[i], null, null, now));
        await publisher.PublishNowAsync(new CatalogUpdate(CatalogChange.Remove, ids[^1], null, null, now));
        await Eventually.HoldsAsync(async () => await ClusterFixture.CatalogSize(fixture.Grains) == before,
            TimeSpan.FromSeconds(10), "every removal applied");
    }

    private static CatalogUpdate Upsert(string id, DateTimeOffset at) =>
        new(CatalogChange.Upsert, id,
            new CatalogEntry(id, "window-creator", $"snd-{id}", ["window"], "a window's upload", "en", 10_000, at, new float[32], 0.5f, 0),
            null, at);
}
