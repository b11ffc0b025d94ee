using Microsoft.Extensions.Options;
using OrleansTok.Grains;
using OrleansTok.Model;

namespace OrleansTok.Journal;

/// <summary>
/// The embedded default: records go straight into the memory of their partition's applier grain.
/// Nothing survives the process, which is the embedded default's promise for all state anyway.
/// </summary>
public sealed class MemoryJournal(IGrainFactory grains, IOptions<JournalOptions> options) : IInteractionJournal
{
    public bool IsDurable => false;

    public async Task<long> AppendAsync(IReadOnlyList<JournalRecord> records)
    {
        var partitions = options.Value.Partitions;
        await Task.WhenAll(records.GroupBy(r => JournalPartitioning.Of(r.Signal.VideoId, partitions))
            .Select(g => grains.GetGrain<IJournalApplierGrain>(g.Key).Enqueue(g.ToList())));
        return 0;
    }

    public Task<IReadOnlyList<StoredRecord>> ReadUserAsync(string userId, long afterId) => Task.FromResult<IReadOnlyList<StoredRecord>>([]);

    public Task<long> LastClaimedBatchAsync(int partition) => Task.FromResult(0L);

    public Task<IReadOnlyList<StoredRecord>> ReadClaimedAsync(int partition, long afterBatch) => Task.FromResult<IReadOnlyList<StoredRecord>>([]);

    public Task<IReadOnlyList<StoredRecord>> ClaimAsync(int partition, long batch, int max) => Task.FromResult<IReadOnlyList<StoredRecord>>([]);

    public Task TrimAsync(int partition, long appliedBatch, TimeSpan retention) => Task.CompletedTask;

    public Task CommitCountersAsync(JournalBatchId batch, IReadOnlyList<CounterDelta> deltas) => Task.CompletedTask;

    public Task<AppliedCounters?> ReadCountersAsync(CounterOwner owner, string id) => Task.FromResult<AppliedCounters?>(null);

    public Task<AppliedCounters?> SeedCountersAsync(CounterOwner owner, string id, AppliedCounters fromState) => Task.FromResult<AppliedCounters?>(null);
}
