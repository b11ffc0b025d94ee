using Microsoft.Extensions.Configuration;
using Npgsql;
using Orleans.TestingHost;
using OrleansTok.Grains;
using OrleansTok.Hosting;
using OrleansTok.Model;
using OrleansTok.Tests.Cluster;

namespace OrleansTok.Tests.Postgres;

/// <summary>
/// Grain state and cluster membership in a real PostgreSQL: a two-silo cluster writes, stops, and a
/// new cluster with the same service id reads everything back. scripts/test.sh starts the database.
/// </summary>
public class PostgresPersistenceTests
{
    public const string ConnectionVariable = "ORLEANSTOK_TEST_POSTGRES";

    internal static string ConnectionString => Environment.GetEnvironmentVariable(ConnectionVariable) is { Length: > 0 } cs
        ? cs
        : throw new InvalidOperationException($"{ConnectionVariable} is not set: run the tests with scripts/test.sh, which starts PostgreSQL.");

    private static Task<TestCluster> StartCluster(string serviceId) => StartCluster<PostgresSilo>(serviceId, silos: 2);

    /// <summary>A cluster whose silos <typeparamref name="TSilo"/> configures, joined through PostgreSQL membership.</summary>
    internal static async Task<TestCluster> StartCluster<TSilo>(string serviceId, short silos) where TSilo : ISiloConfigurator, new()
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.ServiceId = serviceId;
        builder.Options.ClusterId = serviceId;
        builder.Options.UseTestClusterMembership = false;
        builder.AddSiloBuilderConfigurator<TSilo>();
        builder.AddClientBuilderConfigurator<PostgresClient>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>
    /// States above ~2 KB (a user with a history, a video's neighbours, a catalog partition) are
    /// stored out of line as they are: compressing them first cost 7 % of the machine's CPU under
    /// durable ingest (schema 006). Applying the schema again leaves the setting as it is.
    /// </summary>
    [Fact]
    public async Task Grain_state_is_stored_out_of_line_without_compression()
    {
        await PostgresSchema.ApplyAsync(ConnectionString);
        await PostgresSchema.ApplyAsync(ConnectionString);
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'orleansstorage'::regclass AND attname = 'payloadbinary'", connection);
        Assert.Equal('e', (char)(await command.ExecuteScalarAsync())!);
    }

    /// <summary>
    /// The journal is keyed by the interaction (service, user, event) alone: the primary key on id
    /// that every append also entered is gone (schema 007), and a second copy of an event is still
    /// refused by the key every append checks.
    /// </summary>
    [Fact]
    public async Task The_journal_is_keyed_by_the_interaction_alone()
    {
        await PostgresSchema.ApplyAsync(ConnectionString);
        await PostgresSchema.ApplyAsync(ConnectionString);
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using (var keys = new NpgsqlCommand(
            "SELECT string_agg(contype::text, '' ORDER BY contype) FROM pg_constraint WHERE conrelid = 'orleanstok_journal'::regclass AND contype IN ('p', 'u')", connection))
        {
            Assert.Equal("u", await keys.ExecuteScalarAsync());
        }
        var serviceId = $"key-{Guid.NewGuid():N}"[..20];
        const string Insert = "INSERT INTO orleanstok_journal (service_id, partition, user_id, event_id, payload) VALUES ($1, 0, 'u1', 'e1', '\\x00')";
        await using (var first = new NpgsqlCommand(Insert, connection) { Parameters = { new() { Value = serviceId } } })
        {
            Assert.Equal(1, await first.ExecuteNonQueryAsync());
        }
        await using var second = new NpgsqlCommand(Insert, connection) { Parameters = { new() { Value = serviceId } } };
        var refused = await Assert.ThrowsAsync<PostgresException>(() => second.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.UniqueViolation, refused.SqlState);
    }

    [Fact]
    public async Task State_survives_a_full_cluster_restart()
    {
        await PostgresSchema.ApplyAsync(ConnectionString);
        await PostgresSchema.ApplyAsync(ConnectionString); // idempotent
        var serviceId = $"pg-{Guid.NewGuid():N}"[..20];

        var cluster = await StartCluster(serviceId);
        List<string> servedBefore;
        try
        {
            var grains = cluster.Client;
            var creator = grains.GetGrain<IUserGrain>("creator");
            var fan = grains.GetGrain<IUserGrain>("fan");
            Assert.Equal(CommandStatus.Ok, await creator.Create(new UserSettings("en", "US", "ios", [])));
            foreach (var other in new[] { "creator-b", "creator-c", "creator-d" })
            {
                Assert.Equal(CommandStatus.Ok, await grains.GetGrain<IUserGrain>(other).Create(new UserSettings("en", "GB", "ios", [])));
            }
            Assert.Equal(CommandStatus.Ok, await fan.Create(new UserSettings("de", "DE", "web", ["cats"])));
            for (var i = 0; i < 30; i++)
            {
                var upload = new VideoUpload($"pv{i}", i < 10 ? "creator" : $"creator-{(char)('b' + i % 3)}", "c", [i % 2 == 0 ? "cats" : "dogs"], $"s{i}", "en", 10_000, DateTimeOffset.UtcNow);
                Assert.Equal(CommandStatus.Ok, await grains.GetGrain<IVideoGrain>(upload.Id).Upload(upload));
            }
            await Eventually.HoldsAsync(async () => await ClusterFixture.CatalogSize(grains) == 30, TimeSpan.FromSeconds(10), "catalogue indexed");
            await fan.Follow("creator");
            await fan.Record([
                new Interaction("e1", "pv0", InteractionType.View, 10_000, null, DateTimeOffset.UtcNow),
                new Interaction("e2", "pv0", InteractionType.Like, 0, null, DateTimeOffset.UtcNow),
                new Interaction("e3", "pv1", InteractionType.HideSound, 0, null, DateTimeOffset.UtcNow),
                new Interaction("e4", "pv2", InteractionType.Like, 0, null, DateTimeOffset.UtcNow), // co-engaged with pv0
            ]);
            servedBefore = (await fan.GetFeed(new FeedRequest(10)))!.Items.Select(i => i.VideoId).ToList();
            await Eventually.HoldsAsync(async () => (await grains.GetGrain<IVideoGrain>("pv0").GetDetails())!.Counters.Likes == 1,
                TimeSpan.FromSeconds(2), "like counted");
            await Eventually.HoldsAsync(async () => (await grains.GetGrain<ICreatorGrain>("creator").GetSummary()).Followers == 1,
                TimeSpan.FromSeconds(2), "follower counted");
            await Eventually.HoldsAsync(async () => (await grains.GetGrain<IVideoGrain>("pv0").GetNeighbours(10)).Any(n => n.VideoId == "pv2"),
                TimeSpan.FromSeconds(5), "co-engagement counted on both videos");
            Assert.Equal(2, await CountRows("SELECT count(*) FROM orleansmembershiptable WHERE deploymentid = @s AND status = 3", serviceId));
        }
        finally
        {
            await cluster.StopAllSilosAsync(); // graceful: every grain writes its state on deactivation
            await cluster.DisposeAsync();
        }

        Assert.True(await CountRows("SELECT count(*) FROM orleansstorage WHERE serviceid = @s", serviceId) >= 30 + 5 + 1);

        var restarted = await StartCluster(serviceId);
        try
        {
            var grains = restarted.Client;
            var fan = (await grains.GetGrain<IUserGrain>("fan").GetSummary())!;
            Assert.Equal(("de", "DE", 1, 2, 1), (fan.Settings.Language, fan.Settings.Country, fan.Following, fan.Likes, fan.HiddenSounds));
            Assert.Equal(4, fan.Interactions);
            var video = (await grains.GetGrain<IVideoGrain>("pv0").GetDetails())!;
            Assert.Equal((1L, 1L, 1L), (video.Counters.Views, video.Counters.Likes, video.Counters.Completions));
            var creator = await grains.GetGrain<ICreatorGrain>("creator").GetSummary();
            Assert.Equal((1L, 10), (creator.Followers, creator.Videos));
            // Co-engagement neighbours are read on first use, not with the activation: both halves came back.
            Assert.Contains(await grains.GetGrain<IVideoGrain>("pv2").GetNeighbours(10), n => n.VideoId == "pv0");
            Assert.Contains(await grains.GetGrain<IVideoGrain>("pv0").GetNeighbours(10), n => n.VideoId == "pv2");
            Assert.Equal(1, (await grains.GetGrain<IVideoGrain>("pv2").GetEntry())!.Positives);

            // The seen set and the index came back too: the next page holds none of the served videos.
            Assert.Equal(30, await ClusterFixture.CatalogSize(grains));
            var next = (await grains.GetGrain<IUserGrain>("fan").GetFeed(new FeedRequest(10)))!;
            Assert.NotEmpty(next.Items);
            Assert.DoesNotContain(next.Items, i => servedBefore.Contains(i.VideoId) || i.VideoId == "pv0");
            // Re-sending an acknowledged event is still a duplicate after the restart.
            var again = await grains.GetGrain<IUserGrain>("fan").Record([new Interaction("e2", "pv0", InteractionType.Like, 0, null, DateTimeOffset.UtcNow)]);
            Assert.Equal((0, 1), (again.Accepted, again.Duplicates));
        }
        finally
        {
            await restarted.StopAllSilosAsync();
            await restarted.DisposeAsync();
        }
    }

    /// <summary>
    /// A database from before the journal kept committed totals: the counters live only in grain
    /// state. Deleting the totals after a graceful stop makes one; the restarted cluster must carry
    /// every counter over and keep counting.
    /// </summary>
    [Fact]
    public async Task Counters_held_only_in_grain_state_are_carried_over_and_keep_counting()
    {
        await PostgresSchema.ApplyAsync(ConnectionString);
        var serviceId = $"pg-{Guid.NewGuid():N}"[..20];
        var at = DateTimeOffset.UtcNow;

        var cluster = await StartCluster(serviceId);
        try
        {
            var grains = cluster.Client;
            Assert.Equal(CommandStatus.Ok, await grains.GetGrain<IUserGrain>("maker").Create(new UserSettings("en", "US", "ios", [])));
            Assert.Equal(CommandStatus.Ok, await grains.GetGrain<IUserGrain>("fan").Create(new UserSettings("en", "US", "ios", ["cats"])));
            foreach (var id in new[] { "old-1", "old-2" })
            {
                Assert.Equal(CommandStatus.Ok, await grains.GetGrain<IVideoGrain>(id).Upload(new VideoUpload(id, "maker", "c", ["cats"], "s", "en", 10_000, at)));
            }
            await grains.GetGrain<IUserGrain>("fan").Record([
                new Interaction("e1", "old-1", InteractionType.View, 10_000, null, at),
                new Interaction("e2", "old-1", InteractionType.Like, 0, null, at),
            ]);
            await Eventually.HoldsAsync(async () => (await grains.GetGrain<ICreatorGrain>("maker").GetSummary()).Likes == 1,
                TimeSpan.FromSeconds(5), "like counted");
        }
        finally
        {
            await cluster.StopAllSilosAsync(); // graceful: videos and creators write their state
            await cluster.DisposeAsync();
        }
        Assert.True(await CountRows("DELETE FROM orleanstok_applied_counters WHERE service_id = @s", serviceId) > 0);

        var restarted = await StartCluster(serviceId);
        try
        {
            var grains = restarted.Client;
            var video = (await grains.GetGrain<IVideoGrain>("old-1").GetDetails())!;
            Assert.Equal((1L, 1L, 1L), (video.Counters.Views, video.Counters.Likes, video.Counters.Completions));
            Assert.Equal(1L, (await grains.GetGrain<ICreatorGrain>("maker").GetSummary()).Likes);

            await grains.GetGrain<IUserGrain>("fan").Record([new Interaction("e3", "old-2", InteractionType.Like, 0, null, DateTimeOffset.UtcNow)]);
            await Eventually.HoldsAsync(async () => (await grains.GetGrain<ICreatorGrain>("maker").GetSummary()).Likes == 2,
                TimeSpan.FromSeconds(5), "the new like added to the carried-over total");
            Assert.Equal(1L, (await grains.GetGrain<IVideoGrain>("old-1").GetDetails())!.Counters.Likes);
        }
        finally
        {
            await restarted.StopAllSilosAsync();
            await restarted.DisposeAsync();
        }
    }

    /// <summary>Runs a count (or a DELETE, answering the rows it deleted) with <c>@s</c> bound to <paramref name="serviceId"/>.</summary>
    internal static async Task<long> CountRows(string sql, string serviceId)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("s", serviceId);
        return sql.StartsWith("DELETE", StringComparison.Ordinal) ? await command.ExecuteNonQueryAsync() : (long)(await command.ExecuteScalarAsync())!;
    }

    private sealed class PostgresSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var configuration = new ConfigurationBuilder().Build();
            silo.AddOrleansTokPostgres(ConnectionString);
            silo.AddOrleansTokStreams(configuration);
            silo.AddOrleansTokServices(configuration);
        }
    }

    private sealed class PostgresClient : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.UseAdoNetClustering(o =>
            {
                o.Invariant = OrleansTokHosting.Invariant;
                o.ConnectionString = ConnectionString;
            });
    }
}
