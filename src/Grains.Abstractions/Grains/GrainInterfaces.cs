using OrleansTok.Model;
using Orleans.Concurrency;
using OrleansTok.Streams;

namespace OrleansTok.Grains;

// [Immutable] on a list argument: every caller builds the list for that call and never touches it
// again, so a call within one silo hands the list over instead of deep-copying it (the copies were
// a few percent of a silo's CPU under ingest).

/// <summary>A user: settings, live embeddings, controls, seen set and the impressions of recent pages.</summary>
[Alias("ot.IUserGrain")]
public interface IUserGrain : IGrainWithStringKey
{
    [Alias("Create")] Task<CommandStatus> Create(UserSettings settings);
    [Alias("Exists")] Task<bool> Exists();
    [Alias("GetSummary")] Task<UserSummary?> GetSummary();
    [Alias("GetProfile")] Task<UserProfile?> GetProfile();
    [Alias("Record")] Task<InteractionResult> Record([Immutable] IReadOnlyList<Interaction> events);
    [Alias("GetFeed")] Task<FeedPage?> GetFeed(FeedRequest request);
    [Alias("Follow")] Task<CommandStatus> Follow(string creatorId);
    [Alias("Unfollow")] Task<CommandStatus> Unfollow(string creatorId);
    [Alias("ResetFeed")] Task<CommandStatus> ResetFeed();
}

/// <summary>A video: metadata, status, live counters and its learned embedding.</summary>
[Alias("ot.IVideoGrain")]
public interface IVideoGrain : IGrainWithStringKey
{
    [Alias("Upload")] Task<CommandStatus> Upload(VideoUpload upload);
    // Reads interleave with a journal batch that is waiting for its storage write: they answer from
    // memory at once instead of queueing behind the database (a failed write replays the batch).
    [Alias("GetDetails"), AlwaysInterleave] Task<VideoDetails?> GetDetails();
    [Alias("GetEntry"), AlwaysInterleave] Task<CatalogEntry?> GetEntry();
    [Alias("SetStatus")] Task<CommandStatus> SetStatus(VideoStatus status);

    /// <summary>The videos most co-engaged with this one.</summary>
    [Alias("GetNeighbours"), AlwaysInterleave] Task<IReadOnlyList<Neighbour>> GetNeighbours(int count);

    /// <summary>
    /// Impressions served by one silo over its batching window (<see cref="Streams.VideoSignal.ImpressionBatch"/>):
    /// derived data, at most once. A one-way call, not a stream: a stream subscription per video cost
    /// ~1.3 KiB of every activated video (heap dump), for one message a second at most.
    /// </summary>
    [Alias("AddImpressions"), Orleans.Concurrency.OneWay] Task AddImpressions(VideoSignal impressions);

    /// <summary>
    /// Other videos were engaged by users who also engaged this one (the symmetric halves of
    /// co-engagements), gathered per silo and delivered in one call per video.
    /// </summary>
    [Alias("AddCoEngagements"), Orleans.Concurrency.OneWay] Task AddCoEngagements([Immutable] IReadOnlyList<CoEngagedWith> others);

    /// <summary>
    /// Applies this video's signals of one journal batch in memory, unless that batch was already
    /// applied. Answers the counter delta of the batch (the same on a replay), for the creator. With
    /// a durable journal the applier has committed that delta before it calls.
    /// </summary>
    [Alias("ApplyJournal")] Task<VideoCounters> ApplyJournal(JournalBatchId batch, [Immutable] IReadOnlyList<VideoSignal> signals);

    /// <summary>The counter delta these signals would add, changing nothing: what the applier commits before any consumer applies.</summary>
    [Alias("CountJournal")] Task<VideoCounters> CountJournal([Immutable] IReadOnlyList<VideoSignal> signals);
}

/// <summary>A creator's public page: followers, uploads, aggregate engagement.</summary>
[Alias("ot.ICreatorGrain")]
public interface ICreatorGrain : IGrainWithStringKey
{
    [Alias("GetSummary"), AlwaysInterleave] Task<CreatorSummary> GetSummary();

    /// <summary>A video of this creator's was uploaded (called by the video before its upload returns; repeats are ignored).</summary>
    [Alias("RecordUpload")] Task RecordUpload(string videoId, [Immutable] float[] embedding);

    /// <summary>A user followed (+1) or unfollowed (-1) this creator (called by the user before the change returns).</summary>
    [Alias("ChangeFollowers")] Task ChangeFollowers(int delta);

    /// <summary>Adds the engagement of one journal batch in memory unless that batch was already applied (with a durable journal, committed before).</summary>
    [Alias("ApplyJournal")] Task ApplyJournal(JournalBatchId batch, VideoCounters delta);
}

/// <summary>
/// Applies one partition of the durable interaction journal to videos and creators, batch after
/// batch, exactly once in effect. Keyed by partition number.
/// </summary>
[Alias("ot.IJournalApplierGrain")]
public interface IJournalApplierGrain : IGrainWithIntegerKey
{
    /// <summary>New records may be waiting (sent by journal writers; also wakes the grain after a failover).</summary>
    [Alias("Kick"), Orleans.Concurrency.OneWay] Task Kick();

    /// <summary>Embedded (non-durable) journal: hands records straight to the partition.</summary>
    [Alias("Enqueue")] Task Enqueue([Immutable] IReadOnlyList<JournalRecord> records);

    [Alias("GetProgress")] Task<JournalProgress> GetProgress();
}

/// <summary>
/// One partition of the eligible catalogue (videos hashed by id). It answers every candidate
/// source in one pass, so a feed request costs one call per partition, never one per video.
/// </summary>
[Alias("ot.ICatalogPartitionGrain")]
public interface ICatalogPartitionGrain : IGrainWithStringKey
{
    [Alias("Retrieve")] Task<CandidateBatch> Retrieve(RetrievalQuery query);
    [Alias("Trending")] Task<IReadOnlyList<TrendingVideo>> Trending(string? country, string? language, int count);
    [Alias("Count")] Task<int> Count();

    /// <summary>Applies one catalog change at once, ahead of the catalog stream (uploads use it; the stream copy follows).</summary>
    [Alias("Apply")] Task Apply(CatalogUpdate update);

    /// <summary>
    /// What changed in the partition after <paramref name="since"/> (everything, when the cursor is
    /// null or from another activation): how each silo keeps its local catalogue replica current.
    /// </summary>
    [Alias("Changes"), AlwaysInterleave] Task<CatalogChanges> Changes(CatalogCursor? since);
}

/// <summary>Trending across all partitions, merged; a stateless worker in every silo.</summary>
[Alias("ot.ITrendingGrain")]
public interface ITrendingGrain : IGrainWithIntegerKey
{
    [Alias("GetTrending")] Task<IReadOnlyList<TrendingVideo>> GetTrending(string? country, string? language, int count);
}
