using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Orleans.Configuration;
using Orleans.Serialization;
using OrleansTok.Hosting;
using OrleansTok.Journal;
using OrleansTok.Model;

namespace OrleansTok.Tests.Postgres;

/// <summary>A <see cref="PostgresJournal"/> of its own service id, for tests that touch only the database (no grain is ever addressed).</summary>
internal sealed class TestJournal : IAsyncDisposable
{
    // Unpooled: the fault tests restart PostgreSQL, and a pooled connection left behind here would
    // hand a dead connection to the next test in this process that uses the same connection string.
    public static string ConnectionString => Environment.GetEnvironmentVariable(PostgresPersistenceTests.ConnectionVariable) is { Length: > 0 } cs
        ? new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ConnectionString
        : throw new InvalidOperationException("ORLEANSTOK_TEST_POSTGRES is not set: run the tests with scripts/test.sh, which starts PostgreSQL.");

    public static Serializer Serializer => GrainsSerializer.Instance;

    private readonly PostgresDataSource _source;

    private TestJournal(string serviceId)
    {
        ServiceId = serviceId;
        _source = new PostgresDataSource(ConnectionString);
        Journal = new PostgresJournal(_source, Serializer, grains: null!, Microsoft.Extensions.Options.Options.Create(new JournalOptions()),
            Microsoft.Extensions.Options.Options.Create(new ClusterOptions { ServiceId = serviceId }), NullLogger<PostgresJournal>.Instance);
    }

    public string ServiceId { get; }

    public PostgresJournal Journal { get; }

    public static async Task<TestJournal> StartAsync(string prefix)
    {
        await PostgresSchema.ApplyAsync(ConnectionString);
        return new TestJournal($"{prefix}-{Guid.NewGuid():N}"[..20]);
    }

    public async ValueTask DisposeAsync()
    {
        await Journal.DisposeAsync();
        await _source.DisposeAsync();
    }
}
