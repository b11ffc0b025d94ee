using Npgsql;
using OrleansTok.Journal;
using OrleansTok.Model;
using OrleansTok.Streams;

namespace OrleansTok.Tests.Postgres;

/// <summary>
/// The journal's batch numbers against a real PostgreSQL: each number names one set of records.
/// Two applier activations of a partition (one outliving its deactivation) once claimed the same
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

    private static async Task InsertWaiting(string serviceId, string eventId)
    {
        var interaction = new Interaction(eventId, "v1", InteractionType.View, 1000, null, DateTimeOffset.UtcNow);
        var signal = new VideoSignal(eventId, "u1", "v1", InteractionType.View, 1000, interaction.At, 0, 0, 0.1f, [], "US", Counted: true);
        var record = new JournalRecord("u1", "c1", interaction, signal, DateTimeOffset.UtcNow);
        await using var connection = new NpgsqlConnection(TestJournal.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "INSERT INTO orleanstok_journal (service_id, partition, user_id, event_id, payload) VALUES (@s, 0, 'u1', @e, @payload)", connection);
        command.Parameters.AddWithValue("s", serviceId);
        command.Parameters.AddWithValue("e", eventId);
        command.Parameters.AddWithValue("payload", TestJournal.Serializer.SerializeToArray(record));
        await command.ExecuteNonQueryAsync();
    }
}
