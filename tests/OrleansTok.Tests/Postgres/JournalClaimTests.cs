using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Configuration;
using Orleans.Serialization;
using OrleansTok.Hosting;
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
    // Unpooled: the fault tests restart PostgreSQL, and a pooled connection left behind here would
    // hand a dead connection to the next test in this process that uses the same connection string.
    private static string ConnectionString => Environment.GetEnvironmentVariable(PostgresPersistenceTests.ConnectionVariable) is { Length: > 0 } cs
        ? new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ConnectionString
        : throw new InvalidOperationException("ORLEANSTOK_TEST_POSTGRES is not set: run the tests with scripts/test.sh, which starts PostgreSQL.");

    [Fact]
    public async Task A_batch_number_is_claimed_once_and_a_second_claim_takes_nothing()
    {
        await PostgresSchema.ApplyAsync(ConnectionString);
        var serviceId = $"fence-{Guid.NewGuid():N}"[..20];
        var serializer = new ServiceCollection().AddSerializer(s => s.AddAssembly(typeof(JournalRecord).Assembly))
            .BuildServiceProvider().GetRequiredService<Serializer>();
        await using var source = new PostgresDataSource(ConnectionString);
        // ClaimAsync and LastClaimedBatchAsync touch only the database: no grain is ever addressed here.
        await using var journal = new PostgresJournal(source, serializer, grains: null!, Microsoft.Extensions.Options.Options.Create(new JournalOptions()),
            Microsoft.Extensions.Options.Options.Create(new ClusterOptions { ServiceId = serviceId }), NullLogger<PostgresJournal>.Instance);

        await InsertWaiting(serializer, serviceId, "e1");
        await InsertWaiting(serializer, serviceId, "e2");

        Assert.Equal("e1", Assert.Single(await journal.ClaimAsync(0, batch: 1, max: 1)).Record.Interaction.EventId);
        await Assert.ThrowsAsync<JournalBatchTakenException>(() => journal.ClaimAsync(0, batch: 1, max: 1));
        Assert.Equal("e2", Assert.Single(await journal.ClaimAsync(0, batch: 2, max: 1)).Record.Interaction.EventId);

        // Nothing waiting: the number stays free for the next record.
        Assert.Empty(await journal.ClaimAsync(0, batch: 3, max: 1));
        Assert.Equal(2, await journal.LastClaimedBatchAsync(0));
        await InsertWaiting(serializer, serviceId, "e3");
        Assert.Equal("e3", Assert.Single(await journal.ClaimAsync(0, batch: 3, max: 1)).Record.Interaction.EventId);
    }

    private static async Task InsertWaiting(Serializer serializer, string serviceId, string eventId)
    {
        var interaction = new Interaction(eventId, "v1", InteractionType.View, 1000, null, DateTimeOffset.UtcNow);
        var signal = new VideoSignal(eventId, "u1", "v1", InteractionType.View, 1000, interaction.At, 0, 0, 0.1f, [], "US", Counted: true);
        var record = new JournalRecord("u1", "c1", interaction, signal, DateTimeOffset.UtcNow);
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "INSERT INTO orleanstok_journal (service_id, partition, user_id, event_id, payload) VALUES (@s, 0, 'u1', @e, @payload)", connection);
        command.Parameters.AddWithValue("s", serviceId);
        command.Parameters.AddWithValue("e", eventId);
        command.Parameters.AddWithValue("payload", serializer.SerializeToArray(record));
        await command.ExecuteNonQueryAsync();
    }
}
