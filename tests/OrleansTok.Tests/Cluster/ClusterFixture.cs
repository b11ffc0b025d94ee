using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.TestingHost;
using OrleansTok.Grains;
using OrleansTok.Hosting;
using OrleansTok.Streams;

namespace OrleansTok.Tests.Cluster;

/// <summary>A two-silo TestingHost cluster with memory storage and real memory streams, seeded with a small demo world.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const int Videos = 800;

    /// <summary>Uploads whose id starts with this are refused by their partition's direct call, so only the catalog stream can deliver them.</summary>
    public const string DirectCallRefused = "refused-direct-";

    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>For each video, the user id in the request context of every journal batch applied to it (null: none).</summary>
    public static System.Collections.Concurrent.ConcurrentDictionary<string, System.Collections.Concurrent.ConcurrentBag<object?>> JournalCalls { get; } = new();

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();

        var seeder = new DemoCatalog(Cluster.Client, new ConfigurationBuilder().Build(), NullLogger<DemoCatalog>.Instance)
        {
            Users = 60, Creators = 48, Videos = Videos,
        };
        await seeder.SeedAsync(CancellationToken.None);
        await Eventually.HoldsAsync(async () => await CatalogSize(Grains) == Videos, TimeSpan.FromSeconds(30), "catalogue indexed");
    }

    public static async Task<int> CatalogSize(IGrainFactory grains) =>
        (await Task.WhenAll(Enumerable.Range(0, 4).Select(p => grains.GetGrain<ICatalogPartitionGrain>(p.ToString(System.Globalization.CultureInfo.InvariantCulture)).Count()))).Sum();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Recommendation:CatalogPartitions"] = "4",
            }).Build();
            silo.AddOrleansTokMemoryStorage();
            silo.AddOrleansTokStreams(configuration);
            silo.AddOrleansTokServices(configuration);
            silo.AddIncomingGrainCallFilter(context =>
            {
                if (context.Grain is VideoGrain && context.InterfaceMethod.Name == nameof(IVideoGrain.ApplyJournal))
                {
                    JournalCalls.GetOrAdd(((VideoGrain)context.Grain).GetPrimaryKeyString(), _ => []).Add(RequestContext.Get(Telemetry.RequestScope.UserId));
                }
                return context.Invoke();
            });
            silo.AddIncomingGrainCallFilter(context =>
                context.Grain is CatalogPartitionGrain && context.Request.GetArgumentCount() == 1 && context.Request.GetArgument(0) is CatalogUpdate update
                    && update.VideoId.StartsWith(DirectCallRefused, StringComparison.Ordinal)
                    ? throw new InvalidOperationException("the test cluster refuses this direct call")
                    : context.Invoke());
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

public static class Eventually
{
    /// <summary>Polls until the condition holds; fails with <paramref name="what"/> after the timeout. Returns the time it took.</summary>
    public static async Task<TimeSpan> HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (started.Elapsed < timeout)
        {
            if (await condition()) return started.Elapsed;
            await Task.Delay(20);
        }
        Assert.Fail($"Timed out after {timeout.TotalSeconds:F1} s waiting for: {what}");
        return started.Elapsed;
    }
}
