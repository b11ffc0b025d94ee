using Npgsql;

namespace OrleansTok.Journal;

/// <summary>
/// The silo's own connection pool for OrleansTok's tables. Unless the connection string says
/// otherwise, connecting gives up after 3 s and commands after 10 s: with the database down,
/// callers get a quick 503 instead of a hanging request.
/// </summary>
public sealed class PostgresDataSource : IAsyncDisposable
{
    public PostgresDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(WithDefaults(connectionString));
        Source = builder.Build();
    }

    public NpgsqlDataSource Source { get; }

    public static string WithDefaults(string connectionString)
    {
        var csb = new NpgsqlConnectionStringBuilder(connectionString);
        if (!Mentions(connectionString, "Timeout")) csb.Timeout = 3;
        if (!Mentions(connectionString, "Command Timeout") && !Mentions(connectionString, "CommandTimeout")) csb.CommandTimeout = 10;
        return csb.ConnectionString;
    }

    private static bool Mentions(string connectionString, string key) =>
        connectionString.Split(';').Any(part => part.Split('=')[0].Trim().Equals(key, StringComparison.OrdinalIgnoreCase));

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var command = Source.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync() => Source.DisposeAsync();
}
