using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTok.Model;
using OrleansTok.Recommendation;

namespace OrleansTok.Grains;

/// <summary>
/// Keeps this silo's <see cref="LocalCatalog"/> current by pulling every retrieval partition's
/// change feed each <see cref="RecommendationOptions.CatalogReplicaRefresh"/>. Feed pages in this
/// silo retrieve from it while it is current (every partition answered within
/// <see cref="MaxStaleness"/>) and from the partitions themselves otherwise: right after start,
/// or while a partition cannot be reached.
/// </summary>
public sealed partial class CatalogReplica(IClusterClient client, IOptions<RecommendationOptions> options, TimeProvider time, ILogger<CatalogReplica> logger)
    : BackgroundService
{
    /// <summary>Past this, the replica is not used: the product promises other users see changes within a second.</summary>
    public static readonly TimeSpan MaxStaleness = TimeSpan.FromSeconds(1);

    private readonly RecommendationOptions _options = options.Value;
    private readonly LocalCatalog _catalog = new(options.Value.TrendingHalfLife, time.GetUtcNow(), options.Value.ClusteredScan);
    private long _currentSinceTicks = DateTimeOffset.MinValue.UtcTicks;

    /// <summary>Whether every partition answered within <see cref="MaxStaleness"/>.</summary>
    public bool IsCurrent =>
        _options.CatalogReplicaRefresh > TimeSpan.Zero &&
        time.GetUtcNow().UtcTicks - Interlocked.Read(ref _currentSinceTicks) <= MaxStaleness.Ticks;

    public bool TryRetrieve(RetrievalQuery query, out List<Candidate> candidates)
    {
        var current = IsCurrent;
        candidates = current ? _catalog.Retrieve(query, time.GetUtcNow(), _options.FreshWindow) : [];
        return current;
    }

    /// <summary>
    /// A page from a user's <see cref="CandidatePool"/>: the pooled candidates still eligible, with
    /// current entries, into <paramref name="into"/>, and the fresh source. False while the replica
    /// is not current: the page then retrieves from the partitions.
    /// </summary>
    public bool TryRefresh(CandidatePool pool, RetrievalQuery query, List<ScoredCandidate> into, out List<Candidate> fresh)
    {
        var current = IsCurrent;
        fresh = current ? _catalog.Refresh(pool, query, time.GetUtcNow(), _options.FreshWindow, into) : [];
        return current;
    }

    /// <summary>
    /// Adds the catalog entries of the eligible videos among <paramref name="videoIds"/> to
    /// <paramref name="into"/> and returns the ids left to ask their video grains about (all of
    /// them while the replica is not current).
    /// </summary>
    public List<string> Resolve(List<string> videoIds, Dictionary<string, CatalogEntry> into) =>
        IsCurrent ? _catalog.Resolve(videoIds, into) : videoIds;

    public bool TryTrending(string? country, string? language, int count, out List<TrendingVideo> trending)
    {
        var current = IsCurrent;
        trending = current ? _catalog.Trending(country, language, count, time.GetUtcNow()) : [];
        return current;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.CatalogReplicaRefresh <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(_options.CatalogReplicaRefresh, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await PullAsync();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One round: every partition's changes since this replica's cursor for it, in parallel.</summary>
    public async Task PullAsync()
    {
        var startedAt = time.GetUtcNow();
        var pulls = new Task<CatalogChanges>[_options.CatalogPartitions];
        for (var p = 0; p < pulls.Length; p++)
        {
            pulls[p] = client.CatalogPartition(p).Changes(_catalog.CursorOf(p));
        }
        var complete = true;
        for (var p = 0; p < pulls.Length; p++)
        {
            try
            {
                _catalog.Apply(p, await pulls[p]);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                complete = false;
                LogPullFailed(logger, p, e.Message);
            }
        }
        // Current as of when the round started: changes made during it arrive with the next one.
        if (complete) Interlocked.Exchange(ref _currentSinceTicks, startedAt.UtcTicks);
        _catalog.RefreshRankings(time.GetUtcNow(), _options.FreshWindow);
    }

    public override void Dispose()
    {
        base.Dispose();
        _catalog.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Catalog replica could not pull partition {Partition}: {Reason}")]
    private static partial void LogPullFailed(ILogger logger, int partition, string reason);
}
