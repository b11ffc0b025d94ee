using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Orleans.Serialization;
using OrleansTok.Grains;
using OrleansTok.Model;

namespace OrleansTok.Journal;

/// <summary>
/// The durable journal in PostgreSQL (table <c>orleanstok_journal</c>). Appends from every grain
/// of the silo are group-committed: whatever is waiting when the previous INSERT finishes goes
/// into the next one, so under load one round trip and one commit carry hundreds of interactions.
/// </summary>
public sealed partial class PostgresJournal : IInteractionJournal, IAsyncDisposable
{
    private readonly NpgsqlDataSource _db;
    private readonly Serializer _serializer;
    private readonly IGrainFactory _grains;
    private readonly JournalOptions _options;
    private readonly ILogger<PostgresJournal> _logger;
    private readonly string _serviceId;
    private readonly Channel<PendingAppend> _appends = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    private sealed record PendingAppend(IReadOnlyList<JournalRecord> Records, TaskCompletionSource<long> Done);

    public PostgresJournal(PostgresDataSource db, Serializer serializer, IGrainFactory grains, IOptions<JournalOptions> options,
        IOptions<Orleans.Configuration.ClusterOptions> cluster, ILogger<PostgresJournal> logger)
    {
        _serviceId = cluster.Value.ServiceId;
        _db = db.Source;
        _serializer = serializer;
        _grains = grains;
        _options = options.Value;
        _logger = logger;
        _writer = Task.Run(WriteLoopAsync);
    }

    public bool IsDurable => true;

    public Task<long> AppendAsync(IReadOnlyList<JournalRecord> records)
    {
        if (records.Count == 0) return Task.FromResult(0L);
        var pending = new PendingAppend(records, new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_appends.Writer.TryWrite(pending)) throw new ServiceUnavailableException("The journal is shutting down.");
        return pending.Done.Task;
    }

    private async Task WriteLoopAsync()
    {
        var group = new List<PendingAppend>();
        while (await _appends.Reader.WaitToReadAsync())
        {
            group.Clear();
            var rows = 0;
            while (rows < _options.MaxWriteBatch && _appends.Reader.TryRead(out var next))
            {
                group.Add(next);
                rows += next.Records.Count;
            }
            try
            {
                var (ids, partitions) = await InsertAsync(group, rows);
                foreach (var p in group)
                {
                    var max = 0L;
                    foreach (var r in p.Records)
                    {
                        if (ids.TryGetValue((r.UserId, r.Interaction.EventId), out var id)) max = Math.Max(max, id);
                    }
                    p.Done.TrySetResult(max);
                }
                foreach (var partition in partitions.Distinct()) _grains.GetGrain<IJournalApplierGrain>(partition).Kick().Ignore();
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                LogAppendFailed(ex, rows);
                var error = new ServiceUnavailableException("The interaction journal (PostgreSQL) is unavailable.");
                foreach (var p in group) p.Done.TrySetException(error);
            }
        }
    }

    /// <summary>Inserts the group's records; answers the journal ids written and each record's partition (the appliers to wake).</summary>
    private async Task<(Dictionary<(string, string), long> Ids, short[] Partitions)> InsertAsync(List<PendingAppend> group, int rows)
    {
        var partitions = new short[rows];
        var users = new string[rows];
        var events = new string[rows];
        var payloads = new byte[rows][];
        var i = 0;
        foreach (var p in group)
        {
            foreach (var r in p.Records)
            {
                partitions[i] = (short)JournalPartitioning.Of(r.Signal.VideoId, _options.Partitions);
                users[i] = r.UserId;
                events[i] = r.Interaction.EventId;
                payloads[i] = _serializer.SerializeToArray(r);
                i++;
            }
        }
        await using var command = _db.CreateCommand("""
            INSERT INTO orleanstok_journal (service_id, partition, user_id, event_id, payload)
            SELECT @s, partition, user_id, event_id, payload FROM unnest(@p, @u, @e, @b) WITH ORDINALITY AS t(partition, user_id, event_id, payload, ord)
            ORDER BY ord
            ON CONFLICT (service_id, user_id, event_id) DO NOTHING
            RETURNING id, user_id, event_id
            """);
        command.Parameters.AddWithValue("s", _serviceId);
        command.Parameters.Add(new NpgsqlParameter<short[]>("p", NpgsqlDbType.Array | NpgsqlDbType.Smallint) { TypedValue = partitions });
        command.Parameters.Add(new NpgsqlParameter<string[]>("u", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = users });
        command.Parameters.Add(new NpgsqlParameter<string[]>("e", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = events });
        command.Parameters.Add(new NpgsqlParameter<byte[][]>("b", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = payloads });
        var ids = new Dictionary<(string, string), long>(rows);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids[(reader.GetString(1), reader.GetString(2))] = reader.GetInt64(0);
        return (ids, partitions);
    }

    public async Task<IReadOnlyList<StoredRecord>> ReadUserAsync(string userId, long afterId)
    {
        await using var command = _db.CreateCommand(
            "SELECT id, coalesce(batch, 0), payload FROM orleanstok_journal WHERE service_id = @s AND user_id = @u AND id > @after ORDER BY id");
        command.Parameters.AddWithValue("s", _serviceId);
        command.Parameters.AddWithValue("u", userId);
        command.Parameters.AddWithValue("after", afterId);
        return await ReadRecordsAsync(command);
    }

    public async Task<long> LastClaimedBatchAsync(int partition)
    {
        await using var command = _db.CreateCommand(
            """
            SELECT greatest(
                (SELECT coalesce(max(batch), 0) FROM orleanstok_journal WHERE service_id = @s AND partition = @p AND batch IS NOT NULL),
                (SELECT coalesce(max(batch), 0) FROM orleanstok_journal_batches WHERE service_id = @s AND partition = @p))
            """);
        command.Parameters.AddWithValue("s", _serviceId);
        command.Parameters.AddWithValue("p", (short)partition);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<IReadOnlyList<StoredRecord>> ReadClaimedAsync(int partition, long afterBatch)
    {
        await using var command = _db.CreateCommand(
            "SELECT id, batch, payload FROM orleanstok_journal WHERE service_id = @s AND partition = @p AND batch > @after ORDER BY batch, id");
        command.Parameters.AddWithValue("s", _serviceId);
        command.Parameters.AddWithValue("p", (short)partition);
        command.Parameters.AddWithValue("after", afterBatch);
        return await ReadRecordsAsync(command);
    }

    public async Task<IReadOnlyList<StoredRecord>> ClaimAsync(int partition, long batch, int max)
    {
        // The batch number is registered in the same statement, and only when records were claimed:
        // a number already taken fails the whole statement (nothing is claimed).
        await using var command = _db.CreateCommand("""
            WITH claimed AS (
                UPDATE orleanstok_journal j SET batch = @batch
                  FROM (SELECT id FROM orleanstok_journal
                         WHERE service_id = @s AND partition = @p AND batch IS NULL
                         ORDER BY id LIMIT @max FOR UPDATE SKIP LOCKED) waiting
                 WHERE j.id = waiting.id
                RETURNING j.id, j.batch, j.payload),
            fence AS (
                INSERT INTO orleanstok_journal_batches (service_id, partition, batch)
                SELECT @s, @p, @batch WHERE EXISTS (SELECT 1 FROM claimed))
            SELECT id, batch, payload FROM claimed
            """);
        command.Parameters.AddWithValue("s", _serviceId);
        command.Parameters.AddWithValue("p", (short)partition);
        command.Parameters.AddWithValue("batch", batch);
        command.Parameters.AddWithValue("max", max);
        try
        {
            var records = await ReadRecordsAsync(command);
            return records.OrderBy(r => r.Id).ToList();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "orleanstok_journal_batches_pk")
        {
            throw new JournalBatchTakenException(partition, batch);
        }
    }

    public async Task TrimAsync(int partition, long appliedBatch, TimeSpan retention)
    {
        // Batch numbers below the applied one can never be claimed again; the latest always stays.
        await using var command = _db.CreateCommand("""
            DELETE FROM orleanstok_journal WHERE service_id = @s AND partition = @p AND batch <= @applied AND created_at < now() - @retention;
            DELETE FROM orleanstok_journal_batches WHERE service_id = @s AND partition = @p AND batch < @applied AND created_at < now() - @retention;
            """);
        command.Parameters.AddWithValue("s", _serviceId);
        command.Parameters.AddWithValue("p", (short)partition);
        command.Parameters.AddWithValue("applied", appliedBatch);
        command.Parameters.AddWithValue("retention", retention);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<IReadOnlyList<StoredRecord>> ReadRecordsAsync(NpgsqlCommand command)
    {
        var records = new List<StoredRecord>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var payload = reader.GetFieldValue<byte[]>(2);
            records.Add(new StoredRecord(reader.GetInt64(0), reader.GetInt64(1), _serializer.Deserialize<JournalRecord>(payload)!));
        }
        return records;
    }

    public async ValueTask DisposeAsync()
    {
        _appends.Writer.TryComplete();
        await _writer;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal append of {Rows} records failed; callers get 503")]
    private partial void LogAppendFailed(Exception exception, int rows);
}
