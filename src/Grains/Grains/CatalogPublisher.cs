using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTok.Recommendation;
using OrleansTok.Streams;

namespace OrleansTok.Grains;

/// <summary>
/// Sends the catalog changes of this silo's videos to their retrieval partitions: one catalog-stream
/// event per partition per window, carrying the latest entry of every video changed since (popularity
/// gains summed). One stream event per video change was ~10,000 events a second under random ingest
/// over 10,000 videos and the largest share of the silo's stream work (dotnet-trace). Derived data:
/// a silo crash loses at most one window, and a video still being watched sends its whole entry again
/// within <see cref="FullEntryInterval"/>.
/// </summary>
public sealed class CatalogPublisher(IClusterClient client, IOptions<RecommendationOptions> options, TimeProvider time, ILogger<CatalogPublisher> logger)
    : PeriodicFlush(Window, time, logger)
{
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How often a video still being watched sends its whole entry rather than its refreshed stats
    /// (<see cref="CatalogChange.Refresh"/>): the bound on how long a partition restored without it
    /// goes on ignoring it.
    /// </summary>
    public static readonly TimeSpan FullEntryInterval = TimeSpan.FromSeconds(10);

    private readonly Lock _lock = new();
    // One send at a time, so every update reaches its partition's stream after the ones queued before it.
    private readonly SemaphoreSlim _sending = new(1, 1);
    private Dictionary<string, CatalogUpdate> _pending = new(StringComparer.Ordinal);

    /// <summary>Queues <paramref name="update"/> for the next window, folded into any update of the same video still waiting.</summary>
    public void Publish(CatalogUpdate update)
    {
        lock (_lock) Fold(update, queuedFirst: false);
    }

    /// <summary>Sends <paramref name="update"/> now, with everything queued before it: eligibility changes do not wait for the window.</summary>
    /// <remarks>
    /// The send runs off the calling grain's scheduler: a stream obtained inside a grain is cached in a
    /// stream directory of that activation's own (~1 KiB, heap dump), so every uploaded video kept one for
    /// the partition's stream. Outside any grain the silo's one directory holds the few partition streams.
    /// </remarks>
    public Task PublishNowAsync(CatalogUpdate update)
    {
        Publish(update);
        return Task.Run(FlushAsync);
    }

    /// <summary>
    /// Two updates of one video as one: the later wins, and two updates of an eligible video add up
    /// their popularity gains. Refreshed stats after a full entry make a full entry with those stats,
    /// so a partition still gets the entry it may not hold; stats after a removal are dropped, since
    /// only a full entry brings a removed video back.
    /// </summary>
    public static CatalogUpdate Merge(CatalogUpdate earlier, CatalogUpdate later)
    {
        if (later.Change == CatalogChange.Remove) return later;
        if (earlier.Change == CatalogChange.Remove) return later.Change == CatalogChange.Refresh ? earlier : later;
        if (later.Change == CatalogChange.Refresh && earlier.Entry is { } entry)
        {
            later = new CatalogUpdate(CatalogChange.Upsert, later.VideoId, later.Stats!.ApplyTo(entry), later.PopularityByCountry, later.At);
        }
        if (earlier.PopularityByCountry is null) return later;
        if (later.PopularityByCountry is null) return later with { PopularityByCountry = earlier.PopularityByCountry };
        var sum = new Dictionary<string, float>(earlier.PopularityByCountry, StringComparer.Ordinal);
        foreach (var (country, gain) in later.PopularityByCountry) sum[country] = sum.GetValueOrDefault(country) + gain;
        return later with { PopularityByCountry = sum };
    }

    protected override async Task FlushAsync()
    {
        await _sending.WaitAsync();
        try
        {
            Dictionary<string, CatalogUpdate> batch;
            lock (_lock)
            {
                if (_pending.Count == 0) return;
                batch = _pending;
                _pending = new Dictionary<string, CatalogUpdate>(batch.Count, StringComparer.Ordinal);
            }
            var partitions = options.Value.CatalogPartitions;
            var provider = client.GetStreamProvider(StreamNames.Provider);
            var sends = batch.Values
                .GroupBy(u => IdHash.Partition(u.VideoId, partitions))
                .Select(async g =>
                {
                    var updates = g.ToList();
                    try
                    {
                        await provider.GetStream<CatalogUpdates>(StreamId.Create(StreamNames.Catalog, g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                            .OnNextAsync(new CatalogUpdates(updates));
                    }
                    catch
                    {
                        Requeue(updates);
                        throw;
                    }
                });
            await Task.WhenAll(sends);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Puts updates that could not be sent back in front of anything queued since.</summary>
    private void Requeue(IEnumerable<CatalogUpdate> updates)
    {
        lock (_lock)
        {
            foreach (var update in updates) Fold(update, queuedFirst: true);
        }
    }

    /// <summary>Folds <paramref name="update"/> into the waiting one of its video; <paramref name="queuedFirst"/>: it predates that one.</summary>
    private void Fold(CatalogUpdate update, bool queuedFirst)
    {
        if (!_pending.TryGetValue(update.VideoId, out var waiting)) _pending[update.VideoId] = update;
        else _pending[update.VideoId] = queuedFirst ? Merge(update, waiting) : Merge(waiting, update);
    }
}
