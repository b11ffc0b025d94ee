using OrleansTok.Streams;

namespace OrleansTok.Model;

/// <summary>
/// One acknowledged interaction as the durable journal keeps it: what the user did, and the signal
/// the user grain derived from it for the video (deltas, engagement, the user's embedding), so a
/// replay applies exactly what the first attempt would have. The interaction itself is the
/// signal's event, video, type, watch time and time plus the feed page it came from: a record
/// stores those once (it stored them twice, 48 B of every row, until round 24).
/// </summary>
[GenerateSerializer, Immutable, Alias("ot.JournalRecord")]
public sealed record JournalRecord(
    [property: Id(0)] string UserId,
    [property: Id(1)] string CreatorId,
    [property: Id(3)] VideoSignal Signal,
    [property: Id(4)] DateTimeOffset AppendedAt,
    [property: Id(5)] string? FeedRequestId)
{
    /// <summary>The interaction as posted, in records written before it was derived from the signal.</summary>
    [Id(2)] public Interaction? Posted { get; init; }

    public Interaction Interaction =>
        Posted ?? new Interaction(Signal.EventId, Signal.VideoId, Signal.Type, Signal.WatchMs, FeedRequestId, Signal.At);
}

/// <summary>
/// A batch of journal records claimed by one journal partition. Batches of a partition are
/// numbered 1, 2, 3… and applied in that order, so a consumer that remembers the last batch it
/// applied per partition recognises a replay.
/// </summary>
[GenerateSerializer, Immutable, Alias("ot.JournalBatchId")]
public readonly record struct JournalBatchId(
    [property: Id(0)] int Partition,
    [property: Id(1)] long Batch);

/// <summary>How far one journal partition has got, for operators and tests.</summary>
[GenerateSerializer, Immutable, Alias("ot.JournalProgress")]
public sealed record JournalProgress(
    [property: Id(0)] int Partition,
    [property: Id(1)] long AppliedBatch,
    [property: Id(2)] long AppliedRecords,
    [property: Id(3)] int Waiting);
