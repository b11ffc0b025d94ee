using OrleansTok.Model;
using OrleansTok.Recommendation;
using OrleansTok.State;
using OrleansTok.Streams;

namespace OrleansTok.Grains;

/// <summary>
/// A creator's aggregate: uploads and followers from its signal stream, engagement from the journal
/// (summed per batch by the appliers, committed by them exactly once, restored from there on activation).
/// </summary>
[ImplicitStreamSubscription(StreamNames.CreatorSignals)]
public sealed class CreatorGrain([PersistentState("creator", StorageNames.Grains)] IPersistentState<CreatorState> state,
    Journal.IInteractionJournal journal) : Grain, ICreatorGrain
{
    private const int RecentCapacity = 50;
    private Debounced _write = null!;
    private bool _dirty;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _write = new Debounced(this, journal.IsDurable ? TimeSpan.FromSeconds(2) : Debounced.OnDeactivationOnly, WriteIfDirtyAsync);
        if (journal.IsDurable)
        {
            await CommittedCounters.RestoreAsync(journal, Journal.CounterOwner.Creator, this.GetPrimaryKeyString(), state.State.Totals, state.State.Journal);
        }
        await this.SubscribeOwnAsync<CreatorSignal>(StreamNames.CreatorSignals, OnSignalAsync);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        // Embedded state dies with the process: a silo that stops has nothing worth writing (and its
        // memory storage grains may already be gone).
        reason.ReasonCode == DeactivationReasonCode.ShuttingDown && !journal.IsDurable ? Task.CompletedTask : _write.RunAsync();

    public Task<CreatorSummary> GetSummary()
    {
        var s = state.State;
        var t = s.Totals;
        return Task.FromResult(new CreatorSummary(this.GetPrimaryKeyString(), s.Followers, s.Videos, s.Recent.ToArray(),
            t.Views, t.Completions, t.Likes, t.Shares, t.Comments, t.WatchTimeMs));
    }

    private Task OnSignalAsync(CreatorSignal signal)
    {
        var s = state.State;
        switch (signal.Kind)
        {
            case CreatorSignalKind.Upload when signal.VideoId is not null && !s.Recent.Contains(signal.VideoId):
                s.Videos++;
                s.Recent.Insert(0, signal.VideoId);
                if (s.Recent.Count > RecentCapacity) s.Recent.RemoveAt(s.Recent.Count - 1);
                if (signal.Embedding is { } e)
                {
                    // The creator's embedding is the running mean of their uploads.
                    if (s.Embedding.Length != e.Length) s.Embedding = new float[e.Length];
                    for (var i = 0; i < e.Length; i++) s.Embedding[i] += (e[i] - s.Embedding[i]) / s.Videos;
                }
                break;
            case CreatorSignalKind.Follow:
                s.Followers = Math.Max(0, s.Followers + signal.FollowDelta);
                break;
            default:
                return Task.CompletedTask;
        }
        _dirty = true;
        _write.Schedule();
        return Task.CompletedTask;
    }

    /// <summary>In memory only; with a durable journal the applier committed the delta before it calls.</summary>
    public Task ApplyJournal(JournalBatchId batch, VideoCounters delta)
    {
        var s = state.State;
        if (s.Journal.Contains(batch)) return Task.CompletedTask;
        s.Totals.Add(delta);
        s.Journal.Set(batch);
        _dirty = true;
        _write.Schedule();
        return Task.CompletedTask;
    }

    private async Task WriteIfDirtyAsync()
    {
        if (!_dirty) return;
        _dirty = false;
        await state.WriteStateAsync();
    }
}
