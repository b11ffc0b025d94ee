using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using OrleansTok.Model;
using OrleansTok.Recommendation;
using OrleansTok.State;
using OrleansTok.Streams;

namespace OrleansTok.Grains;

/// <summary>
/// Owns one video: metadata, status, counters and its embedding, learned from every interaction.
/// Interactions arrive from the journal appliers, which commit its counters (exactly once); impression
/// counts arrive from the silos' impression batchers. Changes reach retrieval within a quarter
/// second through the catalog stream, gathered per silo by the <see cref="CatalogPublisher"/>.
/// </summary>
public sealed partial class VideoGrain : Grain, IVideoGrain
{
    /// <summary>
    /// The video's own state, read and written through the grain storage itself rather than an
    /// injected persistent-state facet: the facet joins the activation's lifecycle and migration
    /// (a lifecycle, its observers and delegates, a migration list: 0.2–0.3 KiB of every activated
    /// video, the most numerous grain, docs/benchmarks.md round 11). Same storage, state name and
    /// row as the facet used; a migrating activation writes on deactivation and the next reads it.
    /// </summary>
    private readonly GrainState<VideoState> _state = new(new VideoState());
    private const string StateName = "video";
    private readonly RecommendationOptions _options;
    /// <summary>Popularity gained since the last catalog update; created on the first gain (most activated videos never gain any).</summary>
    private Dictionary<string, float>? _pendingPopularity;
    private bool _changed;

    /// <summary>
    /// Whether the state's embedding went out in a catalog entry: entries are immutable and shared in
    /// the silo, so the next update to it copies it first. The retrieval index keeps the entry's array
    /// while it is unchanged: the copy taken for every entry was 152 B of every uploaded video's heap.
    /// </summary>
    private bool _embeddingPublished;
    /// <summary>
    /// The video's id: the upload's copy once there is one. Each decode of the grain key is a new
    /// string, and every positive interaction's pair-halves carried one; a field would hold a second
    /// copy in every activated video.
    /// </summary>
    private string Id => S.Upload?.Id ?? this.GetPrimaryKeyString();
    /// <summary>When this activation last published its whole entry to the catalog stream, in UTC ticks (0: not yet).</summary>
    private long _fullEntryPublishedTicks;
    /// <summary>
    /// The co-engagement neighbours, read from storage on first use rather than with the activation:
    /// most activated videos (uploads, page renders, counter reads) never need them, and a facet
    /// loaded with every activation cost ~0.4 KiB and one storage read each.
    /// </summary>
    private Task<CoEngagement>? _neighbours;
    /// <summary>The neighbours' row as last read or written (its etag); the list itself lives in <see cref="_neighbours"/>, by handle.</summary>
    private GrainState<VideoNeighboursState>? _neighboursRow;
    private const string NeighboursStateName = "video-neighbours";
    private readonly IGrainStorage _storage;
    /// <summary>Created by the first change to write: most activated videos (uploads, page renders) never make one.</summary>
    private Debounced<VideoGrain>? _write;
    /// <summary>Created with the neighbours: a video that never reads them never writes them.</summary>
    private Debounced<VideoGrain>? _writeNeighbours;
    private bool _dirty;
    private bool _neighboursDirty;

    private readonly bool _durableJournal;
    private readonly Journal.IInteractionJournal _journal;
    private readonly CoEngagementBatcher _coEngagement;
    private readonly IdPool _ids;
    private readonly VideoHandles _handles;
    /// <summary>This video's own handle, once it pairs with another or loads its neighbours (-1: not yet).</summary>
    private int _handle = -1;
    /// <summary>Set when deactivation starts: halves handed over from then on go by a call.</summary>
    private bool _detached;
    private readonly CatalogPublisher _catalog;
    private readonly Microsoft.Extensions.Logging.ILogger<VideoGrain> _logger;

    public VideoGrain([FromKeyedServices(StorageNames.Grains)] IGrainStorage storage, IOptions<RecommendationOptions> options, Journal.IInteractionJournal journal, CoEngagementBatcher coEngagement,
        IdPool ids, VideoHandles handles, CatalogPublisher catalog, Microsoft.Extensions.Logging.ILogger<VideoGrain> logger)
    {
        _catalog = catalog;
        _logger = logger;
        _coEngagement = coEngagement;
        _ids = ids;
        _handles = handles;
        _storage = storage;
        _options = options.Value;
        _journal = journal;
        _durableJournal = journal.IsDurable;
    }

    private VideoState S => _state.State!; // never null: set when the activation reads it

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await _storage.ReadStateAsync(StateName, GrainContext.GrainId, _state);
        _state.State ??= new VideoState();
        if (S.Upload is { } stored) S.Upload = Shared(stored);
        if (_durableJournal && S.Exists)
        {
            await CommittedCounters.RestoreAsync(_journal, Journal.CounterOwner.Video, Id, S.Counters, S.Journal);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _detached = true;
        if (_handle >= 0) _coEngagement.Detach(_handle, this);
        if (Debounced.NothingToWrite(reason, _durableJournal)) return;
        await (_write?.RunAsync() ?? WriteIfDirtyAsync());
        if (_writeNeighbours is { } writeNeighbours) await writeNeighbours.RunAsync();
    }

    public async Task<CommandStatus> Upload(VideoUpload upload)
    {
        if (S.Exists)
        {
            // A client retrying an upload it got no answer for (a 503 after this state was written,
            // say the creator's grain could not be activated) has it completed rather than refused:
            // the partition's apply and the creator's record of an upload are both idempotent.
            if (S.Status != VideoStatus.Active || !RepeatsStoredUpload(upload)) return CommandStatus.Conflict;
            await AnnounceAsync(S.Upload!);
            return CommandStatus.Ok;
        }
        if (!await GrainFactory.Get<IUserGrain>(upload.CreatorId).Exists()) return CommandStatus.NotFound;

        S.Exists = true;
        S.Upload = upload = Shared(upload);
        S.Status = VideoStatus.Active;
        S.Embedding = ContentEmbedding.ForVideo(upload.Hashtags, upload.SoundId, upload.CreatorId, _options.Dimension);
        await WriteStateAsync();
        await AnnounceAsync(upload);
        return CommandStatus.Ok;
    }

    /// <summary>Whether <paramref name="upload"/> is the stored one again (its upload time is the request's, so it is left out).</summary>
    private bool RepeatsStoredUpload(VideoUpload upload) => S.Upload is { } stored
        && stored.Id == upload.Id && stored.CreatorId == upload.CreatorId && stored.Caption == upload.Caption
        && stored.SoundId == upload.SoundId && stored.Language == upload.Language && stored.DurationMs == upload.DurationMs
        && stored.Hashtags.SequenceEqual(upload.Hashtags, StringComparer.Ordinal);

    /// <summary>Tells retrieval and the creator of the stored upload.</summary>
    private async Task AnnounceAsync(VideoUpload upload)
    {
        var entry = Entry();
        var update = new CatalogUpdate(CatalogChange.Upsert, upload.Id, entry, null, upload.UploadedAt);
        // Straight to the retrieval partition: behind a backlog of popularity updates the catalog
        // stream took seconds to deliver uploads (docs/benchmarks.md). The stream carries the upload
        // only if this call failed. A copy sent every time repeated what the partition held already,
        // and each copy stayed in the silo's stream cache for its purge window (~0.4 KiB an upload).
        var delivered = true;
        try
        {
            await CatalogPartition().Apply(update);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogDirectUploadFailed(_logger, upload.Id, e.Message);
            delivered = false;
        }
        await Task.WhenAll(
            delivered ? Task.CompletedTask : _catalog.PublishNowAsync(update),
            GrainFactory.Get<ICreatorGrain>(upload.CreatorId).RecordUpload(upload.Id, entry.Embedding));
    }

    public Task<VideoDetails?> GetDetails()
    {
        if (!S.Exists) return Task.FromResult<VideoDetails?>(null);
        var counters = S.Counters.ToRecord();
        return Task.FromResult<VideoDetails?>(new VideoDetails(S.Upload!, S.Status, counters, CounterRules.Rates(counters)));
    }

    public Task<CatalogEntry?> GetEntry() => Task.FromResult(S.Exists ? Entry() : null);

    public async Task<CommandStatus> SetStatus(VideoStatus status)
    {
        if (!S.Exists) return CommandStatus.NotFound;
        if (S.Status == status) return CommandStatus.Ok;
        S.Status = status;
        await WriteStateAsync();
        _dirty = false;
        // Eligibility changes go out at once: a removed video must leave every feed now.
        var update = status == VideoStatus.Active
            ? new CatalogUpdate(CatalogChange.Upsert, S.Upload!.Id, Entry(), null, DateTimeOffset.UtcNow)
            : new CatalogUpdate(CatalogChange.Remove, S.Upload!.Id, null, null, DateTimeOffset.UtcNow);
        await _catalog.PublishNowAsync(update);
        return CommandStatus.Ok;
    }

    /// <summary>Impression counts from the silos' batchers (derived data, at most once); interactions come through the journal only.</summary>
    public Task AddImpressions(VideoSignal impressions)
    {
        if (!impressions.IsImpression || !S.Exists || !S.RecentEvents.Add(impressions.EventId)) return Task.CompletedTask;
        S.Counters.Add(CounterRules.Delta(impressions, S.Upload!.DurationMs, _options.Weights));
        Learn(impressions);
        ScheduleWrite();
        PublishIfChanged();
        return Task.CompletedTask;
    }

    public Task<VideoCounters> CountJournal(IReadOnlyList<VideoSignal> signals) => Task.FromResult(Count(signals));

    private VideoCounters Count(IReadOnlyList<VideoSignal> signals) =>
        S.Exists ? CounterRules.Sum(signals, S.Upload!.DurationMs, _options.Weights) : CounterRules.Zero;

    public Task<VideoCounters> ApplyJournal(JournalBatchId batch, IReadOnlyList<VideoSignal> signals) =>
        _neighbours is not { IsCompletedSuccessfully: true } && S.Exists && CountsCoEngagement(signals)
            ? ApplyAfterLoadingNeighboursAsync(batch, signals)
            : Task.FromResult(Apply(batch, signals));

    private async Task<VideoCounters> ApplyAfterLoadingNeighboursAsync(JournalBatchId batch, IReadOnlyList<VideoSignal> signals)
    {
        try
        {
            await NeighboursAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The batch's counters are committed already and must reach this activation now; its
            // pairs are derived data and are skipped while storage cannot be read.
            LogNeighboursUnavailable(_logger, Id, e.Message);
        }
        return Apply(batch, signals);
    }

    private VideoCounters Apply(JournalBatchId batch, IReadOnlyList<VideoSignal> signals)
    {
        var delta = Count(signals);
        if (!S.Exists || S.Journal.Contains(batch)) return delta; // a replay: the creator still needs the same delta

        // In memory only; with a durable journal the delta is committed already, so an activation
        // that restores from the committed totals either holds this batch or is sent it.
        S.Counters.Add(delta);
        foreach (var signal in signals) Learn(signal);
        S.Journal.Set(batch);
        ScheduleWrite();
        PublishIfChanged();
        return delta;
    }

    /// <summary>What a signal teaches the video beyond its counters: embedding, co-engagement, trending.</summary>
    private void Learn(VideoSignal signal)
    {
        Span<float> user = stackalloc float[S.Embedding.Length];
        if (signal.TryReadUserEmbedding(user))
        {
            if (_embeddingPublished)
            {
                S.Embedding = (float[])S.Embedding.Clone();
                _embeddingPublished = false;
            }
            EmbeddingLearner.Update(S.Embedding, user, signal.Engagement,
                _options.VideoLearningRate, _options.Regularization, _options.MaxNorm);
        }
        if (signal.CoEngaged is { Count: > 0 } coEngaged && signal.Engagement >= _options.CoEngagementThreshold)
        {
            RecordCoEngagement(coEngaged, signal.CoEngagedTable == _handles.Table ? signal.CoEngagedHandles : null);
        }
        var popularity = CounterRules.Popularity(signal);
        if (popularity > 0f)
        {
            _pendingPopularity ??= new Dictionary<string, float>(StringComparer.Ordinal);
            _pendingPopularity[signal.UserCountry] = _pendingPopularity.GetValueOrDefault(signal.UserCountry) + popularity;
        }
        _dirty = true;
        // An impression changes no rate, embedding or popularity: retrieval does not need to hear of it.
        if (!signal.IsImpression) _changed = true;
    }

    public async Task<IReadOnlyList<Neighbour>> GetNeighbours(int count) => (await NeighboursAsync()).Top(count);

    public async Task AddCoEngagements(IReadOnlyList<CoEngagedWith> others)
    {
        if (!S.Exists) return;
        CountHalves(await NeighboursAsync(), others);
    }

    /// <summary>
    /// Hands <paramref name="others"/> to this activation from its silo's co-engagement batcher, on any
    /// thread: they are counted on the activation's own scheduler, which may run them while a call
    /// awaits, as it would an interleaving call. Counting is synchronous and every await in this grain
    /// leaves the lists whole, so no call sees them half-changed.
    /// </summary>
    internal void Hand(CoEngagedWith[] others) =>
        GrainContext.Scheduler.QueueAction(static state => ((HandedHalves)state).Video.TakeHalves(((HandedHalves)state).Others), new HandedHalves(this, others));

    private sealed record HandedHalves(VideoGrain Video, CoEngagedWith[] Others);

    private void TakeHalves(CoEngagedWith[] others)
    {
        if (_detached || _neighbours is not { IsCompletedSuccessfully: true } loaded)
        {
            // Leaving the silo since the batcher looked: the halves take the call they would have,
            // which reaches the next activation.
            GrainFactory.Get<IVideoGrain>(Id).AddCoEngagements(others).Ignore();
            return;
        }
        if (S.Exists) CountHalves(loaded.Result, others);
    }

    private void CountHalves(CoEngagement co, IReadOnlyList<CoEngagedWith> others)
    {
        Span<int> partners = others.Count <= 64 ? stackalloc int[others.Count] : new int[others.Count];
        for (var i = 0; i < partners.Length; i++) partners[i] = _handles.Of(others[i].VideoId, others[i].Handle, others[i].Table);
        co.Touch(partners);
        for (var i = 0; i < partners.Length; i++) co.Add(partners[i], others[i].Positives, _options.NeighbourCapacity);
        _neighboursDirty = true;
        _writeNeighbours!.Schedule(); // created by the load
    }

    /// <summary>The neighbours, read on the first call; concurrent first calls (reads interleave) share one read.</summary>
    private async Task<CoEngagement> NeighboursAsync()
    {
        var load = _neighbours ??= LoadNeighboursAsync();
        try
        {
            return await load;
        }
        catch
        {
            // A failed read is forgotten here, not inside the load: a read that fails before its first
            // await would otherwise be stored as the activation's neighbours for good.
            if (ReferenceEquals(_neighbours, load)) _neighbours = null;
            throw;
        }
    }

    private async Task<CoEngagement> LoadNeighboursAsync()
    {
        var row = new GrainState<VideoNeighboursState>(new VideoNeighboursState());
        await _storage.ReadStateAsync(NeighboursStateName, GrainContext.GrainId, row);
        var co = CoEngagement.FromStored(row.State?.CoEngagement ?? new StoredCoEngagement(), _handles);
        row.State = null; // the list is held by handle from here; a write stores it by id again
        _neighboursRow = row;
        _writeNeighbours = Budgeted(static o => o.NeighboursDelay, static g => g.WriteNeighboursIfDirtyAsync());
        // State written before the count was kept beside the video's own state.
        if (co.Positives > S.CoPositives) S.CoPositives = co.Positives;
        if (!_detached)
        {
            if (_handle < 0) _handle = _handles.Of(Id);
            _coEngagement.Attach(_handle, this);
        }
        return co;
    }

    /// <summary>Whether applying <paramref name="signals"/> counts co-engagement, which needs the neighbours loaded.</summary>
    private bool CountsCoEngagement(IReadOnlyList<VideoSignal> signals)
    {
        foreach (var signal in signals)
        {
            if (signal.CoEngaged is { Count: > 0 } && signal.Engagement >= _options.CoEngagementThreshold) return true;
        }
        return false;
    }

    /// <summary>This video was engaged by a user who recently engaged <paramref name="others"/>: count both halves of each pair.</summary>
    private void RecordCoEngagement(IReadOnlyList<string> others, int[]? handles)
    {
        if (_neighbours is not { IsCompletedSuccessfully: true } loaded) return; // storage could not be read (ApplyJournal)
        var self = Id;
        var co = loaded.Result;
        _neighboursDirty = true;
        _writeNeighbours!.Schedule(); // created by the load
        co.CountPositive();
        S.CoPositives = Math.Max(S.CoPositives + 1, co.Positives);
        _changed = true; // retrieval normalises co-engagement by this count
        // Each partner's handle is looked up once, for both halves of the pair.
        if (_handle < 0) _handle = _handles.Of(self);
        Span<int> partners = others.Count <= 64 ? stackalloc int[others.Count] : new int[others.Count];
        var count = 0;
        if (handles?.Length != others.Count) handles = null; // a list from elsewhere names its videos by id only
        for (var i = 0; i < others.Count; i++)
        {
            var partner = handles is null ? _handles.Of(others[i]) : handles[i];
            if (partner != _handle) partners[count++] = partner;
        }
        partners = partners[..count];
        co.Touch(partners);
        foreach (var partner in partners) co.Add(partner, 0, _options.NeighbourCapacity);
        _coEngagement.Add(partners, new CoEngagedWith(self, S.CoPositives, _handle, _handles.Table));
    }

    /// <summary>
    /// Hands the change to the silo's publisher: one update per call, however many signals it held.
    /// Mostly the refreshed stats alone; the whole entry first after activation and then at least
    /// every <see cref="CatalogPublisher.FullEntryInterval"/>, so a partition that lost the video
    /// (restored from an older snapshot after a crash) has it back within that while it is watched.
    /// </summary>
    private void PublishIfChanged()
    {
        if (!_changed || !S.Exists || S.Status != VideoStatus.Active) return;
        _changed = false;
        var popularity = _pendingPopularity; // handed over whole: the update owns it from here
        _pendingPopularity = null;
        var now = DateTimeOffset.UtcNow;
        if (now.UtcTicks - _fullEntryPublishedTicks >= CatalogPublisher.FullEntryInterval.Ticks)
        {
            _fullEntryPublishedTicks = now.UtcTicks;
            _catalog.Publish(new CatalogUpdate(CatalogChange.Upsert, S.Upload!.Id, Entry(), popularity, now));
        }
        else _catalog.Publish(new CatalogUpdate(CatalogChange.Refresh, S.Upload!.Id, null, popularity, now, Stats()));
    }

    private async Task WriteNeighboursIfDirtyAsync()
    {
        if (!_neighboursDirty) return;
        _neighboursDirty = false;
        if (_neighbours is not { IsCompletedSuccessfully: true } loaded || _neighboursRow is not { } row) return;
        row.State = new VideoNeighboursState { CoEngagement = loaded.Result.ToStored() };
        try
        {
            await _storage.WriteStateAsync(NeighboursStateName, GrainContext.GrainId, row);
        }
        finally
        {
            row.State = null; // the copy by id is only for the write
        }
    }

    /// <remarks>
    /// With the embedded journal a write only carries the state across a deactivation, which
    /// writes anyway: writing every 2 s deep-copied each touched video into memory storage (8 % of
    /// the silo's CPU under ingest), and the pairs once a minute still cost ~12 % of grain work.
    /// </remarks>
    private void ScheduleWrite() =>
        (_write ??= Budgeted(static o => o.VideoDelay, static g => g.WriteIfDirtyAsync())).Schedule();

    /// <summary>
    /// A debounced write of one of this video's rows, drawing on the silo's write budget: looked up
    /// when the row's first write is scheduled rather than held by every activation (most never write).
    /// </summary>
    private Debounced<VideoGrain> Budgeted(Func<WriteBehindOptions, TimeSpan> delay, Func<VideoGrain, Task> write)
    {
        var budget = ServiceProvider.GetRequiredService<WriteBudget>();
        return new Debounced<VideoGrain>(this, _durableJournal ? delay(budget.Options) : Debounced.OnDeactivationOnly, write, budget);
    }

    private Task WriteStateAsync() => _storage.WriteStateAsync(StateName, GrainContext.GrainId, _state);

    private async Task WriteIfDirtyAsync()
    {
        if (!_dirty) return;
        _dirty = false;
        await WriteStateAsync();
    }

    private CatalogEntry Entry()
    {
        var u = S.Upload!;
        var stats = Stats();
        return new CatalogEntry(u.Id, u.CreatorId, u.SoundId, u.Hashtags, u.Caption, u.Language, u.DurationMs, u.UploadedAt,
            stats.Embedding, stats.Quality, stats.Views, stats.Positives);
    }

    private CatalogStats Stats()
    {
        var counters = S.Counters;
        _embeddingPublished = true;
        return new CatalogStats(S.Embedding, (float)CounterRules.Rates(counters.ToRecord()).Quality, counters.Views, S.CoPositives);
    }

    /// <summary>
    /// The upload with the silo's one copy of its creator, sound, language and hashtags: few distinct
    /// values, each of which every video held its own copy of, as its request or its stored state
    /// brought it (~0.1 KiB a video). The caption and the video's own id stay as they came.
    /// </summary>
    private VideoUpload Shared(VideoUpload u)
    {
        var hashtags = new string[u.Hashtags.Count];
        for (var i = 0; i < hashtags.Length; i++) hashtags[i] = _ids.Intern(u.Hashtags[i]);
        return u with { CreatorId = _ids.Intern(u.CreatorId), SoundId = _ids.Intern(u.SoundId), Language = _ids.Intern(u.Language), Hashtags = hashtags };
    }

    private int CatalogPartitionOf() => IdHash.Partition(Id, _options.CatalogPartitions);

    private ICatalogPartitionGrain CatalogPartition() => GrainFactory.CatalogPartition(CatalogPartitionOf());

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning,
        Message = "Upload {VideoId} could not reach its retrieval partition directly ({Reason}); the catalog stream delivers it")]
    private static partial void LogDirectUploadFailed(Microsoft.Extensions.Logging.ILogger logger, string videoId, string reason);

    [Microsoft.Extensions.Logging.LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Warning,
        Message = "Video {VideoId} applied a journal batch without its co-engagement pairs: its neighbours could not be read ({Reason})")]
    private static partial void LogNeighboursUnavailable(Microsoft.Extensions.Logging.ILogger logger, string videoId, string reason);
}
