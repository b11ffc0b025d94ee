using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Xunit.Abstractions;

namespace OrleansTok.Tests.Faults;

/// <summary>
/// kill -9 a silo, kill -9 the API, restart PostgreSQL, all under a steady load of interactions;
/// then every acknowledged view, like and "not interested" must be counted exactly once by its
/// video, its creator and its user. Figures (error rate, failure window) go to the test output and
/// to artifacts/faults/.
/// </summary>
public sealed class FaultTests(ProcessCluster cluster, ITestOutputHelper output) : IClassFixture<ProcessCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public Task A_silo_killed_under_load_loses_no_acknowledged_interaction() =>
        UnderLoad("kill -9 silo", async () =>
        {
            await cluster.KillSilo(2);
            await Task.Delay(TimeSpan.FromSeconds(6));
            await cluster.StartSilo(2);
        });

    [Fact]
    public Task A_silo_stopped_with_SIGTERM_under_load_loses_no_acknowledged_interaction() =>
        UnderLoad("SIGTERM silo", async () =>
        {
            await cluster.StopSilo(3); // returns once the process has exited: grains deactivated, state written
            await cluster.StartSilo(3);
        });

    [Fact]
    public Task The_API_killed_under_load_loses_no_acknowledged_interaction() =>
        UnderLoad("kill -9 API", async () =>
        {
            await cluster.KillApi();
            await Task.Delay(TimeSpan.FromSeconds(1));
            await cluster.StartApi();
        });

    [Fact]
    public Task PostgreSQL_restarted_under_load_loses_no_acknowledged_interaction() =>
        UnderLoad("PostgreSQL restart", async () =>
        {
            await ProcessCluster.StopPostgres();
            await Task.Delay(TimeSpan.FromSeconds(3));
            await ProcessCluster.StartPostgres();
        });

    /// <summary>
    /// A graceful stop (SIGTERM) writes every grain's state: the journal is emptied before the restart,
    /// so everything read back afterwards comes from grain state alone.
    /// </summary>
    [Fact]
    public async Task State_survives_a_full_cluster_restart()
    {
        var (creator, users, videos) = await World("restart", userCount: 6, videoCount: 6);
        var load = new LedgerLoad(cluster, users, videos);
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3))) await load.RunAsync(workers: 3, stop.Token);
        Assert.Empty(await load.VerifyAsync(creator, Patience));

        await cluster.Down();
        await using (var db = NpgsqlDataSource.Create(ProcessCluster.ConnectionString))
        {
            await using var reminders = db.CreateCommand("SELECT count(*) FROM orleansreminderstable WHERE serviceid = $1");
            reminders.Parameters.AddWithValue(cluster.ServiceId);
            Assert.True((long)(await reminders.ExecuteScalarAsync())! >= 1, "the journal partitions' wake-up reminders are kept in PostgreSQL");
            await using var purge = db.CreateCommand("DELETE FROM orleanstok_journal WHERE service_id = $1");
            purge.Parameters.AddWithValue(cluster.ServiceId);
            Assert.True(await purge.ExecuteNonQueryAsync() > 0);
        }
        await cluster.Up();

        Assert.Empty(await load.VerifyAsync(creator, Patience));
        var summary = await (await cluster.Send(users[0], HttpMethod.Get, $"/v1/users/{users[0]}")).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("US", summary.GetProperty("country").GetString());
    }

    private async Task UnderLoad(string fault, Func<Task> inject)
    {
        var (creator, users, videos) = await World(fault.Replace(' ', '-').Replace("-9", "", StringComparison.Ordinal), userCount: 24, videoCount: 20);
        var load = new LedgerLoad(cluster, users, videos);
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(workers: 8, stop.Token);

        await Task.Delay(TimeSpan.FromSeconds(3));
        var injectedAt = clock.Elapsed;
        await inject();
        var restoredAt = clock.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(4));
        await stop.CancelAsync();
        await running;
        var loadEnded = clock.Elapsed;

        var differences = await load.VerifyAsync(creator, Patience);
        var convergedAfter = clock.Elapsed - loadEnded;
        var report = string.Create(CultureInfo.InvariantCulture,
            $"| {fault} | {load.Acknowledged} | {load.Attempts} | {load.Failures} ({100.0 * load.Failures / Math.Max(1, load.Attempts):F1} %) | {load.FailureWindow.TotalSeconds:F1} s | {(restoredAt - injectedAt).TotalSeconds:F1} s | {convergedAfter.TotalSeconds:F1} s | {differences.Count} | {load.FailureKinds} |");
        output.WriteLine("| fault | acknowledged requests | attempts | failed attempts | failure window | fault lasted | counters exact after | differences | failures |");
        output.WriteLine(report);
        Record(report);
        Assert.True(load.Acknowledged > 50, $"the load barely ran: {load.Acknowledged} acknowledged requests");
        Assert.True(differences.Count == 0, string.Join('\n', differences.Take(20)));
    }

    private async Task<(string Creator, List<string> Users, List<string> Videos)> World(string tag, int userCount, int videoCount)
    {
        var run = Guid.NewGuid().ToString("N")[..6];
        var creator = $"{tag}-creator-{run}";
        await Create(creator);
        var users = new List<string>();
        for (var i = 0; i < userCount; i++)
        {
            users.Add($"{tag}-u{i}-{run}");
            await Create(users[^1]);
        }
        var videos = new List<string>();
        for (var i = 0; i < videoCount; i++)
        {
            var id = $"{tag}-v{i}-{run}";
            using var response = await SendRetryingUnavailable(creator, HttpMethod.Post, "/v1/videos",
                new { id, creatorId = creator, soundId = "s" + i, language = "en", durationMs = 10000, hashtags = new[] { "faults" } });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            videos.Add(id);
        }
        return (creator, users, videos);
    }

    private async Task Create(string user)
    {
        using var response = await SendRetryingUnavailable(user, HttpMethod.Post, "/v1/users", new { id = user, language = "en", country = "US", interests = new[] { "faults" } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    /// <summary>
    /// Sends the way a client honours a 503's Retry-After. A test that runs after PostgreSQL was
    /// restarted can meet pooled connections the restart terminated (57P01 on their first use): the
    /// API answers 503 for those requests, and their retry is served.
    /// </summary>
    private async Task<HttpResponseMessage> SendRetryingUnavailable(string userId, HttpMethod method, string path, object body)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await cluster.Send(userId, method, path, body);
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 20) return response;
            response.Dispose();
            await Task.Delay(250);
        }
    }

    private static void Record(string line)
    {
        var dir = Path.Combine(ProcessCluster.Root, "artifacts", "faults");
        Directory.CreateDirectory(dir);
        File.AppendAllText(Path.Combine(dir, "report.md"), line + Environment.NewLine);
    }
}
