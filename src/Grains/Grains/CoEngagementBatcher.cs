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
    // By receiver handle: handles are dense, so a slot is an index, not a hash (a dictionary lookup
    // per pair-half was ~4 % of ingest, perf). Only the touched slots are visited at a flush.
    private List<CoEngagedWith>?[] _pending = new List<CoEngagedWith>?[1024];
    private List<int> _touched = [];

    /// <summary>Tells each of <paramref name="videos"/> (handles), at the next flush, that <paramref name="other"/> was co-engaged with it.</summary>
    public void Add(ReadOnlySpan<int> videos, CoEngagedWith other)
    {
        lock (_lock)
        {
            foreach (var video in videos)
            {
                if (video >= _pending.Length) Array.Resize(ref _pending, Math.Max(2 * _pending.Length, video + 1));
                ref var list = ref _pending[video];
                if (list is null)
                {
                    list = [];
                    _touched.Add(video);
                }
                list.Add(other);
            }
        }
    }

    protected override Task FlushAsync()
    {
        (int Video, List<CoEngagedWith> Others)[] batch;
        lock (_lock)
        {
            if (_touched.Count == 0) return Task.CompletedTask;
            batch = new (int, List<CoEngagedWith>)[_touched.Count];
            for (var i = 0; i < batch.Length; i++)
            {
                var video = _touched[i];
                batch[i] = (video, _pending[video]!);
                _pending[video] = null;
            }
            _touched = new List<int>(_touched.Count);
        }
        foreach (var (video, others) in batch) client.Get<IVideoGrain>(handles.IdOf(video)).AddCoEngagements(others).Ignore();
        return Task.CompletedTask;
    }
}
