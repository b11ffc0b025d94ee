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
/// <remarks>
/// A receiver activated on this silo with its neighbours loaded is handed its halves on its own
/// activation's scheduler instead (<see cref="Attach"/>): at 100,000 videos most receivers get one or
/// two halves a flush, and the call around them (message, addressing, dispatch) cost more than
/// counting them (docs/benchmarks.md, round 33).
/// </remarks>
public sealed class CoEngagementBatcher(IClusterClient client, VideoHandles handles, TimeProvider time, ILogger<CoEngagementBatcher> logger) : PeriodicFlush(FlushPeriod, time, logger)
{
    public static readonly TimeSpan FlushPeriod = TimeSpan.FromMilliseconds(500);
    private readonly Lock _lock = new();
    // Adds fill one; a flush swaps them and drains the full one outside the lock (flushes never overlap).
    private PendingHalves _filling = new(), _draining = new();
    /// <summary>This silo's videos that take their halves without a call, by handle (null: by a call).</summary>
    private VideoGrain?[] _local = new VideoGrain?[1024];
    private readonly Lock _localLock = new();
    private long _deliveredLocally;

    /// <summary>Receivers handed their halves on their own activation so far.</summary>
    public long DeliveredLocally => Interlocked.Read(ref _deliveredLocally);

    /// <summary>From now on <paramref name="video"/> (handle <paramref name="handle"/>) takes its halves on its own activation.</summary>
    internal void Attach(int handle, VideoGrain video)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(handle);
        lock (_localLock)
        {
            if (handle >= _local.Length)
            {
                var grown = new VideoGrain?[Math.Max(2 * _local.Length, handle + 1)];
                _local.CopyTo(grown, 0);
                Volatile.Write(ref _local, grown); // a flush still reading the old array sends by a call: slower, not lost
            }
            _local[handle] = video;
        }
    }

    /// <summary>The activation is leaving: its halves go by a call again (to whichever activation comes next).</summary>
    internal void Detach(int handle, VideoGrain video)
    {
        lock (_localLock)
        {
            if ((uint)handle < (uint)_local.Length && ReferenceEquals(_local[handle], video)) _local[handle] = null;
        }
    }

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
        var local = Volatile.Read(ref _local);
        long delivered = 0, sent = 0;
        foreach (var (video, others) in full.Drain())
        {
            // An activation that detaches after this read sends its halves on itself (VideoGrain.TakeHalves).
            if ((uint)video < (uint)local.Length && local[video] is { } receiver)
            {
                receiver.Hand(others);
                delivered++;
            }
            else
            {
                client.Get<IVideoGrain>(handles.IdOf(video)).AddCoEngagements(others).Ignore();
                sent++;
            }
        }
        Interlocked.Add(ref _deliveredLocally, delivered);
        Telemetry.OrleansTokMetrics.CoEngagementDelivered(delivered, sent);
        return Task.CompletedTask;
    }
}
