using System.Diagnostics;

namespace OrleansTok.Bench;

/// <summary>
/// Brings a fresh server to its steady state before a phase is measured. The runtime compiles hot
/// methods again, optimized, only after they ran a while, and on two cores that work competes with
/// the load: a profile of the reads phase on a fresh server put the JIT at 13–20 % of the API's CPU
/// for its first ~18 s under load, and 1–4 % after (docs/benchmarks.md, round 23). Slices of the
/// phase's own requests run until the JIT compiled for less than <see cref="QuietShare"/> of a
/// slice's wall time, or until the cap. The JIT's time comes from the runtime meter on the
/// management port (<c>dotnet_jit_compilation_time_seconds_total</c>, read by <see cref="ManagedHeap.CountersAsync"/>).
/// </summary>
public static class Warmup
{
    /// <summary>A slice whose JIT time is below this share of its wall time counts as warm.</summary>
    public const double QuietShare = 0.02;

    /// <summary>What a warm-up did; <paramref name="LastSliceJitShare"/> is null when no slice ran (a zero cap), since JSON has no NaN.</summary>
    public sealed record Result(double Seconds, double JitSeconds, double? LastSliceJitShare, bool Quiet);

    /// <summary>Runs <paramref name="slice"/> again and again until the JIT is quiet or <paramref name="cap"/> has passed (a zero cap runs nothing).</summary>
    public static async Task<Result> RunAsync(HttpClient management, TimeSpan cap, Func<Task> slice)
    {
        var clock = Stopwatch.StartNew();
        var first = (await ManagedHeap.CountersAsync(management)).JitSeconds;
        var last = first;
        double? share = null;
        while (clock.Elapsed < cap)
        {
            var started = clock.Elapsed;
            await slice();
            var now = (await ManagedHeap.CountersAsync(management)).JitSeconds;
            share = (now - last) / (clock.Elapsed - started).TotalSeconds;
            last = now;
            if (share < QuietShare) break;
        }
        return new Result(clock.Elapsed.TotalSeconds, last - first, share, share < QuietShare);
    }

    public static string Describe(string phase, Result r) => r.LastSliceJitShare is null
        ? $"warm-up before {phase}: none"
        : $"warm-up before {phase}: {r.Seconds:F0} s under load, the JIT compiling {r.JitSeconds:F1} s meanwhile; last slice {r.LastSliceJitShare:P1}" +
          (r.Quiet ? " (warm)" : $" (not yet below {QuietShare:P0}: the cap ended it)");
}
