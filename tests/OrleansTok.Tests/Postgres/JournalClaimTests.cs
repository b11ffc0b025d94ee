using Npgsql;
using OrleansTok.Journal;
using OrleansTok.Model;
using OrleansTok.Streams;

namespace OrleansTok.Tests.Postgres;

/// <summary>
/// The journal's claims against a real PostgreSQL: each batch number names one range of records,
/// and each record falls in one range, whatever order appends commit in. Two applier activations of a partition (one outliving its deactivation) once claimed the same
/// number for different records, and consumers skipped the second set as a replay.
/// </summary>
public class JournalClaimTests
{
    [Fact]
    public async Task A_batch_number_is_claimed_once_and_a_second_claim_takes_nothing()
    {
        await using var test = await TestJournal.StartAsync("fence");
        var (journal, serviceId) = (test.Journal, test.ServiceId);

        await InsertWaiting(serviceId, "e1");
        await InsertWaiting(serviceId, "e2");

        Assert.Equal("e1", Assert.Single(await journal.ClaimAsync(0, batch: 1, max: 1)).Record.Interaction.EventId);
        await Assert.ThrowsAsync<JournalBatchTakenException>(() => journal.ClaimAsync(0, batch: 1, max: 1));
        Assert.Equal("e2", Assert.Single(await journal.ClaimAsync(0, batch: 2, max: 1)).Record.Interaction.EventId);

        // Nothing waiting: the number stays free for the next record.
        Assert.Empty(await journal.ClaimAsync(0, batch: 3, max: 1));
        Assert.Equal(2, await journal.LastClaimedBatchAsync(0));
        await InsertWaiting(serviceId, "e3");
        Assert.Equal("e3", Assert.Single(await journal.ClaimAsync(0, batch: 3, max: 1)).Record.Interaction.EventId);
    }

    [Fact]
    public async Task A_claim_waits_for_no_append_and_takes_records_that_commit_late_in_order()
    {
        await using var test = await TestJournal.StartAsync("late");
        var (journal, serviceId) = (test.Journal, test.ServiceId);

        // An append in flight: its record has its id and its transaction, uncommitted.
        await using var early = new NpgsqlConnection(TestJournal.ConnectionString);
        await early.OpenAsync();
        await using var inFlight = await early.BeginTransactionAsync();
        await InsertWaiting(serviceId, "early", early, inFlight);
        await InsertWaiting(serviceId, "late"); // a larger id and a later transaction, committed first

        // The claim answers at once and takes nothing past the open append: "late" would otherwise
        // be claimed, and "early" fall behind a range that had passed it.
        var claim = journal.ClaimAsync(0, batch: 1, max: 10);
        Assert.Same(claim, await Task.WhenAny(claim, Task.Delay(TimeSpan.FromSeconds(5))));
        Assert.Empty(await claim);

        await inFlight.CommitAsync();
        Assert.Equal(["early", "late"], (await journal.ClaimAsync(0, batch: 1, max: 10)).Select(r => r.Record.Interaction.EventId));
        Assert.Equal(["early", "late"], (await journal.ReadClaimedAsync(0, afterBatch: 0)).Select(r => r.Record.Interaction.EventId));
        Assert.Empty(await journal.ClaimAsync(0, batch: 2, max: 10));
    }

    [Fact]
    public async Task Claimers_racing_on_one_partition_take_every_record_exactly_once()
    {
        await using var test = await TestJournal.StartAsync("race");
        var (journal, serviceId) = (test.Journal, test.ServiceId);
        var events = Enumerable.Range(0, 400).Select(i => $"e{i:D3}").ToList();
        await InsertWaiting(serviceId, events);

        // Eight claimers, each taking the numbers after the last one it saw claimed, as appliers do
        // after losing a number: some claims fail on the number or on the range's start, none overlap.
        var claimed = new System.Collections.Concurrent.ConcurrentBag<(long Batch, string Event)>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var idle = 0;
            while (idle < 3)
            {
                var batch = await journal.LastClaimedBatchAsync(0) + 1;
                try
                {
                    var records = await journal.ClaimAsync(0, batch, max: 7);
                    idle = records.Count == 0 ? idle + 1 : 0;
                    foreach (var r in records) claimed.Add((batch, r.Record.Interaction.EventId));
                }
                catch (JournalBatchTakenException)
                {
                }
            }
        })));

        Assert.Equal(events, claimed.Select(c => c.Event).Order(StringComparer.Ordinal));
        var replayed = await journal.ReadClaimedAsync(0, afterBatch: 0);
        Assert.Equal(claimed.OrderBy(c => c.Batch).ThenBy(c => c.Event, StringComparer.Ordinal), replayed.Select(r => (r.Batch, r.Record.Interaction.EventId)));
    }

    [Fact]
    public async Task A_trim_deletes_the_applied_batches_claimed_before_the_retention_and_keeps_the_rest()
    {
        await using var test = await TestJournal.StartAsync("trim");
        var (journal, serviceId) = (test.Journal, test.ServiceId);
        foreach (var (batch, events) in new[] { (1L, new[] { "a1", "a2" }), (2L, ["b1"]), (3L, ["c1"]) })
        {
            await InsertWaiting(serviceId, events);
            Assert.Equal(events.Length, (await journal.ClaimAsync(0, batch, max: 10)).Count);
        }
        await InsertWaiting(serviceId, "waiting");
        async Task<(long, string)[]> Claimed() =>
            [.. (await journal.ReadClaimedAsync(0, afterBatch: 0)).Select(r => (r.Batch, r.Record.Interaction.EventId))];

        // The retention runs from the claim: records appended long ago but claimed just now stay.
        await Execute(serviceId, "UPDATE orleanstok_journal SET created_at = now() - interval '2 hours' WHERE service_id = $1");
        await journal.TrimAsync(0, appliedBatch: 2, retention: TimeSpan.FromHours(1));
        Assert.Equal([(1L, "a1"), (1L, "a2"), (2L, "b1"), (3L, "c1")], await Claimed());

        // Batch 1 claimed two hours ago goes; batch 2 (claimed within the hour) and batch 3 (not applied) stay.
        await Execute(serviceId, "UPDATE orleanstok_journal_batches SET created_at = now() - interval '2 hours' WHERE service_id = $1 AND batch = 1");
        await journal.TrimAsync(0, appliedBatch: 2, retention: TimeSpan.FromHours(1));
        Assert.Equal([(2L, "b1"), (3L, "c1")], await Claimed());

        // All applied and past a zero retention: every claimed record goes, the newest claim's number
        // stays for the next, and the waiting record is still claimed.
        await journal.TrimAsync(0, appliedBatch: 3, retention: TimeSpan.Zero);
        Assert.Empty(await Claimed());
        Assert.Equal(3, await journal.LastClaimedBatchAsync(0));
        Assert.Equal("waiting", Assert.Single(await journal.ClaimAsync(0, batch: 4, max: 10)).Record.Interaction.EventId);
    }

    [Fact]
    public async Task Records_claimed_one_by_one_before_ranges_are_still_replayed_and_trimmed()
    {
        await using var test = await TestJournal.StartAsync("legacy");
        var (journal, serviceId) = (test.Journal, test.ServiceId);

        // A batch as claims wrote it before schema 005: the number in each record, no range.
        await InsertWaiting(serviceId, ["old1", "old2"]);
        await Execute(serviceId, """
            UPDATE orleanstok_journal SET batch = 1 WHERE service_id = $1;
            INSERT INTO orleanstok_journal_batches (service_id, partition, batch) VALUES ($1, 0, 1);
            """);
        await InsertWaiting(serviceId, "new");

        Assert.Equal(1, await journal.LastClaimedBatchAsync(0));
        Assert.Equal("new", Assert.Single(await journal.ClaimAsync(0, batch: 2, max: 10)).Record.Interaction.EventId);
        Assert.Equal([(1L, "old1"), (1L, "old2"), (2L, "new")],
            (await journal.ReadClaimedAsync(0, afterBatch: 0)).Select(r => (r.Batch, r.Record.Interaction.EventId)));

        await journal.TrimAsync(0, appliedBatch: 2, retention: TimeSpan.Zero);
        Assert.Empty(await journal.ReadClaimedAsync(0, afterBatch: 0));
        Assert.Equal(2, await journal.LastClaimedBatchAsync(0));
    }

    private static Task InsertWaiting(string serviceId, string eventId, NpgsqlConnection? connection = null, NpgsqlTransaction? transaction = null) =>
        InsertWaiting(serviceId, [eventId], connection, transaction);

    /// <summary>Appends the events as records of partition 0, in order, in one transaction.</summary>
    private static async Task InsertWaiting(string serviceId, IReadOnlyList<string> eventIds, NpgsqlConnection? connection = null, NpgsqlTransaction? transaction = null)
    {
        await using var own = connection is null ? new NpgsqlConnection(TestJournal.ConnectionString) : null;
        if (own is not null) await own.OpenAsync();
        foreach (var eventId in eventIds)
        {
            var signal = new VideoSignal(eventId, "u1", "v1", InteractionType.View, 1000, DateTimeOffset.UtcNow, 0, 0, 0.1f, [], "US", Counted: true);
            var record = new JournalRecord("u1", "c1", signal, DateTimeOffset.UtcNow, FeedRequestId: null);
            await using var command = new NpgsqlCommand(
                "INSERT INTO orleanstok_journal (service_id, partition, user_id, event_id, payload) VALUES (@s, 0, 'u1', @e, @payload)", connection ?? own, transaction);
            command.Parameters.AddWithValue("s", serviceId);
            command.Parameters.AddWithValue("e", eventId);
            command.Parameters.AddWithValue("payload", TestJournal.Serializer.SerializeToArray(record));
            await command.ExecuteNonQueryAsync();
        }
    }

    private static async Task Execute(string serviceId, string sql)
    {
        await using var connection = new NpgsqlConnection(TestJournal.ConnectionString);
        await connection.OpenAsync();
        await using var batch = new NpgsqlBatch(connection);
        foreach (var statement in sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand(statement) { Parameters = { new NpgsqlParameter { Value = serviceId } } });
        }
        await batch.ExecuteNonQueryAsync();
    }
}
