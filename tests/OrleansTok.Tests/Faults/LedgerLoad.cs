using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace OrleansTok.Tests.Faults;

/// <summary>
/// A steady load of interactions with a client-side ledger of every acknowledged (202) event. Like a
/// well-behaved app, a worker retries a failed request with the same body (same event ids) until
/// it is acknowledged, so at the end every event sent was acknowledged exactly once and the
/// ledger says exactly what every counter must read.
/// </summary>
public sealed class LedgerLoad(ProcessCluster cluster, IReadOnlyList<string> users, IReadOnlyList<string> videos)
{
    private readonly ConcurrentDictionary<string, int[]> _videos = new(StringComparer.Ordinal); // views, likes, notInterested
    private readonly ConcurrentDictionary<string, int[]> _users = new(StringComparer.Ordinal);  // interactions, likes
    private long _attempts;
    private long _failures;
    private long _acknowledged;
    private long _firstFailureTicks = long.MaxValue;
    private long _lastFailureTicks;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<string, int> _failureKinds = new(StringComparer.Ordinal);

    public long Attempts => Interlocked.Read(ref _attempts);
    public long Failures => Interlocked.Read(ref _failures);
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>From the first failed request to the last one (zero when nothing failed).</summary>
    public TimeSpan FailureWindow => _lastFailureTicks == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(_lastFailureTicks - _firstFailureTicks);

    public string FailureKinds => string.Join(", ", _failureKinds.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key}×{kv.Value}"));

    public async Task RunAsync(int workers, CancellationToken stop)
    {
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => WorkerAsync(w, workers, stop)));
    }

    private async Task WorkerAsync(int worker, int workers, CancellationToken stop)
    {
        var random = new Random(worker);
        var mine = users.Where((_, i) => i % workers == worker).ToList();
        var liked = new HashSet<(string, string)>();
        var n = 0;
        while (!stop.IsCancellationRequested)
        {
            var user = mine[n % mine.Count];
            var events = new List<object>();
            var expected = new List<(string Video, int Kind)>(); // 0 view, 1 like, 2 not interested
            for (var i = 0; i < 4; i++)
            {
                var video = videos[random.Next(videos.Count)];
                var id = $"{user}-{worker}-{n}-{i}";
                var roll = random.Next(10);
                if (roll < 2 && liked.Add((user, video)))
                {
                    events.Add(new { eventId = id, videoId = video, type = "like" });
                    expected.Add((video, 1));
                }
                else if (roll == 2)
                {
                    events.Add(new { eventId = id, videoId = video, type = "not_interested" });
                    expected.Add((video, 2));
                }
                else
                {
                    events.Add(new { eventId = id, videoId = video, type = "view", watchMs = 1000 + random.Next(9000) });
                    expected.Add((video, 0));
                }
            }
            await SendUntilAcknowledgedAsync(user, new { events });
            Interlocked.Increment(ref _acknowledged);
            foreach (var (video, kind) in expected)
            {
                Interlocked.Increment(ref _videos.GetOrAdd(video, _ => new int[3])[kind]);
                var u = _users.GetOrAdd(user, _ => new int[2]);
                Interlocked.Increment(ref u[0]);
                if (kind == 1) Interlocked.Increment(ref u[1]);
            }
            n++;
        }
    }

    private async Task SendUntilAcknowledgedAsync(string user, object body)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Interlocked.Increment(ref _attempts);
            string kind;
            try
            {
                using var response = await cluster.Send(user, HttpMethod.Post, $"/v1/users/{user}/interactions", body);
                if (response.StatusCode == HttpStatusCode.Accepted) return;
                kind = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                if ((int)response.StatusCode is >= 400 and < 500)
                {
                    throw new InvalidOperationException($"{kind}: {await response.Content.ReadAsStringAsync()}"); // a client error is a bug, not a fault
                }
            }
            catch (HttpRequestException ex)
            {
                kind = ex.HttpRequestError.ToString();
            }
            catch (TaskCanceledException)
            {
                kind = "timeout";
            }
            Interlocked.Increment(ref _failures);
            _failureKinds.AddOrUpdate(kind, 1, (_, c) => c + 1);
            var now = _clock.Elapsed.Ticks;
            InterlockedMin(ref _firstFailureTicks, now);
            InterlockedMax(ref _lastFailureTicks, now);
            if (deadline.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException("an interaction was not acknowledged within two minutes");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Waits until every video, creator and user reads what the ledger says, then answers the
    /// differences still left (empty when all is exactly right).
    /// </summary>
    public async Task<List<string>> VerifyAsync(string creator, TimeSpan patience)
    {
        var waited = Stopwatch.StartNew();
        List<string> differences;
        do
        {
            try
            {
                differences = await DifferencesAsync(creator);
            }
            catch (HttpRequestException ex)
            {
                differences = [$"reading back failed: {ex.Message}"];
            }
            if (differences.Count == 0) return differences;
            await Task.Delay(500);
        }
        while (waited.Elapsed < patience);
        return differences;
    }

    private async Task<List<string>> DifferencesAsync(string creator)
    {
        var differences = new List<string>();
        var totalViews = 0;
        var totalLikes = 0;
        foreach (var video in videos)
        {
            var expected = _videos.GetValueOrDefault(video) ?? new int[3];
            totalViews += expected[0];
            totalLikes += expected[1];
            var actual = await GetJson($"/v1/videos/{video}");
            Compare(differences, $"video {video} views", expected[0], actual.GetProperty("views").GetInt64());
            Compare(differences, $"video {video} likes", expected[1], actual.GetProperty("likes").GetInt64());
            Compare(differences, $"video {video} notInterested", expected[2], actual.GetProperty("notInterested").GetInt64());
        }
        var creatorPage = await GetJson($"/v1/creators/{creator}");
        Compare(differences, "creator views", totalViews, creatorPage.GetProperty("views").GetInt64());
        Compare(differences, "creator likes", totalLikes, creatorPage.GetProperty("likes").GetInt64());
        foreach (var user in users)
        {
            var expected = _users.GetValueOrDefault(user) ?? new int[2];
            using var response = await cluster.Send(user, HttpMethod.Get, $"/v1/users/{user}");
            var actual = await response.Content.ReadFromJsonAsync<JsonElement>();
            Compare(differences, $"user {user} interactions", expected[0], actual.GetProperty("interactions").GetInt64());
            Compare(differences, $"user {user} likes", expected[1], actual.GetProperty("likes").GetInt64());
        }
        return differences;
    }

    private async Task<JsonElement> GetJson(string path)
    {
        using var response = await cluster.Http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static void Compare(List<string> differences, string what, long expected, long actual)
    {
        if (expected != actual) differences.Add($"{what}: expected {expected}, read {actual}");
    }

    private static void InterlockedMin(ref long target, long value)
    {
        long current;
        while (value < (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
