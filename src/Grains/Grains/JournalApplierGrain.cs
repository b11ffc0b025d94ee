using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTok.Journal;
using OrleansTok.Model;
using OrleansTok.Recommendation;
using OrleansTok.State;
using OrleansTok.Streams;
using OrleansTok.Telemetry;

namespace OrleansTok.Grains;

/// <summary>
/// Applies one journal partition. It claims waiting records as a numbered batch, commits the
/// counter deltas of its videos and creators to PostgreSQL in one statement, then hands each video
/// its signals and each creator its summed delta, and only then moves on. Committed totals carry
/// the last batch per partition, so after a crash the partition replays every claimed batch from
/// its last recorded point and the commit skips what each consumer already holds: exactly once in
/// effect.
/// </summary>
public sealed partial class JournalApplierGrain : Grain, IJournalApplierGrain, IRemindable
{
    /// <summary>
    /// A durable wake-up: after a whole-cluster outage the reminder service (in PostgreSQL) brings
    /// every partition back even before any silo's watchdog or writer calls it.
    /// </summary>
    private const string WakeUp = "journal-wake-up";

    private readonly IPersistentState<JournalApplierState> _state;
    private readonly IInteractionJournal _journal;
    private readonly JournalOptions _options;
    private readonly ILogger<JournalApplierGrain> _logger;
    private readonly CatalogReplica _catalog;
    private readonly EngagementWeights _weights;
    private readonly Queue<JournalRecord> _memory = new();
    private TaskCompletionSource? _belowLimit;
    private (long Batch, IReadOnlyList<JournalRecord> Records)? _inflight;
    private long _lastClaimed;
    private bool _recovered;
    private bool _pumping;
    private bool _again;
    private bool _stopping;
    private Task _pump = Task.CompletedTask;
    private int _failures;
    private DateTimeOffset _lastTrim = DateTimeOffset.MinValue;
    private Debounced<JournalApplierGrain> _write = null!;

    public JournalApplierGrain([PersistentState("journal-applier", StorageNames.Grains)] IPersistentState<JournalApplierState> state,
        IInteractionJournal journal, IOptions<JournalOptions> options, ILogger<JournalApplierGrain> logger,
        CatalogReplica catalog, IOptions<RecommendationOptions> recommendation)
    {
        _state = state;
        _journal = journal;
        _options = options.Value;
        _logger = logger;
        _catalog = catalog;
        _weights = recommendation.Value.Weights;
    }

    private int Partition => (int)this.GetPrimaryKeyLong();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (_journal.IsDurable)
        {
            try
            {
                await this.RegisterOrUpdateReminder(WakeUp, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Not fatal: the silos' watchdogs wake the partition too; the next activation registers again.
                LogReminderFailed(ex, Partition);
            }
        }
        // Only a durable journal has a position worth keeping.
        _write = new Debounced<JournalApplierGrain>(this, TimeSpan.FromSeconds(1), static g => g._journal.IsDurable ? g._state.WriteStateAsync() : Task.CompletedTask);
        // The poll keeps the partition active and catches records whose wake-up call was lost.
        this.RegisterGrainTimer(_ => { Pump(); return Task.CompletedTask; },
            new GrainTimerCreationOptions(_options.PollInterval, _options.PollInterval) { KeepAlive = true, Interleave = true });
        Pump();
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        Pump();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Lets the pump finish the batch in hand and claim no other, then records the position: a pump
    /// still running after its activation is gone would race the next activation for batch numbers.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _stopping = true;
        try
        {
            await _pump.WaitAsync(cancellationToken); // the pump catches its own failures
        }
        catch (OperationCanceledException)
        {
        }
        await _write.RunAsync();
    }

    public Task Kick()
    {
        Pump();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Takes the records, then holds the caller while more than <see cref="JournalOptions.MaxWaiting"/>
    /// wait: the appends behind it queue at this grain, so writers slow to the rate the partition applies.
    /// The pump keeps running meanwhile (its continuations are this activation's own work).
    /// </summary>
    public async Task Enqueue(IReadOnlyList<JournalRecord> records)
    {
        foreach (var r in records) _memory.Enqueue(r);
        Pump();
        while (_memory.Count > _options.MaxWaiting)
        {
            await (_belowLimit ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    public Task<JournalProgress> GetProgress() =>
        Task.FromResult(new JournalProgress(Partition, _state.State.AppliedBatch, _state.State.AppliedRecords,
            _memory.Count + (_inflight?.Records.Count ?? 0)));

    /// <summary>One pump at a time, running on the grain's scheduler; calls that arrive meanwhile ask it to go round again.</summary>
    private void Pump()
    {
        if (_pumping)
        {
            _again = true;
            return;
        }
        _pumping = true;
        _pump = PumpAsync();
    }

    private async Task PumpAsync()
    {
        // The pump outlives the call that started it, usually one user's append: without this every
        // batch it applied carried that request's ids to each video and creator it called (log scopes
        // naming the wrong user, a request context copied into every message, ~10 % of what the silo
        // allocated under ingest). Cleared for this method's flow only: the caller keeps its own.
        RequestContext.Clear();
        try
        {
            do
            {
                _again = false;
                if (!_recovered) await RecoverAsync();
                while (await StepAsync())
                {
                }
                await TrimIfDueAsync();
            }
            while (_again);
            _failures = 0;
        }
        catch (Exception ex)
        {
            // Left for the next poll: the claimed batch stays in flight and is retried first.
            if (_failures++ % 10 == 0) LogApplyFailed(ex, Partition, _failures);
        }
        finally
        {
            _pumping = false;
        }
    }

    /// <summary>Replays every batch claimed after the last recorded one (consumers skip the ones they hold).</summary>
    private async Task RecoverAsync()
    {
        if (_journal.IsDurable)
        {
            var claimed = await _journal.ReadClaimedAsync(Partition, _state.State.AppliedBatch);
            foreach (var batch in claimed.GroupBy(r => r.Batch).OrderBy(g => g.Key))
            {
                await ApplyAsync(batch.Key, batch.Select(r => r.Record).ToList());
            }
            _lastClaimed = Math.Max(_state.State.AppliedBatch, await _journal.LastClaimedBatchAsync(Partition));
        }
        else
        {
            _lastClaimed = _state.State.AppliedBatch;
        }
        _recovered = true;
    }

    private async Task<bool> StepAsync()
    {
        if (_stopping) return false;
        if (_inflight is null)
        {
            var batch = _lastClaimed + 1;
            List<JournalRecord> records;
            if (_journal.IsDurable)
            {
                try
                {
                    records = (await _journal.ClaimAsync(Partition, batch, _options.BatchSize)).Select(r => r.Record).ToList();
                }
                catch (JournalBatchTakenException)
                {
                    // Someone else's batch under this number: replay what is claimed, then go on from there.
                    _recovered = false;
                    _again = true;
                    return false;
                }
            }
            else
            {
                var taken = new List<JournalRecord>(Math.Min(_memory.Count, _options.BatchSize));
                while (taken.Count < _options.BatchSize && _memory.TryDequeue(out var r)) taken.Add(r);
                records = taken;
                if (_belowLimit is { } waiting && _memory.Count <= _options.MaxWaiting)
                {
                    _belowLimit = null;
                    waiting.SetResult();
                }
            }
            if (records.Count == 0) return false;
            _lastClaimed = batch;
            _inflight = (batch, records);
        }
        var (number, inflight) = _inflight.Value;
        await ApplyAsync(number, inflight);
        _inflight = null;
        return true;
    }

    /// <summary>
    /// With a durable journal: counts every video's delta, commits all deltas (videos and creators)
    /// in one statement, and only then hands every consumer its share in memory. Committed first, a
    /// batch can never fall between a consumer activation that applied it in memory and one that
    /// restored its totals before the commit: whichever activation the share reaches either restored
    /// it or applies it. The commit skips rows that already include the batch, and consumers skip a
    /// batch they hold, so a batch retried or replayed after a crash counts once. On the embedded
    /// default there is nothing to commit and the videos count as they apply.
    /// </summary>
    private async Task ApplyAsync(long batch, IReadOnlyList<JournalRecord> records)
    {
        var id = new JournalBatchId(Partition, batch);
        var videos = records.GroupBy(r => r.Signal.VideoId, StringComparer.Ordinal)
            .Select(g => (Id: g.Key, Creator: g.First().CreatorId, Signals: (IReadOnlyList<VideoSignal>)g.Select(r => r.Signal).ToList()))
            .ToList();
        var deltas = _journal.IsDurable
            ? await CountAsync(videos)
            : await Task.WhenAll(videos.Select(v => GrainFactory.Get<IVideoGrain>(v.Id).ApplyJournal(id, v.Signals)));

        var perCreator = new Dictionary<string, CounterSet>(StringComparer.Ordinal);
        for (var i = 0; i < videos.Count; i++)
        {
            if (!perCreator.TryGetValue(videos[i].Creator, out var sum)) perCreator[videos[i].Creator] = sum = new CounterSet();
            sum.Add(deltas[i]);
        }
        var creators = perCreator.Where(kv => !kv.Value.IsZero).Select(kv => (Id: kv.Key, Delta: kv.Value.ToRecord())).ToList();

        if (_journal.IsDurable)
        {
            var committed = new List<CounterDelta>(videos.Count + creators.Count);
            for (var i = 0; i < videos.Count; i++)
            {
                if (deltas[i] != CounterRules.Zero) committed.Add(new CounterDelta(CounterOwner.Video, videos[i].Id, deltas[i]));
            }
            foreach (var (creator, delta) in creators) committed.Add(new CounterDelta(CounterOwner.Creator, creator, delta));
            await _journal.CommitCountersAsync(id, committed);
            await Task.WhenAll(videos.Select(v => GrainFactory.Get<IVideoGrain>(v.Id).ApplyJournal(id, v.Signals)));
        }
        await Task.WhenAll(creators.Select(c => GrainFactory.Get<ICreatorGrain>(c.Id).ApplyJournal(id, c.Delta)));

        var now = DateTimeOffset.UtcNow;
        OrleansTokMetrics.InteractionsApplied.Add(records.Count);
        foreach (var r in records) OrleansTokMetrics.JournalLag.Record(Math.Max(0, (now - r.AppendedAt).TotalMilliseconds));
        if (batch > _state.State.AppliedBatch)
        {
            _state.State.AppliedBatch = batch;
            _state.State.AppliedRecords += records.Count;
            _write.Schedule();
        }
    }

    /// <summary>
    /// Each video's counter delta for the batch, before any video has it. A video's counts depend
    /// only on its signals and its duration, which never changes, and a video in the silo's catalog
    /// replica exists: those are counted here. Only videos the replica does not hold (not yet
    /// replicated, removed from the catalogue, or a replica more than a second behind) are asked,
    /// where every video used to be: a grain call per video per batch, in front of the commit.
    /// </summary>
    private async Task<VideoCounters[]> CountAsync(List<(string Id, string Creator, IReadOnlyList<VideoSignal> Signals)> videos)
    {
        var entries = new Dictionary<string, CatalogEntry>(videos.Count, StringComparer.Ordinal);
        _catalog.Resolve(videos.ConvertAll(v => v.Id), entries);
        var deltas = new VideoCounters[videos.Count];
        List<Task>? asked = null;
        for (var i = 0; i < videos.Count; i++)
        {
            if (entries.TryGetValue(videos[i].Id, out var entry))
            {
                deltas[i] = CounterRules.Sum(videos[i].Signals, entry.DurationMs, _weights);
                continue;
            }
            var k = i;
            (asked ??= []).Add(Ask());
            async Task Ask() => deltas[k] = await GrainFactory.Get<IVideoGrain>(videos[k].Id).CountJournal(videos[k].Signals);
        }
        if (asked is not null) await Task.WhenAll(asked);
        return deltas;
    }

    private async Task TrimIfDueAsync()
    {
        if (!_journal.IsDurable || DateTimeOffset.UtcNow - _lastTrim < TimeSpan.FromMinutes(1)) return;
        _lastTrim = DateTimeOffset.UtcNow;
        await _write.RunAsync(); // never delete past the point a restarted partition would resume from
        await _journal.TrimAsync(Partition, _state.State.AppliedBatch, _options.Retention);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal partition {Partition} could not register its wake-up reminder")]
    private partial void LogReminderFailed(Exception exception, int partition);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal partition {Partition} could not apply its batch ({Failures} failures in a row); retrying")]
    private partial void LogApplyFailed(Exception exception, int partition, int failures);
}
