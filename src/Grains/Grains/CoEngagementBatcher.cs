using Microsoft.Extensions.Logging;
using OrleansTok.Recommendation;

namespace OrleansTok.Grains;

/// <summary>
/// Gathers the symmetric halves of co-engagements in each silo and delivers them in one one-way call
/// per receiving video every flush period. Every positive interaction pairs its video with up to 20
/// recent positives of the user; one call per pair was most of the silo's messages under ingest.
/// Derived data, like impressions: a silo crash loses at most one period of pair counts. Half a second
/// (with users' 250 ms neighbour refresh) keeps the symmetric half inside the product's one second;
/// at 250 ms random ingest over 10,000 videos sent about one call per pair-half in four. Receivers
/// are held by the silo's <see cref="VideoHandles"/>, which the sender has looked up already.
/// </summary>
public sealed class CoEngagementBatcher(IClusterClient client, VideoHandles handles, TimeProvider time, ILogger<CoEngagementBatcher> logger) : PeriodicFlush(FlushPeriod, time, logger)
{
    public static readonly TimeSpan FlushPeriod = TimeSpan.FromMilliseconds(500);
    private readonly Lock _lock = new();
    // Adds fill one; a flush swaps them and drains the full one outside the lock (flushes never overlap).
    private PendingHalves _filling = new(), _draining = new();

    /// <summary>Tells each of <paramref name="videos"/> (handles), at the next flush, that <paramref name="other"/> was co-engaged with it.</summary>
    public void Add(ReadOnlySpan<int> videos, CoEngagedWith other)
    {
        lock (_lock) _filling.Add(videos, other);
    }

    protected override Task FlushAsync()
    {
        PendingHalves full;
        lock (_lock)
        {
            if (_filling.Count == 0) return Task.CompletedTask;
            full = _filling;
            _filling = _draining;
            _draining = full;
        }
        foreach (var (video, others) in full.Drain()) client.Get<IVideoGrain>(handles.IdOf(video)).AddCoEngagements(others).Ignore();
        return Task.CompletedTask;
    }
}
