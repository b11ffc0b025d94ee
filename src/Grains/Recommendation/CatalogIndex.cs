using OrleansTok.Grains;
using OrleansTok.Model;

namespace OrleansTok.Recommendation;

/// <summary>
/// One partition's eligible videos and everything retrieval needs of them: embeddings for
/// similarity, creators for the follow graph, upload times for fresh uploads, and time-decayed
/// popularity per country for trending. One pass over the partition answers all sources.
/// </summary>
public sealed class CatalogIndex
{
    private const int MaxCountriesPerVideo = 16;
    private readonly Dictionary<string, IndexedVideo> _videos = new(StringComparer.Ordinal);
    private ForwardDecay _decay;

    public CatalogIndex(TimeSpan halfLife, DateTimeOffset landmark)
    {
        _decay = new ForwardDecay(landmark, halfLife);
    }

    public int Count => _videos.Count;

    public DateTimeOffset Landmark => _decay.Landmark;

    public IEnumerable<IndexedVideo> Videos => _videos.Values;

    public void Restore(IndexedVideo video) => _videos[video.Entry.VideoId] = video;

    public void Upsert(CatalogEntry entry, IReadOnlyDictionary<string, float>? popularityByCountry, DateTimeOffset at)
    {
        if (!_videos.TryGetValue(entry.VideoId, out var video))
        {
            video = new IndexedVideo { Entry = entry, Fingerprint = IdHash.Of(entry.VideoId) };
            _videos.Add(entry.VideoId, video);
        }
        video.Entry = entry;
        if (popularityByCountry is null || popularityByCountry.Count == 0) return;

        if (_decay.NeedsRebase(at)) Rebase(at);
        var weight = _decay.Weight(at);
        foreach (var (country, amount) in popularityByCountry)
        {
            if (!float.IsFinite(amount) || amount <= 0f) continue;
            video.Global += amount * weight;
            if (video.ByCountry.Count < MaxCountriesPerVideo || video.ByCountry.ContainsKey(country))
            {
                video.ByCountry[country] = video.ByCountry.GetValueOrDefault(country) + amount * weight;
            }
        }
    }

    public bool Remove(string videoId) => _videos.Remove(videoId);

    public List<Candidate> Retrieve(RetrievalQuery query, DateTimeOffset now, TimeSpan freshWindow)
    {
        var k = Math.Max(1, query.PerSource);
        var hasInterest = VectorMath.Norm(query.Interest) > 1e-3f;
        var following = query.Following.Count > 0 ? query.Following as IReadOnlySet<string> ?? query.Following.ToHashSet(StringComparer.Ordinal) : null;
        var hiddenCreators = query.HiddenCreators as IReadOnlySet<string> ?? query.HiddenCreators.ToHashSet(StringComparer.Ordinal);
        var hiddenSounds = query.HiddenSounds as IReadOnlySet<string> ?? query.HiddenSounds.ToHashSet(StringComparer.Ordinal);

        var similar = new TopK(k);
        var followed = new TopK(k);
        var trending = new TopK(k);
        var fresh = new TopK(k);
        var related = query.Related is { Count: > 0 } ? new TopK(k) : null;
        var freshCutoff = now - freshWindow;

        foreach (var video in _videos.Values)
        {
            var entry = video.Entry;
            if (hiddenCreators.Contains(entry.CreatorId) || hiddenSounds.Contains(entry.SoundId)) continue;
            if (query.Exclude is not null && SeenSet.Contains(query.Exclude, video.Fingerprint)) continue;

            var languageBoost = entry.Language == query.Language ? 1f : 0.5f;
            if (hasInterest) similar.Offer(video, VectorMath.Dot(query.Interest, entry.Embedding));
            if (related is not null && query.Related!.TryGetValue(entry.VideoId, out var partial)) related.Offer(video, RelatedScore(partial, entry));
            if (following is not null && following.Contains(entry.CreatorId)) followed.Offer(video, (float)entry.UploadedAt.ToUnixTimeSeconds());
            var popularity = video.ByCountry.GetValueOrDefault(query.Country) + 0.25 * video.Global;
            if (popularity > 0) trending.Offer(video, (float)(popularity * languageBoost)); // forward-decayed values compare directly
            if (entry.UploadedAt >= freshCutoff || fresh.Count < k)
            {
                // Newest first, preferring the user's language; quality breaks near-ties.
                var ageHours = (float)(now - entry.UploadedAt).TotalHours;
                fresh.Offer(video, languageBoost * (1f / (1f + Math.Max(0f, ageHours) / 24f)) + 0.1f * entry.Quality);
            }
        }

        var result = new List<Candidate>(similar.Count + followed.Count + trending.Count + fresh.Count + (related?.Count ?? 0));
        related?.Drain(result, CandidateSources.Related, this, query, now);
        similar.Drain(result, CandidateSources.Similar, this, query, now);
        followed.Drain(result, CandidateSources.Following, this, query, now);
        trending.Drain(result, CandidateSources.Trending, this, query, now);
        fresh.Drain(result, CandidateSources.Fresh, this, query, now);
        return result;
    }

    /// <summary>Completes the cosine: the user grain summed co(i,j)/√n_j over recent positives j; this divides by √n_i.</summary>
    private static float RelatedScore(float partial, CatalogEntry entry) => partial / MathF.Sqrt(Math.Max(1, entry.Positives));

    public List<TrendingVideo> Trending(string? country, string? language, int count, DateTimeOffset now)
    {
        var top = new TopK(count);
        foreach (var video in _videos.Values)
        {
            if (language is not null && video.Entry.Language != language) continue;
            var stored = country is null ? video.Global : video.ByCountry.GetValueOrDefault(country);
            if (stored > 0) top.Offer(video, (float)Math.Log(stored));
        }
        return top.Sorted().Select(v => new TrendingVideo(v.Entry, DecayedPopularity(v, country, now))).ToList();
    }

    /// <summary>Decayed engagement of a video in a country (or globally): roughly "weighted events in the last half-life".</summary>
    public double DecayedPopularity(IndexedVideo video, string? country, DateTimeOffset now) =>
        _decay.ValueAt(country is null ? video.Global : video.ByCountry.GetValueOrDefault(country), now);

    private void Rebase(DateTimeOffset now)
    {
        var next = new ForwardDecay(now, _decay.HalfLife);
        var factor = 1.0 / _decay.Weight(now);
        foreach (var video in _videos.Values)
        {
            video.Global *= factor;
            foreach (var key in video.ByCountry.Keys.ToList()) video.ByCountry[key] *= factor;
        }
        _decay = next;
    }

    /// <summary>A bounded min-heap keeping the k best-scored videos seen so far.</summary>
    private sealed class TopK(int k)
    {
        private readonly PriorityQueue<IndexedVideo, float> _heap = new(k + 1);

        public int Count => _heap.Count;

        public void Offer(IndexedVideo video, float score)
        {
            if (!float.IsFinite(score)) return;
            if (_heap.Count < k) _heap.Enqueue(video, score);
            else if (_heap.TryPeek(out _, out var min) && score > min) _heap.EnqueueDequeue(video, score);
        }

        public List<IndexedVideo> Sorted()
        {
            var list = new List<(IndexedVideo Video, float Score)>(_heap.Count);
            while (_heap.TryDequeue(out var v, out var s)) list.Add((v, s));
            list.Reverse();
            return list.ConvertAll(x => x.Video);
        }

        public void Drain(List<Candidate> into, string source, CatalogIndex index, RetrievalQuery query, DateTimeOffset now)
        {
            var country = query.Country;
            var list = new List<(IndexedVideo Video, float Score)>(_heap.Count);
            while (_heap.TryDequeue(out var v, out var s)) list.Add((v, s));
            for (var i = list.Count - 1; i >= 0; i--)
            {
                var (video, score) = list[i];
                var trend = index.DecayedPopularity(video, country, now) + 0.25 * index.DecayedPopularity(video, null, now);
                var related = query.Related is { } r && r.TryGetValue(video.Entry.VideoId, out var partial) ? RelatedScore(partial, video.Entry) : 0f;
                into.Add(new Candidate(video.Entry, source, score, (float)trend, related));
            }
        }
    }
}

/// <summary>A video in a retrieval partition: its latest catalog entry and forward-decayed popularity.</summary>
[GenerateSerializer, Alias("ot.IndexedVideo")]
public sealed class IndexedVideo
{
    [Id(0)] public required CatalogEntry Entry { get; set; }
    [Id(1)] public ulong Fingerprint { get; set; }
    [Id(2)] public double Global { get; set; }
    [Id(3)] public Dictionary<string, double> ByCountry { get; set; } = new(StringComparer.Ordinal);
}
