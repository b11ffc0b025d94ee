using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OrleansTok.Bench;

/// <summary>
/// Creates many distinct users, each once, and samples the server's RSS and its count of active
/// user activations: with idle activations collected (state kept in storage), memory must level
/// off instead of growing with the number of users ever seen. The live managed heap is read (after a
/// full GC) before and after, so growth splits into objects kept alive and memory the GC keeps
/// committed; <c>--heapdump DIR</c> also writes <c>churn-0-before.dmp</c> and <c>churn-1-after.dmp</c>
/// for <c>bench/heapdiff.py</c> (what each churned user left behind, by type).
/// </summary>
internal static partial class Churn
{
    public sealed record Sample(double Seconds, int Users, double RssMiB, long ActiveUsers);

    public static async Task<object> RunAsync(HttpClient http, Tokens tokens, int pid, Options o)
    {
        var users = o.Churn;
        using var management = new HttpClient { BaseAddress = new Uri(o.ManagementUrl) };
        var heapBefore = await ManagedHeap.SettledAsync(pid, o.ManagementUrl);
        await HeapDump.CollectAsync(pid, o, "churn-0-before");
        var samples = new List<Sample>();
        var created = 0;
        var clock = Stopwatch.StartNew();
        using var done = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                samples.Add(new Sample(clock.Elapsed.TotalSeconds, Volatile.Read(ref created), Rss(pid) / 1048576.0, await ActiveUsers(management)));
                try { await Task.Delay(TimeSpan.FromSeconds(2), done.Token); } catch (OperationCanceledException) { }
            }
        });
        var prefix = $"churn-{Guid.NewGuid():N}"[..12];
        await Parallel.ForEachAsync(Enumerable.Range(0, users), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            var id = $"{prefix}-{i}";
            await Load.Ok(Load.PostJson(http, "/v1/users", new { id, language = "en", country = "US" }, tokens.For(id)));
            Interlocked.Increment(ref created);
        });
        var elapsed = clock.Elapsed.TotalSeconds;
        // Let collection catch up, then take the last samples.
        await Task.Delay(TimeSpan.FromSeconds(30));
        await done.CancelAsync();
        await sampler;
        var heapAfter = await ManagedHeap.SettledAsync(pid, o.ManagementUrl);
        await HeapDump.CollectAsync(pid, o, "churn-1-after");

        Console.WriteLine();
        Console.WriteLine($"churn: {users:N0} distinct users created in {elapsed:F0} s ({users / elapsed:F0}/s); RSS and active user activations over time:");
        foreach (var s in samples.Where((_, i) => i % Math.Max(1, samples.Count / 12) == 0 || i == samples.Count - 1))
        {
            Console.WriteLine($"  {s.Seconds,6:F0} s  {s.Users,9:N0} users  RSS {s.RssMiB,7:F0} MiB  active users {s.ActiveUsers,8:N0}");
        }
        var peak = samples.Max(s => s.RssMiB);
        var last = samples[^1];
        Console.WriteLine($"  peak RSS {peak:F0} MiB; at the end {last.RssMiB:F0} MiB with {last.ActiveUsers:N0} active user activations");
        var retained = (double)(heapAfter - heapBefore) / users;
        // After other phases their activations are collected during the churn too, and the heap can shrink.
        Console.WriteLine($"  live heap {heapBefore / 1048576.0:F0} → {heapAfter / 1048576.0:F0} MiB after a full GC: " + (retained >= 0
            ? $"{retained:F0} B left alive per churned user"
            : "earlier phases' activations were collected meanwhile (run --phases churn alone for a per-user figure)"));
        return new { users, seconds = elapsed, usersPerSecond = users / elapsed, peakRssMiB = peak, endRssMiB = last.RssMiB, endActiveUsers = last.ActiveUsers,
            heapBeforeBytes = heapBefore, heapAfterBytes = heapAfter, heapBytesPerChurnedUser = retained, samples };
    }

    private static long Rss(int pid) => long.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    private static async Task<long> ActiveUsers(HttpClient management)
    {
        try
        {
            var text = await management.GetStringAsync("/metrics");
            var match = ActiveUserLine().Match(text);
            return match.Success ? (long)double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : -1;
        }
        catch (HttpRequestException)
        {
            return -1;
        }
    }

    [GeneratedRegex(@"^orleans_grains\{[^}]*grain_type=""user""[^}]*\} (\S+)", RegexOptions.Multiline)]
    private static partial Regex ActiveUserLine();
}
