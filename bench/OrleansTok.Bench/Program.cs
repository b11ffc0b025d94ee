using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansTok.Bench;

// Drives a running OrleansTok API over loopback (bench/run.sh starts it) and prints figures.
var o = Options.Parse(args);
var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
{
    BaseAddress = new Uri(o.Url),
    Timeout = TimeSpan.FromSeconds(30),
};
var tokens = new Tokens(o.Issuer, o.Audience, o.Key);
var results = new Dictionary<string, object>();
var topics = new[] { "cats", "dogs", "cooking", "fitness", "dance", "comedy", "travel", "gaming", "music", "diy", "fashion", "science", "football", "makeup", "cars", "baking" };
string User(int i) => $"bu{i}";
string Creator(int i) => $"bc{i}";
string Video(int i) => $"bv{i}";

// ---------------------------------------------------------------- catalogue through the public API
// (--phases ...,loaded: the server already holds this catalogue from an earlier run, e.g. between two heap dumps)
var load = Stopwatch.StartNew();
if (!o.Phases.Contains("loaded"))
{
await Parallel.ForEachAsync(Enumerable.Range(0, o.Creators + o.Users), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
{
    var id = i < o.Creators ? Creator(i) : User(i - o.Creators);
    var interests = new[] { topics[i % topics.Length], topics[(i / 3) % topics.Length] }.Distinct();
    await Load.Ok(Load.PostJson(http, "/v1/users", new { id, language = "en", country = i % 2 == 0 ? "US" : "GB", interests }, tokens.For(id)));
});
var usersLoaded = load.Elapsed;
await Parallel.ForEachAsync(Enumerable.Range(0, o.Videos), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
{
    var creator = Creator(i % o.Creators);
    var topic = topics[(i / 7) % topics.Length];
    await Load.Ok(Load.PostJson(http, "/v1/videos", new { id = Video(i), creatorId = creator, caption = $"#{topic}", hashtags = new[] { topic },
        soundId = $"s{i % 997}", language = "en", durationMs = 15_000 + i % 45_000 }, tokens.For(creator)));
});
Console.WriteLine($"catalogue: {o.Creators:N0} creators + {o.Users:N0} users in {usersLoaded.TotalSeconds:F1} s, {o.Videos:N0} videos in {(load.Elapsed - usersLoaded).TotalSeconds:F1} s through the API");
results["load"] = new { o.Creators, o.Users, o.Videos, usersSeconds = usersLoaded.TotalSeconds, videosSeconds = (load.Elapsed - usersLoaded).TotalSeconds };
await Task.Delay(1500); // let the catalogue streams settle
}

// A page of a random user's feed: the reads phase and the history phase measure the same request.
Task<int> FeedPageOf(string u) => Load.Ok(Load.Get(http, $"/v1/users/{u}/feed?count=10", tokens.For(u)));
Task<int> FeedPage(int worker, Random rnd) => FeedPageOf(User(rnd.Next(o.Users)));

// Warm-ups (Warmup.cs) drive users of their own, so the measured users' first pages are still new
// users' pages and their histories hold only what measured runs gave them.
var warmupUsers = Math.Max(50, o.Users / 4);
string WarmupUser(int i) => $"bw{i}";
Task? warmupUsersCreated = null;
Task EnsureWarmupUsersAsync() => warmupUsersCreated ??= Parallel.ForEachAsync(Enumerable.Range(0, warmupUsers),
    new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
    {
        var id = WarmupUser(i);
        var interests = new[] { topics[i % topics.Length], topics[(i / 3) % topics.Length] }.Distinct();
        using var response = await Load.PostJson(http, "/v1/users", new { id, language = "en", country = "US", interests }, tokens.For(id));
        // Conflict: a server loaded by an earlier run (--phases ...,loaded) has them already.
        if (!response.IsSuccessStatusCode && response.StatusCode != System.Net.HttpStatusCode.Conflict)
            throw new HttpRequestException($"creating warm-up user {id}: {(int)response.StatusCode}");
    });
Task<int> WarmupFeedPage(int worker, Random rnd) => FeedPageOf(WarmupUser(rnd.Next(warmupUsers)));

// ---------------------------------------------------------------- time to first feed of a new user
if (o.Has("reads"))
{
var cold = $"cold-{Guid.NewGuid():N}";
await Load.Ok(Load.PostJson(http, "/v1/users", new { id = cold, language = "en", country = "US" }, tokens.For(cold)));
var first = Stopwatch.StartNew();
await Load.Ok(Load.Get(http, $"/v1/users/{cold}/feed?count=10", tokens.For(cold)));
results["firstFeedMs"] = first.Elapsed.TotalMilliseconds;
Console.WriteLine($"first feed of a new user: {first.Elapsed.TotalMilliseconds:F1} ms");

// ---------------------------------------------------------------- feed vs trivial, side by side
using var readsManagement = new HttpClient { BaseAddress = new Uri(o.ManagementUrl) };
var retrievalsBefore = await Backlog.RetrievalsAsync(readsManagement);
var reads = new List<LoadResult>();
// The server's GC over each endpoint's runs: a collection stops every request in flight, so the
// share of time paused is where a p99 at high concurrency comes from (round 21).
// The JIT's share of each endpoint's runs says whether a figure was measured on a warm server.
var gc = new Dictionary<(string, int), (double Paused, double Collections, double Seconds, double Jit)>();
async Task<LoadResult> Measured(Func<Task<LoadResult>> run)
{
    var before = await ManagedHeap.CountersAsync(readsManagement);
    var result = await run();
    var after = await ManagedHeap.CountersAsync(readsManagement);
    var key = (result.Name, result.Concurrency);
    var sum = gc.GetValueOrDefault(key);
    gc[key] = (sum.Paused + after.PausedSeconds - before.PausedSeconds, sum.Collections + after.Collections - before.Collections,
        sum.Seconds + o.Duration.TotalSeconds, sum.Jit + after.JitSeconds - before.JitSeconds);
    return result;
}
Task<LoadResult> Trivial(int concurrency, TimeSpan duration) =>
    Load.RunAsync("trivial", concurrency, duration, (_, _) => Load.Ok(Load.Get(http, "/health/live", null)));
// The same user's summary: token check, routing and one call to the user grain, no recommendation.
Task<LoadResult> UserSummary(int concurrency, TimeSpan duration, Func<Random, string> user) => Load.RunAsync("user", concurrency, duration, (_, rnd) =>
{
    var u = user(rnd);
    return Load.Ok(Load.Get(http, $"/v1/users/{u}", tokens.For(u)));
});
// The same mix as the measured runs, at the highest concurrency, in slices of 2 s per endpoint.
if (o.WarmupCap > TimeSpan.Zero) await EnsureWarmupUsersAsync();
var readsWarmup = await Warmup.RunAsync(readsManagement, o.WarmupCap, async () =>
{
    var slice = TimeSpan.FromSeconds(2);
    await Trivial(o.Concurrency.Max(), slice);
    await UserSummary(o.Concurrency.Max(), slice, rnd => WarmupUser(rnd.Next(warmupUsers)));
    await Load.RunAsync("feed", o.Concurrency.Max(), slice, WarmupFeedPage);
});
Console.WriteLine(Warmup.Describe("the reads", readsWarmup));
results["readsWarmup"] = readsWarmup;
foreach (var concurrency in o.Concurrency)
{
    for (var r = 0; r < o.Repeat; r++)
    {
        reads.Add(await Measured(() => Trivial(concurrency, o.Duration)));
        reads.Add(await Measured(() => UserSummary(concurrency, o.Duration, rnd => User(rnd.Next(o.Users)))));
        reads.Add(await Measured(() => Load.RunAsync("feed", concurrency, o.Duration, FeedPage)));
    }
}
Console.WriteLine();
Console.WriteLine($"{"endpoint",-10} {"conc",5} {"req/s",9} {"p50 ms",8} {"p90 ms",8} {"p99 ms",8} {"errors",7}   (median of {o.Repeat} runs of {o.Duration.TotalSeconds:F0} s)");
var readRows = new List<object>();
foreach (var group in reads.GroupBy(x => (x.Name, x.Concurrency)))
{
    var row = new LoadResult(group.Key.Name, group.Key.Concurrency, Load.Median(group.Select(g => g.RequestsPerSecond)),
        Load.Median(group.Select(g => g.P50Ms)), Load.Median(group.Select(g => g.P90Ms)), Load.Median(group.Select(g => g.P99Ms)), group.Sum(g => g.Errors), 0);
    readRows.Add(row);
    Console.WriteLine($"{row.Name,-10} {row.Concurrency,5} {row.RequestsPerSecond,9:F0} {row.P50Ms,8:F2} {row.P90Ms,8:F2} {row.P99Ms,8:F2} {row.Errors,7}");
}
foreach (var concurrency in o.Concurrency)
{
    var feed = (LoadResult)readRows.First(r => r is LoadResult l && l.Name == "feed" && l.Concurrency == concurrency);
    var trivial = (LoadResult)readRows.First(r => r is LoadResult l && l.Name == "trivial" && l.Concurrency == concurrency);
    var user = (LoadResult)readRows.First(r => r is LoadResult l && l.Name == "user" && l.Concurrency == concurrency);
    Console.WriteLine($"feed / trivial at {concurrency}: {feed.RequestsPerSecond / trivial.RequestsPerSecond:P0} of the throughput; " +
        $"an authenticated call to the user grain alone: {user.RequestsPerSecond / trivial.RequestsPerSecond:P0}; feed / that call: {feed.RequestsPerSecond / user.RequestsPerSecond:P0}");
}
foreach (var ((name, concurrency), g) in gc)
{
    Console.WriteLine($"GC during the {name} runs at {concurrency}: paused {g.Paused / g.Seconds:P1} of the time, {g.Collections / g.Seconds:F2} collections/s" +
        (g.Collections > 0 ? $", {1000 * g.Paused / g.Collections:F1} ms each" : "") + $"; JIT compiling {g.Jit / g.Seconds:P1} of the time");
}
results["readsGc"] = gc.Select(kv => new
{
    name = kv.Key.Item1, concurrency = kv.Key.Item2, pausedShare = kv.Value.Paused / kv.Value.Seconds,
    collectionsPerSecond = kv.Value.Collections / kv.Value.Seconds, msPerCollection = kv.Value.Collections > 0 ? 1000 * kv.Value.Paused / kv.Value.Collections : 0,
    jitShare = kv.Value.Jit / kv.Value.Seconds,
}).ToList();
var pooled = Backlog.PooledShare(retrievalsBefore, await Backlog.RetrievalsAsync(readsManagement));
Console.WriteLine($"feed pages that ranked the user's pooled candidates instead of retrieving: {pooled:P0}");
results["reads"] = readRows;
results["readsPooledShare"] = pooled;
}

// A batch of interactions by one random user on random videos, as the ingest and seed phases post them.
object Batch(Random rnd, int size, Func<int, string> eventId) => new
{
    events = Enumerable.Range(0, size).Select(k => new
    {
        eventId = eventId(k),
        videoId = Video(rnd.Next(o.Videos)),
        type = rnd.Next(3) == 0 ? "like" : "view",
        watchMs = rnd.Next(60_000),
    }).ToArray(),
};

// Batches by random users of `user` for `duration`, 64 requests in flight, every event id new.
long sequence = 0;
Task<LoadResult> Post(int batch, TimeSpan duration, Func<Random, string> user) => Load.RunAsync($"batch {batch}", 64, duration, (_, rnd) =>
{
    var u = user(rnd);
    return Load.Ok(Load.PostJson(http, $"/v1/users/{u}/interactions", Batch(rnd, batch, _ => $"b{Interlocked.Increment(ref sequence)}"), tokens.For(u)), batch);
});

// ---------------------------------------------------------------- a fixed history (only when named)
// Ingest runs for a time, so a faster build holds more history after it and its pages cost more:
// `--phases seed,history` posts the same --seed-events events (batch b drawn from Random(b)) to any
// build, waits until all are applied, and so makes returning users' pages comparable side by side.
if (o.Phases.Contains("seed"))
{
    var seeding = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(0, o.SeedEvents / 100), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (b, _) =>
    {
        var rnd = new Random(b);
        var u = User(rnd.Next(o.Users));
        await Load.Ok(Load.PostJson(http, $"/v1/users/{u}/interactions", Batch(rnd, 100, k => $"s{b}-{k}"), tokens.For(u)));
    });
    using var management = new HttpClient { BaseAddress = new Uri(o.ManagementUrl) };
    await Backlog.DrainAsync(management, TimeSpan.FromMinutes(5));
    Console.WriteLine($"seeded {o.SeedEvents / 100 * 100:N0} interactions in batches of 100, all applied, in {seeding.Elapsed.TotalSeconds:F1} s");
    results["seed"] = new { events = o.SeedEvents / 100 * 100, seconds = seeding.Elapsed.TotalSeconds };
}

// ---------------------------------------------------------------- ingest
if (o.Has("ingest"))
{
var ingest = new List<LoadResult>();
var applied = new List<(string Name, double PerSecond, double DrainSeconds, double CpuMsPerThousand)>();
using var management = new HttpClient { BaseAddress = new Uri(o.ManagementUrl) };
int[] batchSizes = o.Batches;
// Every batch size for a second, then the journal emptied, so the first measured run starts with no backlog.
if (o.WarmupCap > TimeSpan.Zero) await EnsureWarmupUsersAsync();
var ingestWarmup = await Warmup.RunAsync(management, o.WarmupCap, async () =>
{
    foreach (var batch in batchSizes) await Post(batch, TimeSpan.FromSeconds(1), rnd => WarmupUser(rnd.Next(warmupUsers)));
    await Backlog.DrainAsync(management, TimeSpan.FromMinutes(3));
});
Console.WriteLine(Warmup.Describe("ingest", ingestWarmup));
results["ingestWarmup"] = ingestWarmup;
foreach (var batch in batchSizes)
{
    for (var r = 0; r < o.Repeat; r++)
    {
        var (cpuBefore, (_, appliedBefore)) = (ProcessCpu.Used(o.Pid), await Backlog.ReadAsync(management));
        ingest.Add(await Post(batch, o.Duration, rnd => User(rnd.Next(o.Users))));
        // Acknowledged is not yet applied to videos and creators: the run only ends when the journal is empty again.
        var (drain, appliedAfter) = await Backlog.DrainAsync(management, TimeSpan.FromMinutes(3));
        var cpuAfter = ProcessCpu.Used(o.Pid);
        var events = ingest[^1].ItemsPerSecond * o.Duration.TotalSeconds;
        var cpuPerThousand = cpuAfter - cpuBefore is { } cpu && appliedAfter > appliedBefore ? cpu.TotalMilliseconds * 1000 / (appliedAfter - appliedBefore) : double.NaN;
        applied.Add(($"batch {batch}", events / (o.Duration + drain).TotalSeconds, drain.TotalSeconds, cpuPerThousand));
    }
}
Console.WriteLine();
Console.WriteLine($"{"ingest",-10} {"events/s",9} {"req/s",9} {"p99 ms",8} {"errors",7} {"applied/s",10} {"drain s",8} {"CPU ms/1k",10}   (64 concurrent requests, median of {o.Repeat};");
Console.WriteLine("           events/s = acknowledged; applied/s = the same events over the run plus the time the journal took to apply them all;");
Console.WriteLine("           CPU ms/1k = the server's CPU time per 1,000 applied events, run and drain, with --pid)");
var ingestRows = ingest.GroupBy(x => x.Name).Select(g => new LoadResult(g.Key, 64, Load.Median(g.Select(x => x.RequestsPerSecond)), Load.Median(g.Select(x => x.P50Ms)),
    Load.Median(g.Select(x => x.P90Ms)), Load.Median(g.Select(x => x.P99Ms)), g.Sum(x => x.Errors), Load.Median(g.Select(x => x.ItemsPerSecond)))).ToList();
var appliedRows = applied.GroupBy(x => x.Name).Select(g => new
{
    Name = g.Key,
    AppliedPerSecond = Load.Median(g.Select(x => x.PerSecond)),
    DrainSeconds = Load.Median(g.Select(x => x.DrainSeconds)),
    CpuMsPerThousand = g.All(x => double.IsFinite(x.CpuMsPerThousand)) ? Load.Median(g.Select(x => x.CpuMsPerThousand)) : (double?)null, // JSON has no NaN
}).ToList();
foreach (var row in ingestRows)
{
    var a = appliedRows.First(x => x.Name == row.Name);
    Console.WriteLine($"{row.Name,-10} {row.ItemsPerSecond,9:F0} {row.RequestsPerSecond,9:F0} {row.P99Ms,8:F2} {row.Errors,7} {a.AppliedPerSecond,10:F0} {a.DrainSeconds,8:F1} {a.CpuMsPerThousand?.ToString("F1", CultureInfo.InvariantCulture) ?? "-",10}");
}
results["ingest"] = ingestRows;
results["ingestApplied"] = appliedRows;

// The storage limit: the same rows straight into PostgreSQL, no API, no grains, same INSERT shape.
if (o.Postgres is not null)
{
    var raw = await RawInsert.RunAsync(o.Postgres, o.Duration, o.Repeat);
    var acknowledged100 = ingestRows.First(r => r.Name == "batch 100").ItemsPerSecond;
    var applied100 = appliedRows.First(r => r.Name == "batch 100").AppliedPerSecond;
    Console.WriteLine($"raw INSERT of the same rows (batches of 100, {RawInsert.Connections} connections, {raw.PayloadBytes} B payload): {raw.RowsPerSecond:F0} rows/s; " +
        $"OrleansTok durable ingest at batch 100 applies {applied100 / raw.RowsPerSecond:P0} of it (acknowledges {acknowledged100 / raw.RowsPerSecond:P0})");
    results["rawInsert"] = new
    {
        raw.RowsPerSecond, raw.PayloadBytes, RawInsert.Connections,
        ingestRatio = acknowledged100 / raw.RowsPerSecond, appliedRatio = applied100 / raw.RowsPerSecond,
    };
}
}

// ---------------------------------------------------------------- the feed again, for users with a history
// The reads phase serves users who have not interacted yet. After ingest each has recent positives
// (related videos from co-engagement) and a larger seen set: what a page costs for a returning user.
if (o.Has("history"))
{
    using var historyManagement = new HttpClient { BaseAddress = new Uri(o.ManagementUrl) };
    // Returning users' pages run code new users' pages do not (related videos from co-engagement).
    if (o.WarmupCap > TimeSpan.Zero) await EnsureWarmupUsersAsync();
    var historyWarmup = await Warmup.RunAsync(historyManagement, o.WarmupCap, async () =>
    {
        await Post(10, TimeSpan.FromSeconds(1), rnd => WarmupUser(rnd.Next(warmupUsers)));
        await Load.RunAsync("feed", 64, TimeSpan.FromSeconds(2), WarmupFeedPage);
    });
    Console.WriteLine(Warmup.Describe("the returning users' feed", historyWarmup));
    results["historyWarmup"] = historyWarmup;
    var historyBefore = await Backlog.RetrievalsAsync(historyManagement);
    var runs = new List<LoadResult>();
    for (var r = 0; r < o.Repeat; r++) runs.Add(await Load.RunAsync("feed", 64, o.Duration, FeedPage));
    var historyPooled = Backlog.PooledShare(historyBefore, await Backlog.RetrievalsAsync(historyManagement));
    var row = new LoadResult("feed", 64, Load.Median(runs.Select(g => g.RequestsPerSecond)), Load.Median(runs.Select(g => g.P50Ms)),
        Load.Median(runs.Select(g => g.P90Ms)), Load.Median(runs.Select(g => g.P99Ms)), runs.Sum(g => g.Errors), 0);
    Console.WriteLine();
    Console.WriteLine($"feed for users with a history (after ingest), concurrency 64: {row.RequestsPerSecond:F0} req/s, p50 {row.P50Ms:F2} ms, " +
        $"p90 {row.P90Ms:F2} ms, p99 {row.P99Ms:F2} ms, {row.Errors} errors (median of {o.Repeat} runs of {o.Duration.TotalSeconds:F0} s)");
    Console.WriteLine($"of which ranked the user's pooled candidates instead of retrieving: {historyPooled:P0}");
    results["feedWithHistory"] = row;
    results["historyPooledShare"] = historyPooled;
}

// ---------------------------------------------------------------- freshness
if (o.Has("freshness"))
{
var ownLagViolations = 0;
var counterLags = new List<double>();
var uploadLags = new List<double>();
var uploadAcks = new List<double>();
var uploadPages = new List<double>();   // pages the new user read until the upload was on one: delivery vs ranking
var uploadSources = new List<string>();
for (var i = 0; i < o.FreshnessSamples; i++)
{
    // (a) the same user's next page reflects a hide at once
    var u = User(i % o.Users);
    var page = await http.SendAsync(Request(HttpMethod.Get, $"/v1/users/{u}/feed?count=10", u));
    var items = (await page.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items");
    if (items.GetArrayLength() > 0)
    {
        var victim = items[0];
        var creator = victim.GetProperty("creatorId").GetString();
        await Load.Ok(Load.PostJson(http, $"/v1/users/{u}/interactions",
            new { events = new[] { new { eventId = $"f{Guid.NewGuid():N}", videoId = victim.GetProperty("videoId").GetString(), type = "hide_creator" } } }, tokens.For(u)));
        var next = await (await http.SendAsync(Request(HttpMethod.Get, $"/v1/users/{u}/feed?count=50", u))).Content.ReadFromJsonAsync<JsonElement>();
        if (next.GetProperty("items").EnumerateArray().Any(x => x.GetProperty("creatorId").GetString() == creator)) ownLagViolations++;
    }

    // (b) a like reaches GET /v1/videos/{id}
    var video = Video(o.Videos - 1 - i);
    var before = (await http.GetFromJsonAsync<JsonElement>($"/v1/videos/{video}")).GetProperty("likes").GetInt64();
    var liker = $"fl{i}-{Guid.NewGuid():N}"[..20];
    await Load.Ok(Load.PostJson(http, "/v1/users", new { id = liker, language = "en", country = "US" }, tokens.For(liker)));
    var clock = Stopwatch.StartNew();
    await Load.Ok(Load.PostJson(http, $"/v1/users/{liker}/interactions", new { events = new[] { new { eventId = "like", videoId = video, type = "like" } } }, tokens.For(liker)));
    while ((await http.GetFromJsonAsync<JsonElement>($"/v1/videos/{video}")).GetProperty("likes").GetInt64() <= before && clock.Elapsed < TimeSpan.FromSeconds(5)) await Task.Delay(2);
    counterLags.Add(clock.Elapsed.TotalMilliseconds);

    // (c) a new upload reaches another user's feed
    var tag = $"fresh{i}x{Guid.NewGuid():N}"[..16];
    var fan = $"ff{i}-{Guid.NewGuid():N}"[..20];
    await Load.Ok(Load.PostJson(http, "/v1/users", new { id = fan, language = "en", country = "US", interests = new[] { tag } }, tokens.For(fan)));
    var creatorId = Creator(i % o.Creators);
    var uploadId = $"fv{i}-{Guid.NewGuid():N}"[..20];
    clock.Restart();
    await Load.Ok(Load.PostJson(http, "/v1/videos", new { id = uploadId, creatorId, hashtags = new[] { tag }, soundId = $"fs{i}", language = "en", durationMs = 10_000 }, tokens.For(creatorId)));
    uploadAcks.Add(clock.Elapsed.TotalMilliseconds);
    var found = false;
    var pages = 0;
    while (!found && clock.Elapsed < TimeSpan.FromSeconds(5))
    {
        var feed = await (await http.SendAsync(Request(HttpMethod.Get, $"/v1/users/{fan}/feed?count=10", fan))).Content.ReadFromJsonAsync<JsonElement>();
        pages++;
        var item = feed.GetProperty("items").EnumerateArray().FirstOrDefault(x => x.GetProperty("videoId").GetString() == uploadId);
        found = item.ValueKind == JsonValueKind.Object;
        if (found) uploadSources.Add(item.GetProperty("source").GetString() ?? "?");
        else await Task.Delay(2);
    }
    uploadLags.Add(clock.Elapsed.TotalMilliseconds);
    uploadPages.Add(pages);
}
Console.WriteLine();
Console.WriteLine($"freshness ({o.FreshnessSamples} samples): own next page reflects a hide: {o.FreshnessSamples - ownLagViolations}/{o.FreshnessSamples}; " +
    $"video counters p50 {Load.Percentile(counterLags, 50):F0} ms p99 {Load.Percentile(counterLags, 99):F0} ms; " +
    $"new upload in another user's feed p50 {Load.Percentile(uploadLags, 50):F0} ms p99 {Load.Percentile(uploadLags, 99):F0} ms " +
    $"(of which the upload request itself p50 {Load.Percentile(uploadAcks, 50):F0} ms p99 {Load.Percentile(uploadAcks, 99):F0} ms; " +
    $"pages read until it showed p50 {Load.Percentile(uploadPages, 50):F0} p99 {Load.Percentile(uploadPages, 99):F0}; " +
    $"shown as {string.Join(", ", uploadSources.GroupBy(x => x).Select(g => $"{g.Key} ×{g.Count()}"))}; {o.FreshnessSamples - uploadSources.Count} not within 5 s)");
results["freshness"] = new
{
    samples = o.FreshnessSamples,
    ownNextPageViolations = ownLagViolations,
    counterP50Ms = Load.Percentile(counterLags, 50), counterP99Ms = Load.Percentile(counterLags, 99),
    uploadP50Ms = Load.Percentile(uploadLags, 50), uploadP99Ms = Load.Percentile(uploadLags, 99),
    uploadRequestP50Ms = Load.Percentile(uploadAcks, 50), uploadRequestP99Ms = Load.Percentile(uploadAcks, 99),
    uploadPagesP50 = Load.Percentile(uploadPages, 50), uploadPagesP99 = Load.Percentile(uploadPages, 99),
};
}

// ---------------------------------------------------------------- memory per activated user and video
if (o.Pid is { } pid && o.Has("memory"))
{
    static long Rss(int pid) => long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    var memory = new List<object>();
    foreach (var n in o.MemorySteps)
    {
        var baseline = Rss(pid);
        var heapBaseline = await ManagedHeap.SettledAsync(pid, o.ManagementUrl);
        await HeapDump.CollectAsync(pid, o, $"{n}-0-baseline");
        var prefix = $"m{n}-{Guid.NewGuid():N}"[..12];
        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            var id = $"{prefix}{i}";
            await Load.Ok(Load.PostJson(http, "/v1/users", new { id, language = "en", country = "US" }, tokens.For(id)));
        });
        await Task.Delay(3000); // let write-behind and stream work of the step finish before measuring it
        var afterUsers = Rss(pid);
        var heapAfterUsers = await ManagedHeap.SettledAsync(pid, o.ManagementUrl);
        await HeapDump.CollectAsync(pid, o, $"{n}-1-users");
        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            var creator = Creator(i % o.Creators);
            await Load.Ok(Load.PostJson(http, "/v1/videos", new { id = $"{prefix}v{i}", creatorId = creator, hashtags = new[] { topics[i % topics.Length] },
                soundId = $"ms{i % 500}", language = "en", durationMs = 20_000 }, tokens.For(creator)));
        });
        await Task.Delay(3000);
        var afterVideos = Rss(pid);
        var heapAfterVideos = await ManagedHeap.SettledAsync(pid, o.ManagementUrl);
        await HeapDump.CollectAsync(pid, o, $"{n}-2-videos");
        var perUser = (afterUsers - baseline) / (double)n;
        var perVideo = (afterVideos - afterUsers) / (double)n;
        var heapPerUser = (heapAfterUsers - heapBaseline) / (double)n;
        var heapPerVideo = (heapAfterVideos - heapAfterUsers) / (double)n;
        memory.Add(new { activated = n, rssBytes = afterVideos, managedHeapBytes = heapAfterVideos, bytesPerUser = perUser, bytesPerVideo = perVideo,
            heapBytesPerUser = heapPerUser, heapBytesPerVideo = heapPerVideo });
        Console.WriteLine($"memory: {n:N0} more users {perUser / 1024:F1} KiB RSS / {heapPerUser / 1024:F1} KiB managed heap each, " +
            $"{n:N0} more videos {perVideo / 1024:F1} KiB RSS / {heapPerVideo / 1024:F1} KiB heap each (RSS now {afterVideos / 1048576.0:F0} MiB, heap {heapAfterVideos / 1048576.0:F0} MiB)");
        if (n != o.MemorySteps[0]) continue;

        // A user who only signed up holds little; one who reads keeps what later pages and actions
        // need (impressions, the seen set, recently served entries). The same users, after reading
        // --reading-pages pages each, once their candidate pools (5 s by default) have expired.
        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            var id = $"{prefix}{i}";
            for (var page = 0; page < o.ReadingPages; page++) await Load.Ok(Load.Get(http, $"/v1/users/{id}/feed?count=10", tokens.For(id)));
        });
        await Task.Delay(6000);
        var heapAfterReading = await ManagedHeap.SettledAsync(pid, o.ManagementUrl);
        await HeapDump.CollectAsync(pid, o, $"{n}-3-reading");
        var heapPerReader = (heapAfterReading - heapAfterVideos) / (double)n;
        memory.Add(new { activated = n, pagesReadEach = o.ReadingPages, managedHeapBytes = heapAfterReading, heapBytesMorePerUser = heapPerReader });
        Console.WriteLine($"memory: the same {n:N0} users after reading {o.ReadingPages} pages each: {heapPerReader / 1024:F1} KiB more managed heap each " +
            $"({(heapPerUser + heapPerReader) / 1024:F1} KiB a reading user in all)");
    }
    results["memory"] = memory;
}

// ---------------------------------------------------------------- churn: many distinct users, bounded memory
if (o.Pid is { } churnPid && o.Has("churn") && o.Churn > 0)
{
    var churn = await Churn.RunAsync(http, tokens, churnPid, o);
    results["churn"] = churn;
}

if (o.Out is not null)
{
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(o.Out))!);
    results["machine"] = new { Environment.ProcessorCount, os = System.Runtime.InteropServices.RuntimeInformation.OSDescription, date = DateTimeOffset.UtcNow };
    // One file per run; each configuration (embedded, postgres) is a section of it.
    var file = File.Exists(o.Out) ? System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(o.Out))!.AsObject() : new System.Text.Json.Nodes.JsonObject();
    file[o.Section] = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(results));
    await File.WriteAllTextAsync(o.Out, file.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
}
return 0;

HttpRequestMessage Request(HttpMethod method, string path, string user)
{
    var request = new HttpRequestMessage(method, path);
    request.Headers.Authorization = new("Bearer", tokens.For(user));
    return request;
}

internal sealed record Options(string Url, string Issuer, string Audience, string Key, int Users, int Creators, int Videos, TimeSpan Duration, int Repeat,
    int[] Concurrency, int FreshnessSamples, int? Pid, int[] MemorySteps, string? Out, string[] Phases, string? Postgres, string Section,
    int Churn, string ManagementUrl, string? GcDumps, string? HeapDumps, int SeedEvents, int ReadingPages, TimeSpan WarmupCap, int[] Batches)
{
    public bool Has(string phase) => Phases.Contains("all") || Phases.Contains(phase);

    public static Options Parse(string[] args)
    {
        string Arg(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        int Int(string name, int fallback) => int.Parse(Arg(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var pid = Arg("--pid", "");
        return new Options(Arg("--url", "http://127.0.0.1:5180"), Arg("--issuer", "orleanstok-bench"), Arg("--audience", "orleanstok"),
            Arg("--key", "bench-signing-key-0123456789abcdef0123"), Int("--users", 20_000), Int("--creators", 5_000), Int("--videos", 100_000),
            TimeSpan.FromSeconds(Int("--seconds", 10)), Int("--repeat", 3), Arg("--concurrency", "16,64,256").Split(',').Select(int.Parse).ToArray(),
            Int("--freshness", 50), pid.Length > 0 ? int.Parse(pid, CultureInfo.InvariantCulture) : null,
            Arg("--memory", "10000,100000").Split(',').Select(int.Parse).ToArray(), Arg("--out", "") is { Length: > 0 } o ? o : null,
            Arg("--phases", "all").Split(','), Arg("--postgres", "") is { Length: > 0 } cs ? cs : null, Arg("--section", "embedded"),
            Int("--churn", 0), Arg("--management", "http://127.0.0.1:9465"),
            Arg("--gcdump", "") is { Length: > 0 } d ? d : null, Arg("--heapdump", "") is { Length: > 0 } h ? h : null, Int("--seed-events", 500_000),
            Int("--reading-pages", 20), TimeSpan.FromSeconds(Int("--warmup", 60)),
            Arg("--batches", "1,10,100").Split(',').Select(int.Parse).ToArray());
    }
}
