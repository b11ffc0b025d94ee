namespace OrleansTok.Journal;

/// <summary>Settings of the interaction journal (configuration section <c>Journal</c>); every silo must agree on <see cref="Partitions"/>.</summary>
public sealed class JournalOptions
{
    public const string Section = "Journal";

    /// <summary>Journal partitions, each applied by one grain in order; records are partitioned by video.</summary>
    public int Partitions { get; set; } = 4;

    /// <summary>
    /// Most records one partition claims and applies as one batch. An applier takes what is waiting,
    /// so this only matters under load, where each batch costs a grain call per distinct video and
    /// per distinct creator in it: on the quick catalogue ~1.3 calls per record at 1,000, ~0.5 at
    /// 5,000 (a partition's videos and the creators recur within a batch). As large as
    /// <see cref="MaxWaiting"/>, an applier takes everything waiting at once. Side by side against
    /// 1,000 (docs/benchmarks.md, round 27) embedded ingest applied more in six pairs of six
    /// (medians 43,793 → 47,541 a second, CPU per 1,000 events 41.9 → 39.2 ms); durable was level.
    /// </summary>
    public int BatchSize { get; set; } = 5000;

    /// <summary>How often appliers look for records whose wake-up call was lost, and how often silos wake appliers after a failover.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long applied records stay, for users whose write-behind state must be replayed after a crash.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Embedded journal: most records a partition holds unapplied before new appends wait for it.
    /// Without a bound, a silo acknowledged interactions faster than it applied them (29k/s against
    /// 18k/s), so memory and the lag to videos, creators and fresh uploads grew for as long as the
    /// load lasted. At about 5,000 records a second per partition this bounds the lag near a second.
    /// </summary>
    public int MaxWaiting { get; set; } = 5000;

    /// <summary>Most records one INSERT of the group-commit writer carries.</summary>
    public int MaxWriteBatch { get; set; } = 2000;

    /// <summary>
    /// Group-commit INSERTs a silo keeps in flight at once. With one, the silo waited on every
    /// round trip and commit (fsync) with nothing else sent; two overlap them. Side by side on two
    /// cores (docs/benchmarks.md, round 22) two applied +15 % and acknowledged +26 % at batches of
    /// 100. A user's appends stay in order: its grain awaits each before the next.
    /// </summary>
    public int Writers { get; set; } = 2;
}
