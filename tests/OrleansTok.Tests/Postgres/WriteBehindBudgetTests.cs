using Microsoft.Extensions.Configuration;
using OrleansTok.Grains;
using OrleansTok.Hosting;
using OrleansTok.Model;
using OrleansTok.Tests.Cluster;

namespace OrleansTok.Tests.Postgres;

/// <summary>
/// Write-behind on a real PostgreSQL draws on the silo's budget: users made dirty together are
/// written at the budget's rate, not all at once, and every one of them by its deadline.
/// </summary>
public class WriteBehindBudgetTests
{
    private const int Users = 10;
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(4);

    private static string ConnectionString => PostgresPersistenceTests.ConnectionString;

    [Fact]
    public async Task Writes_follow_the_silos_budget_and_none_waits_past_its_deadline()
    {
        await PostgresSchema.ApplyAsync(ConnectionString);
        var serviceId = $"wb-{Guid.NewGuid():N}"[..20];
        var cluster = await PostgresPersistenceTests.StartCluster<BudgetedSilo>(serviceId, silos: 1);
        try
        {
            var grains = cluster.Client;
            var at = DateTimeOffset.UtcNow;
            Assert.Equal(CommandStatus.Ok, await grains.GetGrain<IUserGrain>("wb-maker").Create(new UserSettings("en", "US", "ios", [])));
            Assert.Equal(CommandStatus.Ok, await grains.GetGrain<IVideoGrain>("wb-v").Upload(new VideoUpload("wb-v", "wb-maker", "c", ["cats"], "s", "en", 10_000, at)));
            var users = Enumerable.Range(0, Users).Select(i => grains.GetGrain<IUserGrain>($"wb-fan-{i}")).ToList();
            foreach (var user in users) Assert.Equal(CommandStatus.Ok, await user.Create(new UserSettings("en", "US", "ios", ["cats"])));
            Assert.Equal(Users + 1, await UserRows(serviceId, minVersion: 1)); // creating writes at once; the maker is never written again

            // Each fan's view makes its state dirty: its write is due 200 ms later.
            await Task.WhenAll(users.Select((user, i) => user.Record([new Interaction($"e{i}", "wb-v", InteractionType.View, 10_000, null, at)])));
            var dirtied = System.Diagnostics.Stopwatch.StartNew();

            await Task.Delay(TimeSpan.FromSeconds(1.5));
            var early = await UserRows(serviceId, minVersion: 2);
            // One write a second and a second's worth at once: about two by now. Unbounded, all ten
            // were written after 200 ms.
            Assert.InRange(early, 1, 4);

            await Eventually.HoldsAsync(async () => await UserRows(serviceId, minVersion: 2) == Users,
                MaxDelay + TimeSpan.FromSeconds(6), "every dirty user written by its deadline");
            Assert.True(dirtied.Elapsed >= TimeSpan.FromSeconds(2), "the writes were spread over seconds, not made at once");
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    /// <summary>Users whose stored state has been written at least <paramref name="minVersion"/> times.</summary>
    private static async Task<long> UserRows(string serviceId, int minVersion) => await PostgresPersistenceTests.CountRows(
        $"SELECT count(*) FROM orleansstorage WHERE serviceid = @s AND graintypestring = 'user' AND version >= {minVersion}", serviceId);

    private sealed class BudgetedSilo : Orleans.TestingHost.ISiloConfigurator
    {
        public void Configure(ISiloBuilder silo)
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["WriteBehind:WritesPerSecond"] = "1",
                ["WriteBehind:UserDelay"] = "00:00:00.200",
                ["WriteBehind:MaxDelay"] = MaxDelay.ToString(),
            }).Build();
            silo.AddOrleansTokPostgres(ConnectionString);
            silo.AddOrleansTokStreams(configuration);
            silo.AddOrleansTokServices(configuration);
        }
    }
}
