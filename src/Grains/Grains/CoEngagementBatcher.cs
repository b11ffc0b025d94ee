using Microsoft.Extensions.Logging;
namespace OrleansTok.Grains;

/// <summary>
/// Gathers the symmetric halves of co-engagements in each silo and delivers them in one one-way call
/// per receiving video every flush period. Every positive interaction pairs its video with up to 20
/// recent positives of the user; one call per pair was most of the silo's messages under ingest.
/// Derived data, like impressions: a silo crash loses at most one period of pair counts. Half a second
/// (with users' 250 ms neighbour refresh) keeps the symmetric half inside the product's one second;
/// at 250 ms random ingest over 10,000 videos sent about one call per pair-half in four.
/// </summary>
public sealed class CoEngagementBatcher(IClusterClient client, TimeProvider time, ILogger<CoEngagementBatcher> logger) : PeriodicFlush(FlushPeriod, time, logger)
{
    public static readonly TimeSpan FlushPeriod = TimeSpan.FromMilliseconds(500);
    private readonly Lock _lock = new();
    private Dictionary<string, List<CoEngagedWith>> _pending = new(StringComparer.Ordinal);

    /// <summary>Tells each of <paramref name="videoIds"/>, at the next flush, that <paramref name="other"/> was co-engaged with it.</summary>
    public void Add(IEnumerable<string> videoIds, CoEngagedWith other)
    {
        lock (_lock)
        {
            foreach (var videoId in videoIds)
            {
                if (!_pending.TryGetValue(videoId, out var list)) _pending[videoId] = list = [];
                list.Add(other);
            }
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
