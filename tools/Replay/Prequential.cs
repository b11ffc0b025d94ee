using System.Diagnostics;
using OrleansTok.Replay.Baselines;

namespace OrleansTok.Replay;

/// <summary>Test-then-train over the log: before each positive event, ask for the top 10 unseen items; then learn from the event.</summary>
public static class Prequential
{
    public static Metrics RunBaseline(Dataset data, IBaseline baseline)
    {
        var metrics = new Metrics(baseline.Name);
        var catalogue = new List<int>();
        var known = new HashSet<int>();
        var seen = new Dictionary<int, HashSet<int>>();
        var clock = Stopwatch.StartNew();
        foreach (var e in data.Events)
        {
            if (known.Add(e.Item)) catalogue.Add(e.Item);
            if (!seen.TryGetValue(e.User, out var excluded)) seen[e.User] = excluded = [];
            if (e.Value >= 4)
            {
                metrics.Record(Metrics.RankOf(baseline.Recommend(e.User, Metrics.K, excluded, catalogue), e.Item));
            }
            baseline.Observe(e.User, e.Item, e.Value >= 4);
            excluded.Add(e.Item);
        }
        metrics.EventsPerSecond = data.Events.Count / clock.Elapsed.TotalSeconds;
        return metrics;
    }

    public static async Task<Metrics> RunProductAsync(Dataset data, bool explore, IReadOnlyDictionary<string, string?> settings, Action<string>? progress = null)
    {
        var metrics = new Metrics(explore ? "orleanstok+explore" : "orleanstok");
        await using var product = await ProductRunner.StartAsync(settings);
        var clock = Stopwatch.StartNew();
        var n = 0;
        long feedTicks = 0, applyTicks = 0;
        foreach (var e in data.Events)
        {
            await product.EnsureAsync(e, data);
            if (e.Value >= 4)
            {
                var started = Stopwatch.GetTimestamp();
                var page = await product.RecommendAsync(e.User, explore);
                feedTicks += Stopwatch.GetTimestamp() - started;
                metrics.Record(Metrics.RankOf(page, ProductRunner.VideoId(e.Item)));
            }
            var applied = Stopwatch.GetTimestamp();
            await product.ApplyAsync(e);
            applyTicks += Stopwatch.GetTimestamp() - applied;
            if (++n % 10_000 == 0)
            {
                progress?.Invoke($"  {metrics.Name}: {n:N0} events, HR@10 so far {metrics.HitRate:F3}, {n / clock.Elapsed.TotalSeconds:F0} events/s " +
                    $"(feed {Stopwatch.GetElapsedTime(0, feedTicks).TotalMilliseconds / Math.Max(1, metrics.Tests):F2} ms, apply {Stopwatch.GetElapsedTime(0, applyTicks).TotalMilliseconds / n:F2} ms)");
            }
        }
        metrics.EventsPerSecond = data.Events.Count / clock.Elapsed.TotalSeconds;
        return metrics;
    }
}
