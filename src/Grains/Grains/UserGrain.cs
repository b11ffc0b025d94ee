using System.Globalization;
using Microsoft.Extensions.Options;
using OrleansTok.Journal;
using OrleansTok.Model;
using OrleansTok.Recommendation;
using OrleansTok.State;
using OrleansTok.Streams;
using OrleansTok.Telemetry;

namespace OrleansTok.Grains;

/// <summary>
/// Owns one user: settings, long-term and session embeddings, controls, the seen set and recent
/// impressions. Interactions update it and are appended to the journal before the API answers
/// (read-your-writes, and durable); the journal applies them to videos and creators. The state
/// itself is written behind: after a crash the user replays its journal records past the mark.
/// Feed pages are assembled here from every retrieval partition.
/// </summary>
public sealed class UserGrain : Grain, IUserGrain
{
    /// <summary>Catalog entries of the last videos served (about thirteen pages), so most interactions need no call to the video.</summary>
    private const int EntryCacheCapacity = 128;

    private readonly IPersistentState<UserState> _state;
    private readonly RecommendationOptions _options;
    private readonly float[] _rankerPrior;
    private readonly TimeProvider _time;
    private readonly RecentEntries _entries = new(EntryCacheCapacity);

    /// <summary>Neighbour lists of the recent positives and when their fetch began, refetched (through the silo's <see cref="NeighbourCache"/>) when older than <see cref="RecommendationOptions.NeighbourRefresh"/>.</summary>
    private readonly Dictionary<string, (DateTimeOffset FetchedAt, IReadOnlyList<Neighbour> List)> _neighbours = new(StringComparer.Ordinal);

    /// <summary>The related scores last summed and the positives they were summed over: the next page reuses them while no list changed.</summary>
    private (string[] Positives, Dictionary<string, float> Scores)? _related;

    /// <summary>The related scores of a user with no recent positive: one object, so a candidate pool keyed on it matches.</summary>
    private static readonly Dictionary<string, float> NoRelated = new(StringComparer.Ordinal);

    /// <summary>The candidates of the last retrieval, which the next pages rank again while its inputs hold.</summary>
    private readonly CandidatePool _pool;

    /// <summary>Drops the pool once it is too old to serve, so an idle user holds none (re-armed by each fill).</summary>
    private IGrainTimer? _poolExpiry;

    /// <summary>Counts changes to what retrieval reads besides the interest: follows, hidden creators and sounds, recent positives.</summary>
    private long _controls;
    private readonly Debounced<UserGrain> _write;
    private bool _dirty;

    /// <summary>
    /// The journal refused an append this activation had already applied in memory. The memory is
    /// never written from then on: stored state plus the journal's replay is the truth, and a state
    /// that remembered the refused events' ids would answer their retry as a duplicate, acknowledged
    /// and never journaled (the PostgreSQL-restart fault test lost four views that way).
    /// </summary>
    private bool _refused;

    // One instance for the records and signals of an append: the serializer writes a string it has
    // already written in the same message as a back-reference, so a journal record holds the id once.
    private string? _userId;
    private string UserId => _userId ??= this.GetPrimaryKeyString();

    private readonly ImpressionBatcher _impressions;
    private readonly IInteractionJournal _journal;
    private readonly CatalogReplica _catalog;
    private readonly NeighbourCache _sharedNeighbours;
    private readonly VideoHandles _videoHandles;
    private readonly List<int> _recentHandles = []; // RecentHandles(): S.RecentPositives' handles in this silo
    private readonly Func<string, Task<IReadOnlyList<Neighbour>>> _fetchNeighbours;

    public UserGrain([PersistentState("user", StorageNames.Grains)] IPersistentState<UserState> state, IOptions<RecommendationOptions> options, TimeProvider time,
        ImpressionBatcher impressions, IInteractionJournal journal, CatalogReplica catalog, NeighbourCache sharedNeighbours, WriteBudget writes, VideoHandles videoHandles)
    {
        _videoHandles = videoHandles;
        _catalog = catalog;
        _sharedNeighbours = sharedNeighbours;
        _state = state;
        _impressions = impressions;
        _journal = journal;
        _options = options.Value;
        _rankerPrior = _options.RankerPriorWeights();
        _pool = new CandidatePool(_options.CandidatePoolMaxAge, _options.CandidatePoolMinCosine);
        _time = time;
        // Written behind: interactions are durable in the journal before they are acknowledged
        // (and replayed below); a lost page of impressions only means it may be served once more.
        // On the embedded default a write only carries the state across a deactivation, which writes
        // anyway: every 10 s, copying each active user into memory storage cost ~6 % of the silo's CPU.
        _write = new Debounced<UserGrain>(this, journal.IsDurable ? writes.Options.UserDelay : Debounced.OnDeactivationOnly, static g => g.WriteIfDirtyAsync(), writes);
        var perPositive = _options.NeighboursPerPositive;
        _fetchNeighbours = id => GrainFactory.Get<IVideoGrain>(id).GetNeighbours(perPositive);
    }

    private UserState S => _state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (S.Exists && S.RankerWeights.Length != Ranker.FeatureCount)
        {
            S.RankerWeights = (float[])_rankerPrior.Clone(); // the feature set changed since this state was written
        }
        if (S.Exists && S.Impressions.Capacity != _options.ImpressionItems) S.Impressions = ImpressionLog.Create(_options.ImpressionItems);
        if (S.Exists && _journal.IsDurable) await ReplayJournalAsync();
    }

    /// <summary>Re-applies acknowledged interactions the stored state does not include yet (it was written behind when the silo died).</summary>
    private async Task ReplayJournalAsync()
    {
        var missed = await _journal.ReadUserAsync(this.GetPrimaryKeyString(), S.JournalMark);
        if (missed.Count == 0) return;
        var entries = await ResolveAsync(missed.Select(r => r.Record.Interaction.VideoId));
        foreach (var stored in missed)
        {
            var e = stored.Record.Interaction;
            if (!S.Events.Contains(e.EventId) && entries.TryGetValue(e.VideoId, out var entry)) Apply(e, entry);
            S.JournalMark = Math.Max(S.JournalMark, stored.Id);
        }
        await WriteStateAsync();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        Debounced.NothingToWrite(reason, _journal.IsDurable) ? Task.CompletedTask : _write.RunAsync();

    public async Task<CommandStatus> Create(UserSettings settings)
    {
        if (S.Exists) return CommandStatus.Conflict;
        S.Exists = true;
        S.Settings = settings;
        S.CreatedAt = _time.GetUtcNow();
        StartFresh();
        await WriteStateAsync();
        return CommandStatus.Ok;
    }

    public Task<bool> Exists() => Task.FromResult(S.Exists);

    public Task<UserSummary?> GetSummary() => Task.FromResult(S.Exists
        ? new UserSummary(this.GetPrimaryKeyString(), S.Settings!, S.CreatedAt, S.Following.Count, S.HiddenCreators.Count,
            S.HiddenSounds.Count, S.Served, S.Watched, S.Interactions, S.Liked.Count)
        : null);

    public Task<UserProfile?> GetProfile()
    {
        if (!S.Exists) return Task.FromResult<UserProfile?>(null);
        static List<WeightedName> Strongest(TokenWeights tokens) => tokens.Weights
            .OrderByDescending(kv => MathF.Abs(kv.Value)).Take(12)
            .Select(kv => new WeightedName(kv.Key, Math.Round(kv.Value, 3))).ToList();
        return Task.FromResult<UserProfile?>(new UserProfile(this.GetPrimaryKeyString(), Strongest(S.Hashtags), Strongest(S.Creators),
            Strongest(S.Sounds), [.. S.Following], [.. S.HiddenCreators], [.. S.HiddenSounds], S.Served, S.Watched, S.Liked.Count, S.Interactions));
    }

    public async Task<CommandStatus> ResetFeed()
    {
        if (!S.Exists) return CommandStatus.NotFound;
        // Forget what was learned and seen; keep what the user explicitly chose
        // (settings, follows, hidden creators and sounds, likes, "not interested").
        StartFresh();
        await WriteStateAsync();
        _dirty = false;
        return CommandStatus.Ok;
    }

    public async Task<CommandStatus> Follow(string creatorId) => await ChangeFollow(creatorId, follow: true);

    public async Task<CommandStatus> Unfollow(string creatorId) => await ChangeFollow(creatorId, follow: false);

    private async Task<CommandStatus> ChangeFollow(string creatorId, bool follow)
    {
        if (!S.Exists) return CommandStatus.NotFound;
        if (!await GrainFactory.Get<IUserGrain>(creatorId).Exists()) return CommandStatus.UnknownCreator;
        var changed = follow ? S.Following.Add(creatorId) : S.Following.Remove(creatorId);
        if (!changed) return CommandStatus.Ok;
        _controls++;
        S.Creators.Add(creatorId, (follow ? 1f : -1f) * _options.Weights.Follow * 0.5f);
        await WriteStateAsync();
        _dirty = false;
        await GrainFactory.Get<ICreatorGrain>(creatorId).ChangeFollowers(follow ? 1 : -1);
        return CommandStatus.Ok;
    }

    public async Task<InteractionResult> Record(IReadOnlyList<Interaction> events)
    {
        RefuseIfStale();
        if (!S.Exists) return new InteractionResult(CommandStatus.NotFound, 0, 0, []);

        var fresh = new List<Interaction>(events.Count);
        var inBatch = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (inBatch.Add(e.EventId) && !S.Events.Contains(e.EventId)) fresh.Add(e);
        }
        var duplicates = events.Count - fresh.Count;

        // Resolve every video first: one unknown id rejects the whole batch and changes nothing.
        var entries = await ResolveAsync(fresh.Select(e => e.VideoId));
        var unknown = fresh.Select(e => e.VideoId).Where(id => !entries.ContainsKey(id)).Distinct().ToList();
        if (unknown.Count > 0) return new InteractionResult(CommandStatus.UnknownVideo, 0, duplicates, unknown);

        if (fresh.Count == 0) return new InteractionResult(CommandStatus.Ok, 0, duplicates, []);

        var userId = UserId;
        var now = _time.GetUtcNow();
        var records = new List<JournalRecord>(fresh.Count);
        foreach (var e in fresh)
        {
            var entry = entries[e.VideoId];
            records.Add(new JournalRecord(userId, entry.CreatorId, Apply(e, entry), now, e.FeedRequestId));
        }
        try
        {
            S.JournalMark = Math.Max(S.JournalMark, await _journal.AppendAsync(records));
        }
        catch
        {
            // Memory already holds interactions the journal refused: drop this activation, so the
            // next call starts again from storage and a retry of the same events is not a "duplicate".
            _refused = true;
            _dirty = false;
            DeactivateOnIdle();
            throw;
        }
        _dirty = true;
        _write.Schedule();
        OrleansTokMetrics.InteractionsAccepted.Add(fresh.Count);
        return new InteractionResult(CommandStatus.Ok, fresh.Count, duplicates, []);
    }

    private VideoSignal Apply(Interaction e, CatalogEntry entry)
    {
        S.Events.Add(e.EventId);
        S.Interactions++;
        S.Seen.Add(e.VideoId);
        int likeDelta = 0, favoriteDelta = 0;
        var learn = true;
        switch (e.Type)
        {
            case InteractionType.View:
                S.Watched++;
                break;
            case InteractionType.Like:
                likeDelta = S.Liked.Add(e.VideoId) ? 1 : 0;
                learn = likeDelta != 0; // liking twice is one like
                break;
            case InteractionType.Unlike:
                likeDelta = S.Liked.Remove(e.VideoId) ? -1 : 0;
                learn = likeDelta != 0;
                break;
            case InteractionType.Favorite:
                favoriteDelta = S.Favorited.Add(e.VideoId) ? 1 : 0;
                learn = favoriteDelta != 0;
                break;
            case InteractionType.NotInterested:
                S.NotInterested.Add(e.VideoId);
                break;
            case InteractionType.HideCreator:
                if (S.HiddenCreators.Add(entry.CreatorId)) _controls++;
                break;
            case InteractionType.HideSound:
                if (S.HiddenSounds.Add(entry.SoundId)) _controls++;
                break;
        }

        var engagement = learn ? EngagementModel.Signal(e.Type, e.WatchMs, entry.DurationMs, _options.Weights) : 0f;
        var userBefore = HalfEmbedding.Pack(S.Embedding);
        if (engagement != 0f) Learn(entry, engagement, e.FeedRequestId);

        IReadOnlyList<string>? coEngaged = null;
        int[]? coEngagedHandles = null;
        if (engagement >= _options.CoEngagementThreshold && !S.RecentPositives.Contains(e.VideoId))
        {
            coEngaged = S.RecentPositives.ToArray();
            coEngagedHandles = RecentHandles().ToArray();
            S.RecentPositives.Add(e.VideoId);
            _recentHandles.Add(_videoHandles.Of(e.VideoId));
            _controls++;
            if (S.RecentPositives.Count > _options.CoEngagementHistory)
            {
                S.RecentPositives.RemoveAt(0);
                _recentHandles.RemoveAt(0);
            }
        }
        return new VideoSignal(e.EventId, UserId, e.VideoId, e.Type, e.WatchMs, e.At,
            likeDelta, favoriteDelta, engagement, userBefore, S.Settings!.Country, Counted: true, coEngaged)
        {
            CoEngagedHandles = coEngagedHandles,
            CoEngagedTable = coEngagedHandles is null ? 0 : _videoHandles.Table,
        };
    }

    /// <summary>
    /// The silo's handles of the recent positives, in order (<see cref="VideoSignal.CoEngagedHandles"/>):
    /// each positive is looked up once when it joins, not by each video it is later paired with.
    /// Numbered again after activation, when the list is not held yet.
    /// </summary>
    private List<int> RecentHandles()
    {
        if (_recentHandles.Count != S.RecentPositives.Count)
        {
            _recentHandles.Clear();
            foreach (var id in S.RecentPositives) _recentHandles.Add(_videoHandles.Of(id));
        }
        return _recentHandles;
    }

    private void Learn(CatalogEntry entry, float engagement, string? feedRequestId)
    {
        EmbeddingLearner.Update(S.Embedding, entry.Embedding, engagement, _options.UserLearningRate, _options.Regularization, _options.MaxNorm);
        EmbeddingLearner.UpdateSession(S.Session, entry.Embedding, engagement, _options.SessionDecay, _options.MaxNorm);
        foreach (var tag in entry.Hashtags) S.Hashtags.Add(tag, engagement * 0.5f);
        S.Creators.Add(entry.CreatorId, engagement * 0.5f);
        S.Sounds.Add(entry.SoundId, engagement * 0.3f);

        // Join the action to the page that showed the video and teach the ranker what happened.
        if (feedRequestId is null) return;
        Span<float> features = stackalloc float[Ranker.FeatureCount];
        if (S.Impressions.TryGetFeatures(feedRequestId, entry.VideoId, features))
        {
            Ranker.Learn(S.RankerWeights, features, engagement > 0f ? 1f : 0f, _options.RankerLearningRate, _options.Regularization, _rankerPrior);
        }
    }

    public async Task<FeedPage?> GetFeed(FeedRequest request)
    {
        if (!S.Exists) return null;
        var now = _time.GetUtcNow();
        var context = new RankingContext
        {
            LongTerm = S.Embedding,
            Session = S.Session,
            Settings = S.Settings!,
            Following = S.Following,
            Hashtags = S.Hashtags,
            Creators = S.Creators,
            Sounds = S.Sounds,
            Now = now,
        };

        var interest = (float[])S.Embedding.Clone();
        VectorMath.AddScaled(interest, S.Session, 0.5f);
        var related = await RelatedAsync();
        var query = new RetrievalQuery(interest, S.Settings!.Language, S.Settings.Country, S.Following.ToArray(),
            S.HiddenCreators.ToArray(), S.HiddenSounds.ToArray(), S.Seen.Filter(),
            // Deep enough per source that the ranker's learned affinities, not the sources' own order,
            // decide the page, and the page's rules (creators, sounds, exploration) can still fill it:
            // 2× or 4× the page lost "liking cats brings cats" (FeedBehaviourTests); 8× keeps it.
            Math.Max(_options.CandidatesPerSource, 8 * request.Count), related);

        var candidates = FromPool(query, interest, related, request.Count) ?? await RetrieveAndPoolAsync(query, interest, related, now);
        Ranker.Rank(candidates, context, S.RankerWeights);
        var explore = Exploration.Order(candidates, Exploration.IsDebutPage(S.Served, request.Count));

        var composer = new FeedComposer(S.LastCreator, S.LastSound, request.Count);
        var slots = request.Explore ? FeedComposer.ExplorationSlots(request.Count, _options.ExplorationPerTen) : 0;
        composer.Fill(candidates, explore, request.Count, slots);

        List<ScoredCandidate>? recycled = null;
        if (composer.Picked.Count < request.Count)
        {
            // Everything eligible was seen: recycle, least recently seen first, with decayed scores.
            OrleansTokMetrics.RecycledPages.Add(1);
            recycled = CandidateMerger.Merge((await RetrieveAsync(query with { Exclude = null })).Batches,
                id => S.NotInterested.Contains(id) || !S.Seen.Contains(id), query.PerSource);
            Ranker.Rank(recycled, context, S.RankerWeights);
            foreach (var c in recycled)
            {
                var age = S.Seen.Age(c.Entry.VideoId);
                c.Recycled = true;
                c.Score *= 0.5f * (age == int.MaxValue ? 1f : Math.Min(1f, age / 512f));
            }
            recycled.Sort(static (a, b) => b.Score.CompareTo(a.Score));
            composer.Fill(recycled, [], request.Count, 0);
        }

        Remember(composer.Picked);
        var requestId = request.RequestId ?? Guid.NewGuid().ToString("N");
        var items = new List<FeedItem>(composer.Picked.Count);
        foreach (var c in composer.Picked)
        {
            c.Reason = ReasonBuilder.For(c, context);
            var e = c.Entry;
            items.Add(new FeedItem(e.VideoId, e.CreatorId, e.SoundId, e.Hashtags, e.Caption, Math.Round(c.Score, 4), c.Source, c.Reason, c.Recycled, e.DurationMs));
        }

        if (request.RecordImpressions && items.Count > 0)
        {
            RecordImpressions(requestId, composer.Picked);
        }
        // The page is written (items, impressions and entries copy what they keep): its candidates
        // serve the next page on this thread.
        ScoredCandidates.Return(candidates);
        if (recycled is not null) ScoredCandidates.Return(recycled);
        return new FeedPage(requestId, items);
    }

    /// <summary>
    /// Keeps the catalog entries of the served videos (what interactions name), so they need no call
    /// to the video even while this silo's replica is not current. The best hundred of every page
    /// cost ~1.5 % of the feed's CPU (perf), for entries the replica resolves in-process anyway.
    /// </summary>
    private void Remember(IReadOnlyList<ScoredCandidate> served)
    {
        foreach (var c in served) _entries.Add(c.Entry);
    }

    private void RecordImpressions(string requestId, IReadOnlyList<ScoredCandidate> picked)
    {
        foreach (var c in picked) S.Seen.Add(c.Entry.VideoId);
        S.Impressions.Record(requestId, picked);
        S.Served += picked.Count;
        S.LastCreator = picked[^1].Entry.CreatorId;
        S.LastSound = picked[^1].Entry.SoundId;
        _dirty = true;
        _write.Schedule();
        foreach (var c in picked) _impressions.Add(c.Entry.VideoId);
    }

    /// <summary>Item-to-item candidates: the co-engaged neighbours of the user's recent positives (a bounded fan-out).</summary>
    private async Task<Dictionary<string, float>> RelatedAsync()
    {
        if (S.RecentPositives.Count == 0) return NoRelated;
        var now = _time.GetUtcNow();
        var stale = S.RecentPositives.Where(id => !_neighbours.TryGetValue(id, out var c) || now - c.FetchedAt > _options.NeighbourRefresh).ToList();
        var fetched = await Task.WhenAll(stale.Select(id => _sharedNeighbours.GetAsync(id, _fetchNeighbours)));
        var changed = false;
        for (var i = 0; i < stale.Count; i++)
        {
            // A list that did not change is the very object held: shared by the silo's users, and the
            // video's own when it lives on this silo (CoEngagement.Top).
            var list = fetched[i].List;
            changed |= !_neighbours.TryGetValue(stale[i], out var known) || (!ReferenceEquals(known.List, list) && !known.List.SequenceEqual(list));
            _neighbours[stale[i]] = fetched[i];
        }
        foreach (var gone in _neighbours.Keys.Where(id => !S.RecentPositives.Contains(id)).ToList()) _neighbours.Remove(gone);
        // Summing ~4,000 neighbours is most of a returning user's page; comparing the refetched lists is a fraction of it.
        if (!changed && _related is { } last && last.Positives.AsSpan().SequenceEqual(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(S.RecentPositives)))
        {
            return last.Scores;
        }
        var scores = CoEngagement.Aggregate(S.RecentPositives.Select(id => _neighbours[id].List).ToList(), keep: _options.RelatedCandidates, _options.CoEngagementRecencyDecay);
        _related = ([.. S.RecentPositives], scores);
        return scores;
    }

    /// <summary>
    /// The page's candidates from the user's pool, with current entries and the live fresh source,
    /// when the pool was filled for these inputs and still holds enough; null when the page must retrieve.
    /// </summary>
    private List<ScoredCandidate>? FromPool(RetrievalQuery query, float[] interest, Dictionary<string, float> related, int count)
    {
        if (!_pool.Matches(interest, _controls, related, _time.GetUtcNow())) return null;
        var page = new List<ScoredCandidate>(_pool.Count + 8);
        if (!_catalog.TryRefresh(_pool, query, page, out var fresh)) return null;
        if (S.NotInterested.Count > 0) page.RemoveAll(c => S.NotInterested.Contains(c.Entry.VideoId));
        if (!_pool.Enough(page.Count, count))
        {
            ScoredCandidates.Return(page);
            return null;
        }
        _pool.AddFresh(page, fresh, id => S.NotInterested.Contains(id), S.Following);
        OrleansTokMetrics.RetrievedFromPool();
        return page;
    }

    /// <summary>Retrieves and merges the page's candidates, and keeps them as the pool when the replica answered.</summary>
    private async Task<List<ScoredCandidate>> RetrieveAndPoolAsync(RetrievalQuery query, float[] interest, Dictionary<string, float> related, DateTimeOffset now)
    {
        var (batches, fromReplica) = await RetrieveAsync(query);
        var candidates = CandidateMerger.Merge(batches, id => S.NotInterested.Contains(id), query.PerSource);
        // Partitions answer only while the replica is not current, and a pooled page reads the replica.
        if (fromReplica && _pool.Enabled)
        {
            _pool.Fill(candidates, interest, _controls, related, now);
            if (_poolExpiry is null)
            {
                _poolExpiry = this.RegisterGrainTimer(static (UserGrain g, CancellationToken _) => { g._pool.Clear(); return Task.CompletedTask; }, this,
                    new GrainTimerCreationOptions(_pool.MaxAge, Timeout.InfiniteTimeSpan) { KeepAlive = false });
            }
            else _poolExpiry.Change(_pool.MaxAge, Timeout.InfiniteTimeSpan);
        }
        else _pool.Clear();
        return candidates;
    }

    /// <summary>Candidates from this silo's catalogue replica, or from every partition while the replica is not current.</summary>
    private async Task<(IReadOnlyList<Candidate>[] Batches, bool FromReplica)> RetrieveAsync(RetrievalQuery query)
    {
        var fromReplica = _catalog.TryRetrieve(query, out var local);
        OrleansTokMetrics.Retrieved(fromReplica);
        if (fromReplica) return ([local], true);
        var batches = await Task.WhenAll(Enumerable.Range(0, _options.CatalogPartitions)
            .Select(p => GrainFactory.CatalogPartition(p).Retrieve(query)));
        return ([.. batches.Select(b => b.Candidates)], false);
    }

    private async Task<Dictionary<string, CatalogEntry>> ResolveAsync(IEnumerable<string> videoIds)
    {
        var result = new Dictionary<string, CatalogEntry>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var id in videoIds.Distinct(StringComparer.Ordinal))
        {
            if (_entries.TryGet(id, out var entry)) result[id] = entry;
            else missing.Add(id);
        }
        // Eligible videos are in this silo's catalogue replica; only the rest (removed, not yet
        // replicated, unknown) cost a call to their video grain.
        missing = _catalog.Resolve(missing, result);
        var fetched = await Task.WhenAll(missing.Select(id => GrainFactory.Get<IVideoGrain>(id).GetEntry()));
        foreach (var entry in fetched)
        {
            if (entry is not null) result[entry.VideoId] = entry;
        }
        return result;
    }

    private void StartFresh()
    {
        S.Embedding = ContentEmbedding.ForInterests(S.Settings!.Interests, _options.Dimension);
        S.Session = new float[_options.Dimension];
        S.Hashtags.Clear();
        S.Creators.Clear();
        S.Sounds.Clear();
        S.Seen = SeenSet.Create(_options.SeenCapacity);
        S.Impressions = ImpressionLog.Create(_options.ImpressionItems);
        S.RankerWeights = (float[])_rankerPrior.Clone();
        S.LastCreator = null;
        S.LastSound = null;
        S.RecentPositives.Clear();
        _recentHandles.Clear();
        _neighbours.Clear();
        _related = null;
        _pool.Clear();
        _controls++;
        S.Served = 0;
        S.Watched = 0;
        _entries.Clear();
    }

    /// <summary>Every write of this grain's state: none once <see cref="_refused"/>, for any caller.</summary>
    private Task WriteStateAsync()
    {
        RefuseIfStale();
        return _state.WriteStateAsync();
    }

    private void RefuseIfStale()
    {
        if (!_refused) return;
        DeactivateOnIdle();
        throw new ServiceUnavailableException("This user's state is being reloaded after a journal failure; retry the request.");
    }

    private async Task WriteIfDirtyAsync()
    {
        if (!_dirty || _refused) return;
        _dirty = false;
        await WriteStateAsync();
    }
}
