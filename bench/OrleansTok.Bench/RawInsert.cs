using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;

namespace OrleansTok.Bench;

/// <summary>
/// Inserts journal-shaped rows (same columns, same payload size as OrleansTok's own, same
/// unnest INSERT) straight into PostgreSQL from several connections: what the database alone
/// sustains on this machine, the ceiling for durable ingest.
/// </summary>
public static class RawInsert
{
    public const int Connections = 8;
    private const int Batch = 100;
    private const string Service = "bench-raw-insert";

    public sealed record Result(double RowsPerSecond, int PayloadBytes);

    public static async Task<Result> RunAsync(string connectionString, TimeSpan duration, int repeat)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using (var size = db.CreateCommand("SELECT coalesce(avg(length(payload)), 600)::int FROM orleanstok_journal WHERE service_id <> $1"))
        {
            size.Parameters.AddWithValue(Service);
            var payloadBytes = (int)(await size.ExecuteScalarAsync())!;
            var runs = new List<double>();
            for (var r = 0; r < repeat; r++) runs.Add(await RunOnceAsync(db, duration, payloadBytes));
            await using var cleanup = db.CreateCommand("DELETE FROM orleanstok_journal WHERE service_id = $1");
            cleanup.Parameters.AddWithValue(Service);
            await cleanup.ExecuteNonQueryAsync();
            return new Result(Load.Median(runs), payloadBytes);
        }
    }

    private static async Task<double> RunOnceAsync(NpgsqlDataSource db, TimeSpan duration, int payloadBytes)
    {
        long rows = 0;
        var sequence = 0L;
        var payload = new byte[payloadBytes];
        Random.Shared.NextBytes(payload);
        using var stop = new CancellationTokenSource(duration);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(async worker =>
        {
            var partitions = new short[Batch];
            var users = new string[Batch];
            var events = new string[Batch];
            var payloads = new byte[Batch][];
            while (!stop.IsCancellationRequested)
            {
                for (var i = 0; i < Batch; i++)
                {
                    var n = Interlocked.Increment(ref sequence);
                    partitions[i] = (short)(n % 4);
                    users[i] = $"raw-user-{n % 20_000}";
                    events[i] = $"raw-{Guid.NewGuid():N}";
                    payloads[i] = payload;
                }
                await using var command = db.CreateCommand("""
                    INSERT INTO orleanstok_journal (service_id, partition, user_id, event_id, payload)
                    SELECT $1, partition, user_id, event_id, payload FROM unnest($2, $3, $4, $5) WITH ORDINALITY AS t(partition, user_id, event_id, payload, ord)
                    ORDER BY ord
                    ON CONFLICT (service_id, user_id, event_id) DO NOTHING
                    RETURNING id, user_id, event_id
                    """);
                command.Parameters.AddWithValue(Service);
                command.Parameters.Add(new NpgsqlParameter<short[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Smallint, TypedValue = partitions });
                command.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = users });
                command.Parameters.Add(new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = events });
                command.Parameters.Add(new NpgsqlParameter<byte[][]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, TypedValue = payloads });
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync()) Interlocked.Increment(ref rows);
            }
        }));
        return rows / clock.Elapsed.TotalSeconds;
    }
}
