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
/// of the silo are group-committed: whatever is waiting when a writer's INSERT finishes goes
/// into its next one, so under load one round trip and one commit carry hundreds of interactions.
/// <see cref="JournalOptions.Writers"/> writers take turns at the queue, so commits overlap.
/// Appliers claim ranges of a partition and never rewrite a record (schema 005).
/// </summary>
public sealed partial class PostgresJournal : IInteractionJournal, IAsyncDisposable
{
    private readonly NpgsqlDataSource _db;
    private readonly Serializer _serializer;
    private readonly IGrainFactory _grains;
    private readonly JournalOptions _options;
    private readonly ILogger<PostgresJournal> _logger;
    private readonly string _serviceId;
    private readonly Channel<PendingAppend> _appends = Channel.CreateUnbounded<PendingAppend>();
    private readonly Task[] _writers;

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
        _writers = Enumerable.Range(0, Math.Max(1, _options.Writers)).Select(_ => Task.Run(WriteLoopAsync)).ToArray();
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
                        if (ids.TryGetValue((r.UserId, r.Signal.EventId), out var id)) max = Math.Max(max, id);
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
                events[i] = r.Signal.EventId;
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
        // A batch is a range of the partition in (txid, id) order; records claimed before ranges carry their batch.
        await using var command = _db.CreateCommand("""
            SELECT j.id, b.batch, j.payload, j.txid
              FROM orleanstok_journal_batches b
              JOIN orleanstok_journal j ON j.service_id = b.service_id AND j.partition = b.partition AND j.batch IS NULL
                                       AND (j.txid, j.id) > (b.from_txid, b.from_id) AND (j.txid, j.id) <= (b.to_txid, b.to_id)
             WHERE b.service_id = @s AND b.partition = @p AND b.batch > @after AND b.from_txid IS NOT NULL
            UNION ALL
            SELECT id, batch, payload, txid FROM orleanstok_journal WHERE service_id = @s AND partition = @p AND batch > @after
            ORDER BY 2, 4, 1
            """);
        command.Parameters.AddWithValue("s", _serviceId);
        command.Parameters.AddWithValue("p", (short)partition);
        command.Parameters.AddWithValue("after", afterBatch);
        return await ReadRecordsAsync(command);
    }

    public async Task<IReadOnlyList<StoredRecord>> ClaimAsync(int partition, long batch, int max)
    {
        // An append that committed while an older transaction was still open lies past the horizon
        // until that one ends (milliseconds). Under load the next kick claims it; alone, it would wait
        // for the applier's poll, so an empty claim looks again for a moment while records wait.
        for (var attempt = 0; ; attempt++)
        {
            var records = await ClaimRangeAsync(partition, batch, max);
            if (records.Count > 0 || attempt == HorizonRetries || !await WaitingPastHorizonAsync(partition)) return records;
            await Task.Delay(HorizonRetryDelay);
        }
    }

    private const int HorizonRetries = 20;
    private static readonly TimeSpan HorizonRetryDelay = TimeSpan.FromMilliseconds(5);

    private async Task<bool> WaitingPastHorizonAsync(int partition)
    {
        await using var command = _db.CreateCommand("""
            SELECT EXISTS (SELECT 1 FROM orleanstok_journal
                            WHERE service_id = @s AND partition = @p AND batch IS NULL AND txid >= pg_snapshot_xmin(pg_current_snapshot()))
            """);
        command.Parameters.AddWithValue("s", _serviceId);
        command.Parameters.AddWithValue("p", (short)partition);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    private async Task<IReadOnlyList<StoredRecord>> ClaimRangeAsync(int partition, long batch, int max)
    {
        // The records after the partition's last range whose appends have all ended (txid below the
        // snapshot's xmin, schema 005), registered as one range in the same statement and only when
        // there are some. A number already taken, or a range start another claimer registered, fails
        // the whole statement: nothing is claimed. The bounds are scalar subqueries so that they are
        // the index scan's own conditions: joined from the CTE they filtered every record of the
        // partition, 27 ms a claim at 65,000 records retained.
        await using var command = _db.CreateCommand("""
            WITH last AS MATERIALIZED (
                SELECT to_txid, to_id FROM orleanstok_journal_batches
                 WHERE service_id = @s AND partition = @p AND from_txid IS NOT NULL
                 ORDER BY from_txid DESC, from_id DESC LIMIT 1),
            start AS MATERIALIZED (
                SELECT coalesce((SELECT to_txid FROM last), '0'::xid8) AS txid, coalesce((SELECT to_id FROM last), 0) AS id,
                       pg_snapshot_xmin(pg_current_snapshot()) AS horizon),
            claimed AS MATERIALIZED (
                SELECT j.id, j.txid, j.payload FROM orleanstok_journal j
                 WHERE j.service_id = @s AND j.partition = @p AND j.batch IS NULL
                   AND (j.txid, j.id) > ((SELECT txid FROM start), (SELECT id FROM start)) AND j.txid < (SELECT horizon FROM start)
                 ORDER BY j.txid, j.id LIMIT @max),
            fence AS (
                INSERT INTO orleanstok_journal_batches (service_id, partition, batch, from_txid, from_id, to_txid, to_id)
                SELECT @s, @p, @batch, start.txid, start.id, tail.txid, tail.id
                  FROM start, (SELECT txid, id FROM claimed ORDER BY txid DESC, id DESC LIMIT 1) tail)
            SELECT id, @batch, payload FROM claimed ORDER BY txid, id
            """);
        command.Parameters.AddWithValue("s", _serviceId);
        command.Parameters.AddWithValue("p", (short)partition);
        command.Parameters.AddWithValue("batch", batch);
        command.Parameters.AddWithValue("max", max);
        try
        {
            return await ReadRecordsAsync(command);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation &&
                                          e.ConstraintName is "orleanstok_journal_batches_pk" or "orleanstok_journal_batches_range")
        {
            throw new JournalBatchTakenException(partition, batch);
        }
    }

    /// <summary>Most records one trim statement deletes: a bounded transaction, repeated until the cut is reached.</summary>
    private const int TrimChunk = 20_000;

    public async Task TrimAsync(int partition, long appliedBatch, TimeSpan retention)
    {
        // Ranged records go up to the end of the newest applied batch claimed before the retention
        // cut: each was appended before its claim, so all are older than the retention. They are
        // taken in the claim index's order, so a trim reads what it deletes. The cut used to be each
        // record's own created_at, under a range the planner could not bound when it planned: a
        // sequential scan of the whole journal (every partition's hour of records) per partition
        // per minute (docs/benchmarks.md, round 24).
        await using (var ranged = _db.CreateCommand($"""
            WITH cut AS MATERIALIZED (
                SELECT to_txid, to_id FROM orleanstok_journal_batches
                 WHERE service_id = @s AND partition = @p AND batch <= @applied AND from_txid IS NOT NULL
                   AND created_at < now() - @retention
                 ORDER BY batch DESC LIMIT 1)
            DELETE FROM orleanstok_journal WHERE ctid = ANY (ARRAY(
                SELECT ctid FROM orleanstok_journal
                 WHERE service_id = @s AND partition = @p AND batch IS NULL
                   AND (txid, id) <= ((SELECT to_txid FROM cut), (SELECT to_id FROM cut))
                 ORDER BY txid, id LIMIT {TrimChunk}))
            """))
        {
            AddTrimParameters(ranged, partition, appliedBatch, retention);
            while (await ranged.ExecuteNonQueryAsync() == TrimChunk)
            {
            }
        }

        // Records claimed one by one before schema 005, and batch numbers below the applied one (they
        // can never be claimed again; the latest always stays).
        await using var rest = _db.CreateCommand("""
            DELETE FROM orleanstok_journal WHERE service_id = @s AND partition = @p AND batch <= @applied AND created_at < now() - @retention;
            DELETE FROM orleanstok_journal_batches WHERE service_id = @s AND partition = @p AND batch < @applied AND created_at < now() - @retention;
            """);
        AddTrimParameters(rest, partition, appliedBatch, retention);
        await rest.ExecuteNonQueryAsync();
    }

    private void AddTrimParameters(NpgsqlCommand command, int partition, long appliedBatch, TimeSpan retention)
    {
        command.Parameters.AddWithValue("s", _serviceId);
        command.Parameters.AddWithValue("p", (short)partition);
        command.Parameters.AddWithValue("applied", appliedBatch);
        command.Parameters.AddWithValue("retention", retention);
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
        await Task.WhenAll(_writers);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal append of {Rows} records failed; callers get 503")]
    private partial void LogAppendFailed(Exception exception, int rows);
}
