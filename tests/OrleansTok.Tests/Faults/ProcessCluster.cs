using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansTok.Tests.Postgres;

namespace OrleansTok.Tests.Faults;

/// <summary>
/// A real cluster of separate processes, driven through scripts/cluster.sh exactly as an operator
/// would: three silos and the API (an Orleans client) on the test PostgreSQL. Failure detection is
/// tuned tighter than the defaults so a killed silo is declared dead within seconds.
/// </summary>
public sealed class ProcessCluster : IAsyncLifetime
{
    public const int Silos = 3;
    public static readonly string Root = FindRoot();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "orleanstok-fault-cluster-" + Guid.NewGuid().ToString("N")[..8]);
    public string ServiceId { get; } = "faults-" + Guid.NewGuid().ToString("N")[..8];
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

    public int ApiPort { get; } = 18000 + Random.Shared.Next(1000);

    /// <summary>The API's management port; silo K's is this plus K.</summary>
    public int ManagementPort { get; } = 19000 + 10 * Random.Shared.Next(90);

    public Uri BaseAddress => new($"http://127.0.0.1:{ApiPort}");

    public static string ConnectionString => Environment.GetEnvironmentVariable(PostgresPersistenceTests.ConnectionVariable) is { Length: > 0 } cs
        ? cs
        : throw new InvalidOperationException($"{PostgresPersistenceTests.ConnectionVariable} is not set: run the tests with scripts/test.sh, which starts PostgreSQL.");

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(20) };

    public async Task InitializeAsync()
    {
        Http.BaseAddress = BaseAddress;
        await Script("up", "--silos", Silos.ToString(CultureInfo.InvariantCulture), "--postgres", ConnectionString,
            "--api-port", ApiPort.ToString(CultureInfo.InvariantCulture),
            "--management-port", ManagementPort.ToString(CultureInfo.InvariantCulture), "--no-demo", "--no-build");
    }

    public async Task DisposeAsync()
    {
        await Script("down");
        Http.Dispose();
    }

    public Task KillSilo(int k) => Script("kill-silo", k.ToString(CultureInfo.InvariantCulture));

    public Task StopSilo(int k) => Script("stop-silo", k.ToString(CultureInfo.InvariantCulture));

    public Task StartSilo(int k) => Script("start-silo", k.ToString(CultureInfo.InvariantCulture));

    public Task KillApi() => Script("kill-api");

    public Task StartApi() => Script("start-api");

    public Task Down() => Script("down");

    public Task Up() => Script("up", "--silos", Silos.ToString(CultureInfo.InvariantCulture), "--postgres", ConnectionString,
        "--api-port", ApiPort.ToString(CultureInfo.InvariantCulture),
            "--management-port", ManagementPort.ToString(CultureInfo.InvariantCulture), "--no-demo", "--no-build");

    public static async Task RestartPostgres()
    {
        try
        {
            await StopPostgres();
        }
        finally
        {
            await StartPostgres();
        }
    }

    public static Task StopPostgres() => Run("bash", Path.Combine(Root, "scripts", "postgres.sh"), "stop");

    /// <summary>
    /// Starts the database again and drops this test process's pooled connections to the old one:
    /// each would fail once on first use (57P01), in whichever later test class took it first.
    /// </summary>
    public static async Task StartPostgres()
    {
        await Run("bash", Path.Combine(Root, "scripts", "postgres.sh"), "start");
        Npgsql.NpgsqlConnection.ClearAllPools();
    }

    /// <summary>A request as <paramref name="userId"/>, with a token from the Development token endpoint (cached).</summary>
    public async Task<HttpRequestMessage> As(string userId, HttpMethod method, string path, object? body = null)
    {
        if (!_tokens.TryGetValue(userId, out var token))
        {
            using var response = await Http.PostAsJsonAsync("/dev/token", new { userId });
            response.EnsureSuccessStatusCode();
            token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
            _tokens[userId] = token;
        }
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null) request.Content = JsonContent.Create(body);
        return request;
    }

    public async Task<HttpResponseMessage> Send(string userId, HttpMethod method, string path, object? body = null)
    {
        using var request = await As(userId, method, path, body);
        return await Http.SendAsync(request);
    }

    private Task Script(params string[] args) => Run("bash", [Path.Combine(Root, "scripts", "cluster.sh"), .. args], ScriptEnvironment());

    private Dictionary<string, string> ScriptEnvironment() => new()
    {
        ["ORLEANSTOK_CLUSTER_DIR"] = _dir,
        ["Orleans__ServiceId"] = ServiceId,
        ["Orleans__ClusterId"] = ServiceId,
        // Declare a killed silo dead after ~2 missed one-second probes instead of ~3 × 5 s.
        ["Orleans__Membership__ProbeTimeout"] = "00:00:01",
        ["Orleans__Membership__NumMissedProbesLimit"] = "2",
        ["Orleans__ResponseTimeout"] = "00:00:05",
        ["RateLimits__Enabled"] = "false",
        // Every API process of a deployment shares one signing key; tokens outlive a restarted API.
        ["Auth__SigningKey"] = "fault-tests-signing-key-0123456789abcdef",
        ["Logging__LogLevel__Default"] = "Warning",
        ["Logging__LogLevel__OrleansTok"] = "Warning",
    };

    private static Task Run(string file, params string[] args) => Run(file, args, []);

    private static async Task Run(string file, string[] args, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        }
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "OrleansTok.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("OrleansTok.sln not found above the test assembly");
    }
}
