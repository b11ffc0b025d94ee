using OrleansTok.Model;
using OrleansTok.Recommendation;
using OrleansTok.State;

namespace OrleansTok.Grains;

/// <summary>
/// A creator's aggregate: uploads and followers told by its videos and followers before they
/// acknowledge, engagement from the journal (summed per batch by the appliers, committed by them
/// exactly once, restored from there on activation).
/// </summary>
/// <remarks>
/// Uploads and follows arrive by direct calls, not by a stream: a memory stream loses what it queued
/// when its silo dies, so an acknowledged follow could go uncounted; and producing to a stream keyed
/// by creator gave every video and user activation its own stream directory (~1.3 KiB, heap dump).
/// </remarks>
public sealed class CreatorGrain([PersistentState("creator", StorageNames.Grains)] IPersistentState<CreatorState> state,
    Journal.IInteractionJournal journal) : Grain, ICreatorGrain
{
    private const int RecentCapacity = 50;
    private Debounced<CreatorGrain> _write = null!;
    private bool _dirty;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _write = new Debounced<CreatorGrain>(this, journal.IsDurable ? TimeSpan.FromSeconds(2) : Debounced.OnDeactivationOnly,
            static g => g.WriteIfDirtyAsync());
        if (journal.IsDurable)
        {
            await CommittedCounters.RestoreAsync(journal, Journal.CounterOwner.Creator, this.GetPrimaryKeyString(), state.State.Totals, state.State.Journal);
        }
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        Debounced.NothingToWrite(reason, journal.IsDurable) ? Task.CompletedTask : _write.RunAsync();

    public Task<CreatorSummary> GetSummary()
    {
        var s = state.State;
        var t = s.Totals;
        return Task.FromResult(new CreatorSummary(this.GetPrimaryKeyString(), s.Followers, s.Videos, s.Recent.ToArray(),
            t.Views, t.Completions, t.Likes, t.Shares, t.Comments, t.WatchTimeMs));
    }

    public Task RecordUpload(string videoId, float[] embedding)
    {
        var s = state.State;
        if (s.Recent.Contains(videoId)) return Task.CompletedTask;
        s.Videos++;
        s.Recent.Insert(0, videoId);
        if (s.Recent.Count > RecentCapacity) s.Recent.RemoveAt(s.Recent.Count - 1);
        // The creator's embedding is the running mean of their uploads.
        if (s.Embedding.Length != embedding.Length) s.Embedding = new float[embedding.Length];
        for (var i = 0; i < embedding.Length; i++) s.Embedding[i] += (embedding[i] - s.Embedding[i]) / s.Videos;
        MarkDirty();
        return Task.CompletedTask;
    }

    public Task ChangeFollowers(int delta)
    {
        state.State.Followers = Math.Max(0, state.State.Followers + delta);
        MarkDirty();
        return Task.CompletedTask;
    }

    private void MarkDirty()
    {
        _dirty = true;
        _write.Schedule();
    }

    /// <summary>
    /// In memory only. With a durable journal the applier committed the delta before it calls, and
    /// activation replaces totals and marks with the committed ones, so the change is not worth a
    /// write: under ingest every active creator wrote its row every 2 s for counters PostgreSQL
    /// already held. Embedded, the state is written on deactivation only, as before.
    /// </summary>
    public Task ApplyJournal(JournalBatchId batch, VideoCounters delta)
    {
        var s = state.State;
        if (s.Journal.Contains(batch)) return Task.CompletedTask;
        s.Totals.Add(delta);
        s.Journal.Set(batch);
        if (!journal.IsDurable) _dirty = true;
        return Task.CompletedTask;
    }

    private async Task WriteIfDirtyAsync()
    {
        if (!_dirty) return;
        _dirty = false;
        await state.WriteStateAsync();
    }
}
