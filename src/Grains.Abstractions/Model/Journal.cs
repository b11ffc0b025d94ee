using OrleansTok.Streams;

namespace OrleansTok.Model;

/// <summary>
/// One acknowledged interaction as the durable journal keeps it: what the user did, and the signal
/// the user grain derived from it for the video (deltas, engagement, the user's embedding), so a
/// replay applies exactly what the first attempt would have.
/// </summary>
[GenerateSerializer, Immutable, Alias("ot.JournalRecord")]
public sealed record JournalRecord(
    [property: Id(0)] string UserId,
    [property: Id(1)] string CreatorId,
    [property: Id(2)] Interaction Interaction,
    [property: Id(3)] VideoSignal Signal,
    [property: Id(4)] DateTimeOffset AppendedAt);

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
