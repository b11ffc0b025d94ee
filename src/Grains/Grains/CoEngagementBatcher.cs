namespace OrleansTok.Grains;

/// <summary>
/// Gathers the symmetric halves of co-engagements in each silo and delivers them in one one-way call
/// per receiving video every flush period. Every positive interaction pairs its video with up to 20
/// recent positives of the user; one call per pair was most of the silo's messages under ingest.
/// Derived data, like impressions: a silo crash loses at most one period of pair counts.
/// </summary>
public sealed class CoEngagementBatcher(IClusterClient client, TimeProvider time) : PeriodicFlush(FlushPeriod, time)
{
    public static readonly TimeSpan FlushPeriod = TimeSpan.FromMilliseconds(250);
    private readonly Lock _lock = new();
    private Dictionary<string, List<CoEngagedWith>> _pending = new(StringComparer.Ordinal);

    /// <summary>Tells <paramref name="videoId"/>, at the next flush, that <paramref name="other"/> was co-engaged with it.</summary>
    public void Add(string videoId, CoEngagedWith other)
    {
        lock (_lock)
        {
            if (!_pending.TryGetValue(videoId, out var list)) _pending[videoId] = list = [];
            list.Add(other);
        }
    }

    protected override Task FlushAsync()
    {
        Dictionary<string, List<CoEngagedWith>> batch;
        lock (_lock)
        {
            if (_pending.Count == 0) return Task.CompletedTask;
            batch = _pending;
            _pending = new Dictionary<string, List<CoEngagedWith>>(batch.Count, StringComparer.Ordinal);
        }
        foreach (var (videoId, others) in batch) client.Get<IVideoGrain>(videoId).AddCoEngagements(others).Ignore();
        return Task.CompletedTask;
    }
}
