using OrleansTok.Journal;
using OrleansTok.Model;
using OrleansTok.Recommendation;

namespace OrleansTok.Tests.Postgres;

/// <summary>
/// The journal's committed totals against a real PostgreSQL: what makes applying exactly once in
/// effect now that videos and creators no longer write their counters themselves.
/// </summary>
public class AppliedCountersTests
{
    private static readonly VideoCounters View = CounterRules.Zero with { Views = 1, WatchTimeMs = 9_000, Completions = 1 };
    private static readonly VideoCounters Like = CounterRules.Zero with { Likes = 1 };

    [Fact]
    public async Task A_batch_counts_once_per_consumer_and_partition_however_often_it_is_committed()
    {
        await using var test = await TestJournal.StartAsync("totals");
        var journal = test.Journal;
        Assert.Null(await journal.ReadCountersAsync(CounterOwner.Video, "v1"));

        await journal.CommitCountersAsync(new JournalBatchId(0, 1), [new(CounterOwner.Video, "v1", View), new(CounterOwner.Creator, "c1", View)]);
        // A retry after a lost answer, and a replay after a crash, of the same batch.
        await journal.CommitCountersAsync(new JournalBatchId(0, 1), [new(CounterOwner.Video, "v1", View), new(CounterOwner.Creator, "c1", View)]);
        // A later batch adds; a batch of another partition reaches the creator through a row of its own.
        await journal.CommitCountersAsync(new JournalBatchId(0, 2), [new(CounterOwner.Video, "v1", Like), new(CounterOwner.Creator, "c1", Like)]);
        await journal.CommitCountersAsync(new JournalBatchId(1, 1), [new(CounterOwner.Video, "v2", View), new(CounterOwner.Creator, "c1", View)]);
        // Replaying the older batch 1 of partition 0 after batch 2 is no more than a replay.
        await journal.CommitCountersAsync(new JournalBatchId(0, 1), [new(CounterOwner.Video, "v1", View), new(CounterOwner.Creator, "c1", View)]);

        var video = (await journal.ReadCountersAsync(CounterOwner.Video, "v1"))!;
        Assert.Equal(CounterRules.Zero with { Views = 1, WatchTimeMs = 9_000, Completions = 1, Likes = 1 }, video.Totals);
        Assert.Equal(new Dictionary<int, long> { [0] = 2 }, video.Marks);

        var creator = (await journal.ReadCountersAsync(CounterOwner.Creator, "c1"))!;
        Assert.Equal(CounterRules.Zero with { Views = 2, WatchTimeMs = 18_000, Completions = 2, Likes = 1 }, creator.Totals);
        Assert.Equal(new Dictionary<int, long> { [0] = 2, [1] = 1 }, creator.Marks);

        // Videos and creators are apart even under the same id, and services sharing a database too.
        Assert.Null(await journal.ReadCountersAsync(CounterOwner.Video, "c1"));
        await using var other = await TestJournal.StartAsync("totals");
        Assert.Null(await other.Journal.ReadCountersAsync(CounterOwner.Video, "v1"));
    }

    [Fact]
    public async Task State_from_before_the_totals_seeds_them_once_and_later_batches_add_on()
    {
        await using var test = await TestJournal.StartAsync("seed");
        var journal = test.Journal;
        var fromState = new AppliedCounters(CounterRules.Zero with { Views = 5, Likes = 2 }, new Dictionary<int, long> { [0] = 7, [2] = 3 });

        var seeded = (await journal.SeedCountersAsync(CounterOwner.Creator, "c1", fromState))!;
        Assert.Equal(fromState.Totals, seeded.Totals);
        Assert.Equal(fromState.Marks, seeded.Marks);

        // Batches the state already held change nothing; the next one of each partition adds.
        await journal.CommitCountersAsync(new JournalBatchId(0, 7), [new(CounterOwner.Creator, "c1", Like)]);
        await journal.CommitCountersAsync(new JournalBatchId(2, 3), [new(CounterOwner.Creator, "c1", Like)]);
        await journal.CommitCountersAsync(new JournalBatchId(2, 4), [new(CounterOwner.Creator, "c1", Like)]);
        // A second seed (another activation's stale state) loses to what is committed.
        var again = (await journal.SeedCountersAsync(CounterOwner.Creator, "c1", fromState))!;

        Assert.Equal(CounterRules.Zero with { Views = 5, Likes = 3 }, again.Totals);
        Assert.Equal(new Dictionary<int, long> { [0] = 7, [2] = 4 }, again.Marks);
    }
}
