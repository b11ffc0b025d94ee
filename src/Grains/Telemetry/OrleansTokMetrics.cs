using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansTok.Telemetry;

/// <summary>
/// OrleansTok's own instruments (meter <c>OrleansTok</c>), exported with Orleans' and ASP.NET
/// Core's meters on every process's management port at <c>/metrics</c>.
/// </summary>
public static class OrleansTokMetrics
{
    public const string MeterName = "OrleansTok";
    private static readonly Meter Meter = new(MeterName, "1.0");

    /// <summary>Time to serve a feed page, as the API saw it.</summary>
    public static readonly Histogram<double> FeedDuration = Meter.CreateHistogram<double>(
        "orleanstok.feed.duration", "ms", "Time to serve one feed page",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] });

    /// <summary>Interactions acknowledged (journaled and applied to their user).</summary>
    public static readonly Counter<long> InteractionsAccepted = Meter.CreateCounter<long>(
        "orleanstok.interactions.accepted", "{interaction}", "Interactions journaled and applied to their user");

    /// <summary>Interactions applied to their video and creator by a journal partition.</summary>
    public static readonly Counter<long> InteractionsApplied = Meter.CreateCounter<long>(
        "orleanstok.interactions.applied", "{interaction}", "Interactions applied to videos and creators by the journal");

    /// <summary>From an interaction being journaled to it being applied to its video.</summary>
    public static readonly Histogram<double> JournalLag = Meter.CreateHistogram<double>(
        "orleanstok.journal.lag", "ms", "From journal append to video/creator apply",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] });

    /// <summary>From a video changing to its retrieval partition applying the change: the publisher's window plus stream delivery.</summary>
    public static readonly Histogram<double> CatalogStreamLag = Meter.CreateHistogram<double>(
        "orleanstok.stream.catalog.lag", "ms", "Catalog stream delivery lag, publish to apply",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] });

    /// <summary>Pages that ran out of unseen eligible candidates and were topped up with seen videos.</summary>
    public static readonly Counter<long> RecycledPages = Meter.CreateCounter<long>(
        "orleanstok.feed.recycled_pages", "{page}", "Feed pages topped up with already seen videos");

    /// <summary>Candidate retrievals for feed pages, by where they were answered: the user's candidate pool, the silo's catalogue replica or every partition.</summary>
    private static readonly Counter<long> Retrievals = Meter.CreateCounter<long>(
        "orleanstok.feed.retrievals", "{retrieval}", "Candidate retrievals for feed pages, by source (pool, replica or partitions)");

    public static void Retrieved(bool fromReplica) => Retrievals.Add(1, new KeyValuePair<string, object?>("from", fromReplica ? "replica" : "partitions"));

    /// <summary>A page ranked its user's pooled candidates (and the live fresh source) instead of retrieving.</summary>
    public static void RetrievedFromPool() => Retrievals.Add(1, new KeyValuePair<string, object?>("from", "pool"));

    /// <summary>Write-behind writes the silo's <c>WriteBudget</c> weighed, by outcome: admitted, deferred (tried again later) or overdue (written past the budget).</summary>
    private static readonly Counter<long> WriteBehindWrites = Meter.CreateCounter<long>(
        "orleanstok.storage.write_behind", "{write}", "Write-behind state writes weighed against the silo's budget, by outcome");

    public static void WriteBehind(string outcome) => WriteBehindWrites.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>Videos handed their co-engagement halves at a flush of their silo's batcher, by way: on their own activation in the silo, or in a grain call.</summary>
    private static readonly Counter<long> CoEngagementReceivers = Meter.CreateCounter<long>(
        "orleanstok.coengagement.receivers", "{video}", "Videos handed co-engagement pair halves at a batcher flush, by way (activation or call)");

    public static void CoEngagementDelivered(long onActivation, long byCall)
    {
        if (onActivation > 0) CoEngagementReceivers.Add(onActivation, new KeyValuePair<string, object?>("way", "activation"));
        if (byCall > 0) CoEngagementReceivers.Add(byCall, new KeyValuePair<string, object?>("way", "call"));
    }

    public static double MillisecondsSince(long timestamp) => Stopwatch.GetElapsedTime(timestamp).TotalMilliseconds;
}
