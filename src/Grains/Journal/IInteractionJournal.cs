using OrleansTok.Model;

namespace OrleansTok.Journal;

/// <summary>A journal record with its position: the journal id (per user, ids only grow) and the batch that claimed it.</summary>
public readonly record struct StoredRecord(long Id, long Batch, JournalRecord Record);

/// <summary>
/// The interaction journal: every interaction is appended here before the API acknowledges it,
/// then applied to videos and creators by the partition appliers. The PostgreSQL journal is
/// durable; the embedded one hands records straight to the appliers and lives only in memory.
/// </summary>
public interface IInteractionJournal
{
    /// <summary>True when appended records survive any process dying (and users and appliers must replay them).</summary>
    bool IsDurable { get; }

    /// <summary>Appends the records (a record whose user and event id are already journaled is skipped) and answers the highest journal id written, 0 if none.</summary>
    Task<long> AppendAsync(IReadOnlyList<JournalRecord> records);

    /// <summary>A user's records after <paramref name="afterId"/>, oldest first (durable journals only).</summary>
    Task<IReadOnlyList<StoredRecord>> ReadUserAsync(string userId, long afterId);

    /// <summary>The highest batch number ever claimed in a partition, 0 if none.</summary>
    Task<long> LastClaimedBatchAsync(int partition);

    /// <summary>Records claimed by batches after <paramref name="afterBatch"/>, ordered by batch then id.</summary>
    Task<IReadOnlyList<StoredRecord>> ReadClaimedAsync(int partition, long afterBatch);

    /// <summary>
    /// Claims up to <paramref name="max"/> waiting records of a partition for <paramref name="batch"/>, oldest first.
    /// Throws <see cref="JournalBatchTakenException"/> when that number was already claimed.
    /// </summary>
    Task<IReadOnlyList<StoredRecord>> ClaimAsync(int partition, long batch, int max);

    /// <summary>Deletes records applied at or before <paramref name="appliedBatch"/> by batches claimed longer than <paramref name="retention"/> ago (so the records are older still).</summary>
    Task TrimAsync(int partition, long appliedBatch, TimeSpan retention);

    /// <summary>
    /// Adds an applied batch's deltas to their consumers' durable totals, in one statement. A
    /// consumer whose total already includes this batch of the partition is left alone, so
    /// committing a batch again changes nothing. The embedded journal keeps no totals: there the
    /// grains' memory is the only copy, as it is of the journal itself.
    /// </summary>
    Task CommitCountersAsync(Model.JournalBatchId batch, IReadOnlyList<CounterDelta> deltas);

    /// <summary>A consumer's committed totals, or null when no batch has reached it (always null for the embedded journal).</summary>
    Task<AppliedCounters?> ReadCountersAsync(CounterOwner owner, string id);

    /// <summary>
    /// Gives a consumer that has no committed totals yet the ones its own state holds (written there
    /// before the journal kept totals; they include exactly the batches of their marks), then answers
    /// what is committed. A total committed meanwhile wins. The embedded journal keeps none and
    /// answers null.
    /// </summary>
    Task<AppliedCounters?> SeedCountersAsync(CounterOwner owner, string id, AppliedCounters fromState);
}

/// <summary>Who holds a journal-derived total: a video, or a creator (the sum over its videos).</summary>
public enum CounterOwner
{
    Video,
    Creator,
}

/// <summary>One consumer's share of an applied batch.</summary>
public readonly record struct CounterDelta(CounterOwner Owner, string Id, Model.VideoCounters Delta);

/// <summary>A consumer's committed totals and, per partition, the last batch they include.</summary>
public sealed record AppliedCounters(Model.VideoCounters Totals, IReadOnlyDictionary<int, long> Marks);

/// <summary>
/// Another applier activation of the partition claimed this batch number first (one that outlived
/// its deactivation, or its successor): the caller must recover from the journal before claiming again.
/// </summary>
public sealed class JournalBatchTakenException(int partition, long batch)
    : Exception($"Journal partition {partition} already has a batch {batch}");

public static class JournalPartitioning
{
    /// <summary>Records are partitioned by video, so all of a video's records are applied by one partition, in batch order.</summary>
    public static int Of(string videoId, int partitions) => Recommendation.IdHash.Partition(videoId, partitions);
}
