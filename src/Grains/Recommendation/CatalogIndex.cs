using OrleansTok.Grains;
using OrleansTok.Model;
using OrleansTok.Streams;

namespace OrleansTok.Recommendation;

/// <summary>
/// One partition's eligible videos and everything retrieval needs of them: embeddings for
/// similarity (one contiguous matrix, scored with SIMD dot products), creators for the follow
/// graph, upload times for fresh uploads, and time-decayed popularity per country for trending.
/// Retrieval scores first and checks eligibility (hidden, seen) only for videos that would make a
/// source's top k; trending and fresh rankings are shared by every user of a country or language
/// and rebuilt when the catalogue changes (at most every 250 ms for popularity-only changes).
/// Not thread-safe for writers: reads (<see cref="Retrieve"/>, <see cref="Trending"/>) may run
/// concurrently with each other, never with a change.
/// </summary>
public sealed partial class CatalogIndex
{
    private const int MaxCountriesPerVideo = 16;
    /// <summary>How often a shared ranking follows popularity alone, when something calls <see cref="RefreshRankings"/>.</summary>
    private const long RankingRefreshMs = 250;

    /// <summary>How stale on popularity a reader lets a shared ranking be before it rebuilds it itself.</summary>
    private const long ReaderRefreshMs = 2 * RankingRefreshMs;

    /// <summary>Rankings nobody read for this long are left to be rebuilt on demand.</summary>
    private const long RefreshUnreadAfterMs = 10_000;
    private readonly Dictionary<string, IndexedVideo> _videos = new(StringComparer.Ordinal);
    private readonly List<IndexedVideo> _slots = [];

    /// <summary>
    /// Each slot's fingerprint, in slot order: the seen test of a video that passes the score bar reads
    /// it here instead of from the video object, a cache miss per video (~870 of them a page, the
    /// largest cost of retrieval in the feed's perf profile).
    /// </summary>
    private ulong[] _fingerprints = [];
    private readonly Dictionary<string, List<IndexedVideo>> _byCreator = new(StringComparer.Ordinal);
    // Concurrent: a replica retrieves for many pages at once (readers only), and each may rebuild a stale ranking.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Country, string Language), RankingSlot> _trending = [];
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, RankingSlot> _fresh = new(StringComparer.Ordinal);
    /// <summary>Every slot's embedding for the full scan; null while the index is clustered (the groups hold the rows then).</summary>
    private QuantizedRows? _embeddings;

    /// <summary>The clustered layout of the embeddings a large catalogue scans instead (null: every row is scanned).</summary>
    private ClusteredRows? _clusters;
    private readonly ClusteredScan? _clustering;

    /// <summary>Videos held when the clusters were last trained.</summary>
    private int _clusteredAt;
    private int _dimension;
    private long _structureVersion;
    private long _popularityVersion;
    private ForwardDecay _decay;

    /// <summary>Change sequence for readers that follow this index (<see cref="ChangesSince"/>): one step per change.</summary>
    private long _sequence;

    /// <summary>
    /// Every change stamp in sequence order, so <see cref="ChangesSince"/> reads the changes after a
    /// cursor instead of every video: at 100,000 videos the walk over all of them, once per partition
    /// per replica pull, was 7 % of an idle-ish server's CPU. Stamps a later change superseded are
    /// dropped when the log outgrows twice the catalogue.
    /// </summary>
    private readonly List<(long Sequence, IndexedVideo Video)> _changes = [];
    private readonly Guid _epoch = Guid.NewGuid();
    private readonly Queue<(long Sequence, string VideoId)> _removals = new();

    /// <summary>Removals at or below this sequence were forgotten: older cursors get a full snapshot.</summary>
    private long _removalsForgottenUpTo;
    private const int RemovalsKept = 4096;

    /// <summary>A shared ranking of the partition, best first, and the catalogue versions it reflects; fingerprints beside the videos, so walking past seen ones reads no video.</summary>
    private sealed record Ranking(IndexedVideo[] Videos, float[] Scores, ulong[] Fingerprints, long Structure, long Popularity, long BuiltAtTicks);

    /// <summary>The current shared ranking of one key, and whether a reader is rebuilding it.</summary>
    private sealed class RankingSlot
    {
        public Ranking? Current;
        public int Rebuilding;
        public long LastReadTicks;
    }

    /// <param name="clustering">From what size and how much of the catalogue the similarity scan reads by cluster; null scans every row.</param>
    public CatalogIndex(TimeSpan halfLife, DateTimeOffset landmark, ClusteredScan? clustering = null)
    {
        _decay = new ForwardDecay(landmark, halfLife);
        _clustering = clustering is { MinVideos: > 0, Share: > 0f and <= 1f } ? clustering : null;
    }

    /// <summary>Whether the similarity scan reads by cluster (the catalogue reached <see cref="ClusteredScan.MinVideos"/>).</summary>
    public bool Clustered => _clusters is not null;

    public int Count => _videos.Count;

    public bool TryGetEntry(string videoId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CatalogEntry? entry)
    {
        entry = _videos.TryGetValue(videoId, out var video) ? video.Entry : null;
        return entry is not null;
    }

    public DateTimeOffset Landmark => _decay.Landmark;

    public IEnumerable<IndexedVideo> Videos => _videos.Values;

    public void Restore(IndexedVideo video)
    {
        if (_videos.ContainsKey(video.Entry.VideoId)) Remove(video.Entry.VideoId);
        Insert(video);
    }

    public void Upsert(CatalogEntry entry, IReadOnlyDictionary<string, float>? popularityByCountry, DateTimeOffset at)
    {
        if (!_videos.TryGetValue(entry.VideoId, out var video))
        {
            video = new IndexedVideo { Entry = entry, Fingerprint = IdHash.Of(entry.VideoId) };
            Insert(video);
        }
        else Change(video, entry);
        Stamp(video); // partitions apply one change at a time: stamping before the popularity is safe
        if (popularityByCountry is null || popularityByCountry.Count == 0) return;

        if (_decay.NeedsRebase(at)) Rebase(at);
        var weight = _decay.Weight(at);
        foreach (var (country, amount) in popularityByCountry)
        {
            if (!float.IsFinite(amount) || amount <= 0f) continue;
            video.Global += amount * weight;
            var byCountry = video.ByCountry ??= new Dictionary<string, double>(StringComparer.Ordinal);
            if (byCountry.Count < MaxCountriesPerVideo || byCountry.ContainsKey(country))
            {
                byCountry[country] = byCountry.GetValueOrDefault(country) + amount * weight;
            }
        }
        _popularityVersion++;
    }

    /// <summary>
    /// Applies refreshed stats (and popularity) to a video this index holds; false, changing nothing,
    /// for one it does not hold, which its next full entry brings.
    /// </summary>
    public bool Refresh(string videoId, CatalogStats stats, IReadOnlyDictionary<string, float>? popularityByCountry, DateTimeOffset at)
    {
        if (!_videos.TryGetValue(videoId, out var video)) return false;
        Upsert(stats.ApplyTo(video.Entry), popularityByCountry, at);
        return true;
    }

    /// <summary>
    /// Sets a video to the values another index holds (how a replica applies a partition's changes):
    /// its entry, and popularity converted from that index's landmark to this one's.
    /// </summary>
    public void Set(CatalogRow row, DateTimeOffset sourceLandmark)
    {
        if (_decay.NeedsRebase(sourceLandmark)) Rebase(sourceLandmark);
        var toHere = _decay.Weight(sourceLandmark); // s·2^((Ls − L)/h): the same decayed value at every instant
        var entry = row.Entry;
        if (_videos.TryGetValue(entry.VideoId, out var video) && video.Entry.CreatorId != entry.CreatorId) Remove(entry.VideoId);
        if (video is null || video.Removed)
        {
            video = new IndexedVideo { Entry = entry, Fingerprint = IdHash.Of(entry.VideoId) };
            Insert(video);
        }
        else Change(video, entry);
        video.Global = row.Global * toHere;
        video.ByCountry?.Clear();
        foreach (var (country, value) in row.ByCountry)
        {
            var byCountry = video.ByCountry ??= new Dictionary<string, double>(StringComparer.Ordinal);
            if (byCountry.Count < MaxCountriesPerVideo) byCountry[country] = value * toHere;
        }
        _popularityVersion++;
        Stamp(video);
    }

    /// <summary>
    /// Everything that changed after <paramref name="since"/>, as current values; a full snapshot when
    /// the cursor is null, from another index (epoch), or older than the removals still remembered.
    /// </summary>
    public CatalogChanges ChangesSince(CatalogCursor? since)
    {
        var full = since is null || since.Epoch != _epoch || since.Sequence < _removalsForgottenUpTo;
        var after = full ? long.MinValue : since!.Sequence;
        var changed = new List<CatalogRow>();
        if (full)
        {
            foreach (var video in _slots) changed.Add(Row(video));
        }
        else
        {
            // The first stamp after the cursor; a video's latest stamp is the only one that reports it.
            var lo = 0;
            var hi = _changes.Count;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (_changes[mid].Sequence > after) hi = mid;
                else lo = mid + 1;
            }
            for (var i = lo; i < _changes.Count; i++)
            {
                var (sequence, video) = _changes[i];
                if (sequence == video.ChangedAt && !video.Removed) changed.Add(Row(video));
            }
        }
        var removed = full ? [] : _removals.Where(r => r.Sequence > after).Select(r => r.VideoId).ToList();
        return new CatalogChanges(new CatalogCursor(_epoch, _sequence), full, _decay.Landmark, changed, removed);

        static CatalogRow Row(IndexedVideo video) => new(video.Entry, video.Global, video.ByCountry is { Count: > 0 } byCountry
            ? new Dictionary<string, double>(byCountry, StringComparer.Ordinal) : IndexedVideo.NoCountries);
    }

    public bool Remove(string videoId)
    {
        if (!_videos.Remove(videoId, out var video)) return false;
        // Swap the last slot into the hole so the embedding matrix stays dense.
        var last = _slots[^1];
        if (!ReferenceEquals(last, video))
        {
            _slots[video.Slot] = last;
            _fingerprints[video.Slot] = last.Fingerprint;
            last.Slot = video.Slot;
            _embeddings?.Move(_slots.Count - 1, video.Slot);
        }
        _slots.RemoveAt(_slots.Count - 1);
        if (_clusters is not null)
        {
            _clusters.Remove(video);
            if (_slots.Count < _clustering!.MinVideos / 2)
            {
                // Small again: the full scan is exact and cheap.
                _clusters = null;
                _embeddings = new QuantizedRows(_dimension);
                _embeddings.EnsureCapacity(_slots.Count);
                for (var i = 0; i < _slots.Count; i++) _embeddings.Set(i, _slots[i].Entry.Embedding);
            }
        }
        if (_byCreator.TryGetValue(video.Entry.CreatorId, out var own))
        {
            own.Remove(video);
            if (own.Count == 0) _byCreator.Remove(video.Entry.CreatorId);
        }
        video.Removed = true;
        _structureVersion++;
        _removals.Enqueue((++_sequence, videoId));
        if (_removals.Count > RemovalsKept) _removalsForgottenUpTo = _removals.Dequeue().Sequence;
        return true;
    }

    private void Insert(IndexedVideo video)
    {
        _videos.Add(video.Entry.VideoId, video);
        video.Removed = false;
        video.Slot = _slots.Count;
        _slots.Add(video);
        if (_fingerprints.Length < _slots.Count) Array.Resize(ref _fingerprints, Math.Max(64, 2 * _fingerprints.Length));
        _fingerprints[video.Slot] = video.Fingerprint;
        if (_dimension == 0) _dimension = video.Entry.Embedding.Length;
        if (_clusters is not null) _clusters.Add(video, upload: true);
        else
        {
            (_embeddings ??= new QuantizedRows(_dimension)).EnsureCapacity(_slots.Count);
            _embeddings.Set(video.Slot, video.Entry.Embedding);
        }
        if (_clustering is { } clustering && _slots.Count >= (_clusters is null ? clustering.MinVideos : 2 * _clusteredAt)) Cluster();
        if (!_byCreator.TryGetValue(video.Entry.CreatorId, out var own)) _byCreator[video.Entry.CreatorId] = own = [];
        own.Add(video);
        _structureVersion++;
        Stamp(video);
    }

    private void Stamp(IndexedVideo video)
    {
        video.ChangedAt = ++_sequence;
        _changes.Add((video.ChangedAt, video));
        if (_changes.Count > 2 * _videos.Count + 1024) _changes.RemoveAll(c => c.Sequence != c.Video.ChangedAt || c.Video.Removed);
    }

    /// <summary>An embedding of another length than the partition's (a changed setting) scores as no similarity.</summary>
    private void Change(IndexedVideo video, CatalogEntry entry)
    {
        var previous = video.Entry;
        video.Entry = SharingUnchanged(entry, previous);
        // Most changes a replica applies are popularity alone: the embedding arrives again, unchanged.
        if (ReferenceEquals(video.Entry.Embedding, previous.Embedding)) return;
        if (_clusters is not null) _clusters.Update(video);
        else _embeddings!.Set(video.Slot, video.Entry.Embedding);
    }

    /// <summary>
    /// <paramref name="next"/>, holding the previous entry's strings, hashtags and embedding where it
    /// repeats them. Every entry that arrives through a stream or from another silo is a fresh copy:
    /// kept as it came, each indexed video held its own copy of its id, creator, sound, language,
    /// hashtags and embedding beside the one its first entry brought (~0.35 KiB of every video).
    /// </summary>
    internal static CatalogEntry SharingUnchanged(CatalogEntry next, CatalogEntry previous)
    {
        if (ReferenceEquals(next, previous)) return next;
        var videoId = Same(next.VideoId, previous.VideoId);
        var creatorId = Same(next.CreatorId, previous.CreatorId);
        var soundId = Same(next.SoundId, previous.SoundId);
        var caption = Same(next.Caption, previous.Caption);
        var language = Same(next.Language, previous.Language);
        var hashtags = ReferenceEquals(next.Hashtags, previous.Hashtags) || next.Hashtags.SequenceEqual(previous.Hashtags, StringComparer.Ordinal)
            ? previous.Hashtags : next.Hashtags;
        var embedding = next.Embedding.AsSpan().SequenceEqual(previous.Embedding) ? previous.Embedding : next.Embedding;
        // An entry that already shares everything (a replica taking its own partition's) is kept as it is.
        return ReferenceEquals(videoId, next.VideoId) && ReferenceEquals(creatorId, next.CreatorId) && ReferenceEquals(soundId, next.SoundId)
            && ReferenceEquals(caption, next.Caption) && ReferenceEquals(language, next.Language)
            && ReferenceEquals(hashtags, next.Hashtags) && ReferenceEquals(embedding, next.Embedding)
            ? next
            : next with
            {
                VideoId = videoId, CreatorId = creatorId, SoundId = soundId, Caption = caption, Language = language,
                Hashtags = hashtags, Embedding = embedding,
            };

        static string Same(string next, string previous) => string.Equals(next, previous, StringComparison.Ordinal) ? previous : next;
    }

    /// <summary>
    /// Trains ~√n centroids on a sample of the catalogue and groups every video under its nearest:
    /// when the catalogue first reaches the clustered size and again each time it doubled. Changed
    /// embeddings move to their nearest group as they change; the centroids follow only growth.
    /// It holds the owner's write lock for 31, 59 and 152 ms at 20,000, 40,000 and 80,000 videos (docs/benchmarks.md, round 10).
    /// </summary>
    private void Cluster()
    {
        var groups = Math.Clamp((int)Math.Round(Math.Sqrt(_slots.Count)), 8, 1024);
        var stride = Math.Max(1, _slots.Count / (32 * groups));
        var sample = new List<float[]>(_slots.Count / stride + 1);
        for (var i = 0; i < _slots.Count; i += stride) sample.Add(_slots[i].Entry.Embedding);
        var clusters = new ClusteredRows(KMeans.Spherical(sample, groups, _dimension, iterations: 6, seed: _slots.Count), _dimension);
        foreach (var video in _slots) clusters.Add(video, upload: false);
        _clusters = clusters;
        _embeddings = null; // the groups hold every row now; keeping both cost a second write per change
        _clusteredAt = _slots.Count;
    }

    public List<Candidate> Retrieve(RetrievalQuery query, DateTimeOffset now, TimeSpan freshWindow)
    {
        var k = Math.Max(1, query.PerSource);
        var eligible = new Eligibility(query);
        var toNow = 1 / _decay.Weight(now); // stored popularity × toNow = decayed popularity now (one Math.Pow per query, not two per candidate)
        var result = new List<Candidate>(5 * k);

        if (query.Related is { Count: > 0 } relatedIds)
        {
            // Lookups first, then scores: each found video is a few cache misses (its dictionary entry,
            // key, object and entry), which a loop of nothing but independent lookups lets the CPU
            // overlap; interleaved with the heap's work they ran one after another (related source
            // at 100,000 videos: 282 → 208 µs a query, bench/OrleansTok.Bench.Retrieval).
            var related = new TopK(k);
            var found = System.Buffers.ArrayPool<IndexedVideo>.Shared.Rent(relatedIds.Count);
            var partials = System.Buffers.ArrayPool<float>.Shared.Rent(relatedIds.Count);
            var n = 0;
            foreach (var (id, partial) in relatedIds)
            {
                if (!_videos.TryGetValue(id, out var video)) continue;
                found[n] = video;
                partials[n++] = partial;
            }
            for (var i = 0; i < n; i++)
            {
                var video = found[i];
                if (eligible.Allows(video)) related.Offer(video, RelatedScore(partials[i], video.Entry));
            }
            System.Buffers.ArrayPool<IndexedVideo>.Shared.Return(found, clearArray: true);
            System.Buffers.ArrayPool<float>.Shared.Return(partials);
            related.Drain(result, CandidateSources.Related, query, toNow);
        }

        if (VectorMath.Norm(query.Interest) > 1e-3f && query.Interest.Length == _dimension && _slots.Count > 0)
        {
            var similar = new TopK(k);
            ScanSimilar(query.Interest, similar, eligible);
            similar.Drain(result, CandidateSources.Similar, query, toNow);
        }

        if (query.Following.Count > 0)
        {
            var followed = new TopK(k);
            foreach (var creator in query.Following)
            {
                if (!_byCreator.TryGetValue(creator, out var own)) continue;
                foreach (var video in own)
                {
                    var score = (float)video.Entry.UploadedAt.ToUnixTimeSeconds();
                    if (followed.WouldAccept(score) && eligible.Allows(video)) followed.Offer(video, score);
                }
            }
            followed.Drain(result, CandidateSources.Following, query, toNow);
        }

        // Trending scores leave as decayed popularity now, so they compare with other partitions' (landmarks differ).
        TakeEligible(TrendingRanking(query.Country, query.Language, refresher: false), k, eligible, result, CandidateSources.Trending, query, toNow, toNow);
        TakeFresh(query, k, eligible, result, now, freshWindow, toNow);
        return result;
    }

    /// <summary>
    /// The similarity source: scores every row (the groups nearest the query, in a clustered
    /// catalogue, until their rows reach the budget), offers the eligible ones to the top k, and
    /// re-scores the k kept exactly.
    /// </summary>
    /// <remarks>
    /// Offers start at a floor: the score a sample of every eighth row puts about 2k rows above
    /// (<see cref="TopK.SampledFloor"/>). In row order the running k-th best rises slowly, and a
    /// query of 10,000 rows made ~470 offers, each a seen test and a heap step; from the floor it
    /// makes about k·(1 + ln 2). Should fewer than k eligible rows lie above the floor (a user who
    /// saw most of a topic), a second pass offers the rows below it, so the k are the same either way.
    /// </remarks>
    private void ScanSimilar(float[] interest, TopK similar, in Eligibility eligible)
    {
        var scores = System.Buffers.ArrayPool<float>.Shared.Rent(_slots.Count);
        var order = System.Buffers.ArrayPool<int>.Shared.Rent(_clusters?.Groups ?? 1);
        try
        {
            var segments = 1;
            var rows = _slots.Count;
            if (_clusters is { } clusters)
            {
                var budget = Math.Max((int)(_slots.Count * _clustering!.Share), 50 * similar.Capacity);
                segments = clusters.Probe(interest, budget, order);
                rows = 0;
                for (var i = 0; i < segments; i++)
                {
                    clusters.Scores(order[i], interest, scores.AsSpan(rows));
                    rows += clusters.Members(order[i]).Length;
                }
            }
            else _embeddings!.Scores(interest, scores.AsSpan(0, rows));

            var floor = TopK.SampledFloor(scores.AsSpan(0, rows), similar.Capacity);
            OfferSegments(similar, scores, order, segments, eligible, floor, float.PositiveInfinity);
            if (similar.Count < similar.Capacity && floor > float.NegativeInfinity)
            {
                OfferSegments(similar, scores, order, segments, eligible, float.NegativeInfinity, floor);
            }
            similar.Rescore(interest);
        }
        finally
        {
            System.Buffers.ArrayPool<int>.Shared.Return(order);
            System.Buffers.ArrayPool<float>.Shared.Return(scores);
        }
    }

    /// <summary>Offers the scored rows whose scores lie in (floor, ceiling], segment by segment: the whole catalogue, or the probed groups in order.</summary>
    private void OfferSegments(TopK similar, float[] scores, int[] order, int segments, in Eligibility eligible, float floor, float ceiling)
    {
        var offset = 0;
        for (var i = 0; i < segments; i++)
        {
            ReadOnlySpan<IndexedVideo> members = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_slots);
            ReadOnlySpan<ulong> fingerprints = _fingerprints.AsSpan(0, _slots.Count);
            if (_clusters is { } clusters)
            {
                members = clusters.Members(order[i]);
                fingerprints = clusters.Fingerprints(order[i]);
            }
            similar.OfferAbove(scores.AsSpan(offset, members.Length), members, fingerprints, eligible, floor, ceiling);
            offset += members.Length;
        }
    }

    /// <summary>
    /// The ranking's first <paramref name="k"/> eligible videos as candidates. Those <paramref name="held"/>
    /// already holds count towards the k but are not made into candidates: the pool has them.
    /// </summary>
    private static void TakeEligible(Ranking ranking, int k, Eligibility eligible, List<Candidate> into, string source, RetrievalQuery query, double toNow, double scale,
        CandidatePool? held = null)
    {
        var taken = 0;
        for (var i = 0; i < ranking.Videos.Length && taken < k; i++)
        {
            var fingerprint = ranking.Fingerprints[i];
            if (eligible.Seen(fingerprint)) continue;
            var video = ranking.Videos[i];
            if (video.Removed || !eligible.AllowsUnseen(video)) continue;
            taken++;
            if (held is not null && held.Holds(fingerprint)) continue;
            into.Add(ToCandidate(video, source, (float)(ranking.Scores[i] * scale), query, toNow));
        }
    }

    /// <summary>Trending for a country, preferring the user's language; forward-decayed values compare directly.</summary>
    private Ranking TrendingRanking(string country, string language, bool refresher) =>
        Shared(_trending.GetOrAdd((country, language), static _ => new RankingSlot()), refresher, (country, language),
            static (index, key) => index.BuildTrending(key.country, key.language));

    /// <summary>
    /// Newest and least watched first (<see cref="FreshExposure"/>), preferring the user's language;
    /// quality breaks near-ties.
    /// </summary>
    private Ranking FreshRanking(string language, DateTimeOffset now, TimeSpan freshWindow, bool refresher) =>
        Shared(_fresh.GetOrAdd(language, static _ => new RankingSlot()), refresher, (language, now, freshWindow),
            static (index, args) => index.BuildFresh(args.language, args.now, args.freshWindow));

    /// <summary>The slot's ranking, rebuilt first with <paramref name="build"/> when <see cref="Reuse"/> says so.</summary>
    private Ranking Shared<TState>(RankingSlot slot, bool refresher, TState state, Func<CatalogIndex, TState, Ranking> build)
    {
        if (Reuse(slot, refresher, out var claimed) is { } cached) return cached;
        try
        {
            return slot.Current = build(this, state);
        }
        finally
        {
            if (claimed) Volatile.Write(ref slot.Rebuilding, 0);
        }
    }

    private Ranking BuildTrending(string country, string language)
    {
        var videos = new IndexedVideo[_slots.Count];
        var scores = new float[_slots.Count];
        var n = 0;
        foreach (var video in _slots)
        {
            var popularity = video.In(country) + 0.25 * video.Global;
            if (popularity <= 0) continue;
            videos[n] = video;
            scores[n++] = (float)(popularity * LanguageBoost(video, language));
        }
        return Build(videos, scores, n);
    }

    private Ranking BuildFresh(string language, DateTimeOffset now, TimeSpan freshWindow)
    {
        var cutoff = now - freshWindow;
        var videos = new IndexedVideo[_slots.Count];
        var scores = new float[_slots.Count];
        for (var i = 0; i < _slots.Count; i++)
        {
            var video = _slots[i];
            var entry = video.Entry;
            var ageHours = (float)(now - entry.UploadedAt).TotalHours;
            var score = LanguageBoost(video, language) * (1f / (1f + Math.Max(0f, ageHours) / 24f)) * FreshExposure.Claim(entry.Views) + 0.1f * entry.Quality;
            // Uploads older than the window only fill in behind every upload inside it.
            videos[i] = video;
            scores[i] = entry.UploadedAt >= cutoff ? score : score - 10f;
        }
        return Build(videos, scores, _slots.Count);
    }

    /// <summary>
    /// The slot's ranking if it may be used as it is, else null: the caller rebuilds it. A ranking
    /// behind on popularity alone is rebuilt by one caller while the others keep using it: at
    /// 100,000 videos a rebuild takes ~17 ms per ranking (mostly cache misses on the videos), and every page that
    /// found the ranking stale used to pay it. New and removed videos make every reader wait for a
    /// current ranking, so an upload is a fresh candidate at once.
    /// </summary>
    private Ranking? Reuse(RankingSlot slot, bool refresher, out bool claimed)
    {
        claimed = false;
        var now = Environment.TickCount64;
        var maxAgeMs = refresher ? RankingRefreshMs : ReaderRefreshMs;
        if (!refresher) Volatile.Write(ref slot.LastReadTicks, now);
        var cached = Volatile.Read(ref slot.Current);
        if (cached is not null && cached.Structure == _structureVersion &&
            (cached.Popularity == _popularityVersion || now - cached.BuiltAtTicks < maxAgeMs)) return cached;
        claimed = Interlocked.Exchange(ref slot.Rebuilding, 1) == 0;
        return !claimed && cached is not null && cached.Structure == _structureVersion ? cached : null;
    }

    /// <summary>
    /// Rebuilds the shared rankings read lately that are behind on popularity by more than 250 ms,
    /// off the pages' path: a silo's catalogue replica calls this after each pull, so pages find
    /// them current and only rebuild one themselves when nothing refreshed it for 500 ms. Safe to
    /// run alongside readers, never alongside a change.
    /// </summary>
    public void RefreshRankings(DateTimeOffset now, TimeSpan freshWindow)
    {
        var recent = Environment.TickCount64 - RefreshUnreadAfterMs;
        foreach (var (key, slot) in _trending)
        {
            if (Volatile.Read(ref slot.LastReadTicks) >= recent) TrendingRanking(key.Country, key.Language, refresher: true);
        }
        foreach (var (language, slot) in _fresh)
        {
            if (Volatile.Read(ref slot.LastReadTicks) >= recent) FreshRanking(language, now, freshWindow, refresher: true);
        }
    }

    /// <summary>Sorts the first <paramref name="count"/> videos best first, on primitive keys (a delegate comparison cost 3× more).</summary>
    private Ranking Build(IndexedVideo[] videos, float[] scores, int count)
    {
        for (var i = 0; i < count; i++) scores[i] = -scores[i];
        Array.Sort(scores, videos, 0, count);
        for (var i = 0; i < count; i++) scores[i] = -scores[i];
        if (count < videos.Length)
        {
            Array.Resize(ref videos, count);
            Array.Resize(ref scores, count);
        }
        var fingerprints = new ulong[count];
        for (var i = 0; i < count; i++) fingerprints[i] = videos[i].Fingerprint;
        return new Ranking(videos, scores, fingerprints, _structureVersion, _popularityVersion, Environment.TickCount64);
    }

    private static float LanguageBoost(IndexedVideo video, string language) => video.Entry.Language == language ? 1f : 0.5f;

    private static Candidate ToCandidate(IndexedVideo video, string source, float score, RetrievalQuery query, double toNow)
    {
        var trend = Trend(video, query.Country, toNow);
        var related = query.Related is { } r && r.TryGetValue(video.Entry.VideoId, out var partial) ? RelatedScore(partial, video.Entry) : 0f;
        return new Candidate(video.Entry, source, score, trend, related);
    }

    /// <summary>A video's decayed popularity in the user's country, with a quarter of its global one.</summary>
    private static float Trend(IndexedVideo video, string country, double toNow) => (float)((video.In(country) + 0.25 * video.Global) * toNow);

    /// <summary>What a user may be shown: not from a hidden creator or sound, not already seen.</summary>
    private readonly struct Eligibility(RetrievalQuery query)
    {
        private readonly IReadOnlySet<string>? _hiddenCreators = query.HiddenCreators.Count == 0 ? null
            : query.HiddenCreators as IReadOnlySet<string> ?? query.HiddenCreators.ToHashSet(StringComparer.Ordinal);
        private readonly IReadOnlySet<string>? _hiddenSounds = query.HiddenSounds.Count == 0 ? null
            : query.HiddenSounds as IReadOnlySet<string> ?? query.HiddenSounds.ToHashSet(StringComparer.Ordinal);
        private readonly SeenFilter? _seen = query.Exclude;

        public bool Allows(IndexedVideo video) => !Seen(video.Fingerprint) && AllowsUnseen(video);

        public bool Seen(ulong fingerprint) => _seen is not null && SeenSet.Contains(_seen, fingerprint);

        /// <summary>The hidden creators and sounds (most users hide none: then the video is not read).</summary>
        public bool AllowsUnseen(IndexedVideo video) =>
            (_hiddenCreators is null || !_hiddenCreators.Contains(video.Entry.CreatorId)) &&
            (_hiddenSounds is null || !_hiddenSounds.Contains(video.Entry.SoundId));
    }

    /// <summary>Completes the cosine: the user grain summed co(i,j)/√n_j over recent positives j; this divides by √n_i.</summary>
    private static float RelatedScore(float partial, CatalogEntry entry) => partial / MathF.Sqrt(Math.Max(1, entry.Positives));

    public List<TrendingVideo> Trending(string? country, string? language, int count, DateTimeOffset now)
    {
        var top = new TopK(count);
        foreach (var video in _videos.Values)
        {
            if (language is not null && video.Entry.Language != language) continue;
            var stored = country is null ? video.Global : video.In(country);
            if (stored > 0) top.Offer(video, (float)Math.Log(stored));
        }
        return top.Sorted().Select(v => new TrendingVideo(v.Entry, DecayedPopularity(v, country, now))).ToList();
    }

    /// <summary>Decayed engagement of a video in a country (or globally): roughly "weighted events in the last half-life".</summary>
    public double DecayedPopularity(IndexedVideo video, string? country, DateTimeOffset now) =>
        _decay.ValueAt(country is null ? video.Global : video.In(country), now);

    private void Rebase(DateTimeOffset now)
    {
        var next = new ForwardDecay(now, _decay.HalfLife);
        var factor = 1.0 / _decay.Weight(now);
        foreach (var video in _videos.Values)
        {
            video.Global *= factor;
            if (video.ByCountry is not { } byCountry) continue;
            foreach (var key in byCountry.Keys.ToList()) byCountry[key] *= factor;
        }
        _decay = next;
    }
}

/// <summary>
/// From <paramref name="MinVideos"/> videos on, a partition's similarity scan reads the groups of
/// nearest centroids until it has read <paramref name="Share"/> of the catalogue (<see cref="ClusteredRows"/>).
/// </summary>
public sealed record ClusteredScan(int MinVideos, float Share);

/// <summary>A video in a retrieval partition: its latest catalog entry and forward-decayed popularity.</summary>
[GenerateSerializer, Alias("ot.IndexedVideo")]
public sealed class IndexedVideo
{
    [Id(0)] public required CatalogEntry Entry { get; set; }
    [Id(1)] public ulong Fingerprint { get; set; }
    [Id(2)] public double Global { get; set; }
    /// <summary>Popularity per country; null until the video gains some (most of a catalogue never does, ~80 B each).</summary>
    [Id(3)] public Dictionary<string, double>? ByCountry { get; set; }

    internal static readonly IReadOnlyDictionary<string, double> NoCountries = new Dictionary<string, double>();

    /// <summary>Stored popularity in <paramref name="country"/>.</summary>
    public double In(string country) => ByCountry is { } byCountry ? byCountry.GetValueOrDefault(country) : 0;

    /// <summary>Row of the partition's embedding matrix (not persisted: rebuilt on restore).</summary>
    [NonSerialized] internal int Slot;

    /// <summary>The group and row of the clustered layout holding the video (<see cref="ClusteredRows"/>), when the partition uses one.</summary>
    [NonSerialized] internal int Group;
    [NonSerialized] internal int GroupRow;

    /// <summary>Left the partition; shared rankings built before the removal skip it.</summary>
    [NonSerialized] internal bool Removed;

    /// <summary>The index's change sequence at this video's last change (not persisted: a restored index starts a new epoch).</summary>
    [NonSerialized] internal long ChangedAt;
}
