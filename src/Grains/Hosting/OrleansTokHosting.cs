using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansTok.Grains;
using OrleansTok.Journal;
using OrleansTok.Recommendation;
using OrleansTok.Streams;
using OrleansTok.Telemetry;
using Orleans.Dashboard;

namespace OrleansTok.Hosting;

/// <summary>
/// One place that decides how a silo is wired, shared by the standalone silo, the API's embedded
/// silo and the test clusters. Without a PostgreSQL connection string: localhost clustering and
/// in-memory storage (the embedded default). With one: ADO.NET clustering and grain storage on
/// PostgreSQL. Streams are Orleans memory streams in both cases.
/// </summary>
public static class OrleansTokHosting
{
    public const string PostgresConnectionName = "Postgres";
    public const string Invariant = "Npgsql";

    public static string? PostgresConnectionString(this IConfiguration configuration) =>
        configuration.GetConnectionString(PostgresConnectionName) is { Length: > 0 } cs ? cs : null;

    public static ISiloBuilder UseOrleansTok(this ISiloBuilder silo, IConfiguration configuration)
    {
        var orleans = configuration.GetSection("Orleans");
        var clusterId = orleans["ClusterId"] ?? "orleanstok";
        var serviceId = orleans["ServiceId"] ?? "orleanstok";
        var siloPort = orleans.GetValue("SiloPort", EndpointOptions.DEFAULT_SILO_PORT);
        var gatewayPort = orleans.GetValue("GatewayPort", EndpointOptions.DEFAULT_GATEWAY_PORT);
        var postgres = configuration.PostgresConnectionString();

        if (postgres is null)
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: serviceId, clusterId: clusterId);
            silo.AddOrleansTokMemoryStorage();
        }
        else
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = serviceId;
            });
            silo.ConfigureEndpoints(
                System.Net.IPAddress.Parse(orleans["AdvertisedIP"] ?? "127.0.0.1"), siloPort, gatewayPort, listenOnAnyHostAddress: false);
            silo.AddOrleansTokPostgres(postgres);
        }

        // Operators tune failure detection (Orleans:Membership:ProbeTimeout, NumMissedProbesLimit, …)
        // and how long a call may wait for a silo that died (Orleans:ResponseTimeout).
        silo.Configure<ClusterMembershipOptions>(orleans.GetSection("Membership"));
        // Idle activations leave memory after Orleans:Collection:CollectionAge (Orleans' default 15 min); state stays in storage.
        silo.Configure<GrainCollectionOptions>(orleans.GetSection("Collection"));
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = orleans.GetValue("ResponseTimeout", DefaultResponseTimeout));
        // Each silo caches where grains live, ~275 B an entry; Orleans keeps up to a million, so a churn of
        // distinct users kept ~260 MiB of addresses of users long gone (heap dumps, docs/benchmarks.md round 12).
        var directoryCache = orleans.GetValue("DirectoryCacheSize", DefaultDirectoryCacheSize);
        if (directoryCache < 0) throw new InvalidOperationException($"Orleans:DirectoryCacheSize must be 0 (no cache) or more (was {directoryCache})");
        silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = directoryCache);
        silo.AddOrleansTokStreams(configuration);
        silo.AddOrleansTokServices(configuration);
        // Opt-in outside Development (Management:Dashboard): even unwatched, its call filter and
        // once-a-second statistics cost ~10-20 % of feed throughput here (docs/benchmarks.md).
        if (configuration.DashboardEnabled()) silo.AddDashboard();
        return silo;
    }

    /// <summary>Management:Dashboard, false unless set (appsettings.Development.json sets it).</summary>
    public static bool DashboardEnabled(this IConfiguration configuration) => configuration.GetValue("Management:Dashboard", false);

    /// <summary>Orleans waits 30 s by default; a feed request that cannot finish in 10 s is better answered with a 503.</summary>
    public static readonly TimeSpan DefaultResponseTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Grain addresses each silo caches: the active users and videos of a busy silo, not every user it ever served.</summary>
    public const int DefaultDirectoryCacheSize = 100_000;

    /// <summary>In-memory grain storage (the embedded default) with Orleans' binary serializer instead of the default JSON.</summary>
    public static ISiloBuilder AddOrleansTokMemoryStorage(this ISiloBuilder silo)
    {
        silo.AddMemoryGrainStorage(StorageNames.Grains);
        silo.Services.AddOptions<MemoryGrainStorageOptions>(StorageNames.Grains)
            .Configure<Serializer>((o, serializer) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));
        return silo;
    }

    /// <summary>Cluster membership, grain state and the interaction journal in PostgreSQL (the schema must have been applied).</summary>
    public static ISiloBuilder AddOrleansTokPostgres(this ISiloBuilder silo, string connectionString)
    {
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        silo.AddAdoNetGrainStorage(StorageNames.Grains, o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = connectionString;
        });
        // Orleans' own binary serializer: compact, fast and version-tolerant through the [Id] attributes on state types.
        silo.Services.AddOptions<AdoNetGrainStorageOptions>(StorageNames.Grains)
            .Configure<Serializer>((o, serializer) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer));
        silo.Services.TryAddSingleton(_ => new PostgresDataSource(connectionString));
        silo.Services.AddSingleton<IInteractionJournal, PostgresJournal>();
        return silo;
    }

    /// <summary>
    /// Memory streams at Orleans' default polling period. Only the catalog stream uses them, behind a
    /// publisher that gathers changes for 200 ms: polling every 20 ms took ~2.7 % of a core on an idle
    /// silo and saved 18 ms of its mean delivery lag under ingest (docs/benchmarks.md, round 9).
    /// Each silo's stream cache keeps delivered batches for rewinds; by default it purges them only
    /// once they are 30 minutes older than the newest, so it grew with the catalog traffic of the
    /// last half hour. <c>Orleans:StreamCacheSeconds</c> (60) bounds it to about that much traffic. A
    /// partition that fell further behind may miss the batches purged before it read them: catalog
    /// entries are derived data, and a video still watched sends its whole entry again within
    /// <c>CatalogPublisher.FullEntryInterval</c> (10 s).
    /// </summary>
    public static ISiloBuilder AddOrleansTokStreams(this ISiloBuilder silo, IConfiguration configuration)
    {
        var pollMs = configuration.GetValue("Orleans:StreamPollMs", 100);
        var cacheSeconds = configuration.GetValue("Orleans:StreamCacheSeconds", 60);
        if (cacheSeconds < 1) throw new InvalidOperationException($"Orleans:StreamCacheSeconds must be at least 1 (was {cacheSeconds})");
        silo.AddMemoryGrainStorage(StorageNames.PubSub);
        silo.AddMemoryStreams(StreamNames.Provider, b =>
        {
            b.ConfigurePullingAgent(o => o.Configure(p => p.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(pollMs)));
            b.ConfigureCacheEviction(o => o.Configure(e =>
            {
                e.DataMinTimeInCache = TimeSpan.FromSeconds(cacheSeconds / 2.0);
                e.DataMaxAgeInCache = TimeSpan.FromSeconds(cacheSeconds);
            }));
            b.ConfigureStreamPubSub(Orleans.Streams.StreamPubSubType.ImplicitOnly);
        });
        return silo;
    }

    public static ISiloBuilder AddOrleansTokServices(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.Services.AddSingleton(TimeProvider.System);
        silo.Services.AddSingleton<ImpressionBatcher>();
        silo.Services.AddHostedService(sp => sp.GetRequiredService<ImpressionBatcher>());
        silo.Services.AddSingleton<CatalogReplica>();
        silo.Services.AddHostedService(sp => sp.GetRequiredService<CatalogReplica>());
        silo.Services.AddSingleton<CoEngagementBatcher>();
        silo.Services.AddSingleton<IdPool>();
        silo.Services.AddSingleton<VideoHandles>();
        silo.Services.AddSingleton<NeighbourCache>();
        silo.Services.AddHostedService(sp => sp.GetRequiredService<CoEngagementBatcher>());
        silo.Services.AddSingleton<WriteBudget>();
        silo.Services.AddSingleton<CatalogPublisher>();
        silo.Services.AddHostedService(sp => sp.GetRequiredService<CatalogPublisher>());
        silo.Services.AddNpgsqlExceptionSerialization();
        silo.AddIncomingGrainCallFilter<RequestScopeFilter>();
        silo.Services.TryAddSingleton<IInteractionJournal, MemoryJournal>();
        silo.Services.AddHostedService<JournalWatchdog>();
        silo.Services.AddOptions<JournalOptions>()
            .Bind(configuration.GetSection(JournalOptions.Section))
            .Validate(o => o.Partitions is >= 1 and <= 256, "Journal:Partitions must be between 1 and 256")
            .Validate(o => o.BatchSize >= 1 && o.MaxWriteBatch >= 1 && o.MaxWaiting >= 1, "Journal batch sizes and Journal:MaxWaiting must be positive")
            .ValidateOnStart();
        silo.Services.AddOptions<WriteBehindOptions>()
            .Bind(configuration.GetSection(WriteBehindOptions.Section))
            .Validate(o => o.WritesPerSecond >= 0, "WriteBehind:WritesPerSecond must not be negative (0: unbounded)")
            .Validate(o => o.UserDelay > TimeSpan.Zero && o.VideoDelay > TimeSpan.Zero && o.NeighboursDelay > TimeSpan.Zero,
                "WriteBehind:UserDelay, VideoDelay and NeighboursDelay must be positive")
            .Validate<IOptions<JournalOptions>>((o, journal) => o.MaxDelay > TimeSpan.Zero && o.MaxDelay * 4 <= journal.Value.Retention,
                "WriteBehind:MaxDelay must be positive and at most a quarter of Journal:Retention: a user replays its journal back to its last write")
            .ValidateOnStart();
        silo.Services.AddOptions<RecommendationOptions>()
            .Bind(configuration.GetSection(RecommendationOptions.Section))
            .Validate(o => o.Dimension is >= 4 and <= 256, "Recommendation:Dimension must be between 4 and 256")
            .Validate(o => o.CatalogPartitions is >= 1 and <= 256, "Recommendation:CatalogPartitions must be between 1 and 256")
            .Validate(o => o.MaxNorm > 0 && o.UserLearningRate >= 0 && o.VideoLearningRate >= 0, "learning rates and MaxNorm must be positive")
            .Validate(o => o.RelatedCandidates >= 1, "Recommendation:RelatedCandidates must be positive")
            .Validate(o => o.ClusteredScanMinVideos >= 0 && o.ClusteredScanShare is > 0f and <= 1f,
                "Recommendation:ClusteredScanMinVideos must not be negative and Recommendation:ClusteredScanShare must lie in (0, 1]")
            .ValidateOnStart();
        return silo;
    }

    /// <summary>
    /// Lets database errors raised in a grain reach the caller as themselves (the API answers 503 for
    /// them) instead of failing to serialize on the way back.
    /// </summary>
    private static void AddNpgsqlExceptionSerialization(this IServiceCollection services) =>
        services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add("Npgsql"));

    /// <summary>An Orleans client that finds the cluster's gateways in PostgreSQL (or on localhost without it).</summary>
    public static IClientBuilder UseOrleansTok(this IClientBuilder client, IConfiguration configuration)
    {
        var orleans = configuration.GetSection("Orleans");
        var clusterId = orleans["ClusterId"] ?? "orleanstok";
        var serviceId = orleans["ServiceId"] ?? "orleanstok";
        var postgres = configuration.PostgresConnectionString();
        client.Services.AddNpgsqlExceptionSerialization();
        if (configuration.DashboardEnabled()) client.AddDashboard();
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = orleans.GetValue("ResponseTimeout", DefaultResponseTimeout));
        if (postgres is null)
        {
            client.UseLocalhostClustering(orleans.GetValue("GatewayPort", EndpointOptions.DEFAULT_GATEWAY_PORT), serviceId, clusterId);
        }
        else
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = serviceId;
            });
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = postgres;
            });
        }
        return client;
    }
}
