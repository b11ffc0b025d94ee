using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using OrleansTok.Model;
using OrleansTok.Recommendation;
using OrleansTok.State;
using OrleansTok.Streams;

namespace OrleansTok.Grains;

/// <summary>
/// One retrieval partition: the eligible videos hashed to it, kept current by the catalog stream
/// (uploads, embedding and rate refreshes, popularity, removals). Feed requests query every
/// partition in parallel; the partition scores its videos with SIMD dot products in one pass.
/// </summary>
[ImplicitStreamSubscription(StreamNames.Catalog)]
public sealed class CatalogPartitionGrain : Grain, ICatalogPartitionGrain
{
    private readonly IPersistentState<CatalogPartitionState> _state;
    private readonly RecommendationOptions _options;
    private readonly TimeProvider _time;
    private CatalogIndex _index = null!;
    private Debounced<CatalogPartitionGrain> _write = null!;
    private bool _dirty;
    private readonly bool _durable;

    public CatalogPartitionGrain(
        [PersistentState("catalog", StorageNames.Grains)] IPersistentState<CatalogPartitionState> state,
        IOptions<RecommendationOptions> options,
        TimeProvider time,
        Journal.IInteractionJournal journal)
    {
        _durable = journal.IsDurable;
        _state = state;
        _options = options.Value;
        _time = time;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var landmark = _state.State.Videos.Count > 0 ? _state.State.Landmark : _time.GetUtcNow();
        _index = new CatalogIndex(_options.TrendingHalfLife, landmark, _options.ClusteredScan);
        foreach (var video in _state.State.Videos) _index.Restore(video);
        // The index is rebuilt from snapshots, so writes are batched: at most one every five seconds.
        // On the embedded default a write only carries the index across a deactivation, which writes
        // anyway: under ingest every partition was dirty, and each write copied its whole snapshot.
        _write = new Debounced<CatalogPartitionGrain>(this, _durable ? TimeSpan.FromSeconds(5) : Debounced.OnDeactivationOnly, static g => g.WriteIfDirtyAsync());
        await this.SubscribeOwnAsync<CatalogUpdates>(StreamNames.Catalog, OnUpdatesAsync);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        Debounced.NothingToWrite(reason, _durable) ? Task.CompletedTask : _write.RunAsync();

    public Task<CandidateBatch> Retrieve(RetrievalQuery query) =>
        Task.FromResult(new CandidateBatch(_index.Retrieve(query, _time.GetUtcNow(), _options.FreshWindow)));

    public Task<IReadOnlyList<TrendingVideo>> Trending(string? country, string? language, int count) =>
        Task.FromResult<IReadOnlyList<TrendingVideo>>(_index.Trending(country, language, count, _time.GetUtcNow()));

    public Task<int> Count() => Task.FromResult(_index.Count);

    public Task Apply(CatalogUpdate update) => ApplyUpdate(update);

    public Task<CatalogChanges> Changes(CatalogCursor? since) => Task.FromResult(_index.ChangesSince(since));

    private Task OnUpdatesAsync(CatalogUpdates batch)
    {
        var now = _time.GetUtcNow();
        foreach (var update in batch.Updates)
        {
            // From the video's change to here: the publisher's window plus the stream's delivery.
            OrleansTok.Telemetry.OrleansTokMetrics.CatalogStreamLag.Record(Math.Max(0, (now - update.At).TotalMilliseconds));
            ApplyUpdate(update);
        }
        return Task.CompletedTask;
    }

    private Task ApplyUpdate(CatalogUpdate update)
    {
        switch (update.Change)
        {
            case CatalogChange.Upsert when update.Entry is not null:
                _index.Upsert(update.Entry, update.PopularityByCountry, update.At);
                break;
            case CatalogChange.Refresh when update.Stats is not null:
                if (!_index.Refresh(update.VideoId, update.Stats, update.PopularityByCountry, update.At)) return Task.CompletedTask;
                break;
            case CatalogChange.Remove:
                _index.Remove(update.VideoId);
                break;
        }
        _dirty = true;
        _write.Schedule();
        return Task.CompletedTask;
    }

    private async Task WriteIfDirtyAsync()
    {
        if (!_dirty) return;
        _dirty = false;
        _state.State.Landmark = _index.Landmark;
        _state.State.Videos = [.. _index.Videos];
        await _state.WriteStateAsync();
    }
}

/// <summary>Trending for the public endpoint, from the silo's catalogue replica or, while that is not current, from every partition merged.</summary>
[StatelessWorker]
public sealed class TrendingGrain(IOptions<RecommendationOptions> options, CatalogReplica replica) : Grain, ITrendingGrain
{
    public async Task<IReadOnlyList<TrendingVideo>> GetTrending(string? country, string? language, int count)
    {
        if (replica.TryTrending(country, language, count, out var local)) return local;
        var partitions = Enumerable.Range(0, options.Value.CatalogPartitions)
            .Select(p => GrainFactory.CatalogPartition(p).Trending(country, language, count));
        var results = await Task.WhenAll(partitions);
        return results.SelectMany(r => r).OrderByDescending(t => t.Score).Take(count).ToList();
    }
}
