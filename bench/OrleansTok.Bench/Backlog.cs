using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OrleansTok.Bench;

/// <summary>
/// The journal's backlog, read from the server's metrics: interactions acknowledged to clients
/// versus interactions applied to their videos and creators. An ingest rate only counts as
/// sustained once the server has also applied what it acknowledged.
/// </summary>
public static partial class Backlog
{
    public static async Task<(long Accepted, long Applied)> ReadAsync(HttpClient management)
    {
        var text = await management.GetStringAsync("/metrics");
        return (Sum(AcceptedLine(), text), Sum(AppliedLine(), text));
    }

    /// <summary>Waits until every acknowledged interaction has been applied; returns how long that took and the applied total then.</summary>
    public static async Task<(TimeSpan Took, long Applied)> DrainAsync(HttpClient management, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var (accepted, applied) = await ReadAsync(management);
            if (applied >= accepted) return (clock.Elapsed, applied);
            await Task.Delay(20);
        }
        throw new TimeoutException($"the journal still had a backlog after {timeout.TotalSeconds:F0} s");
    }

    /// <summary>Feed retrievals so far by where they were answered (pool, replica, partitions), from the server's metrics.</summary>
    public static async Task<Dictionary<string, long>> RetrievalsAsync(HttpClient management)
    {
        var text = await management.GetStringAsync("/metrics");
        return RetrievalLine().Matches(text).GroupBy(m => m.Groups[1].Value)
            .ToDictionary(g => g.Key, g => (long)g.Sum(m => double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)));
    }

    /// <summary>The share of the feed pages between two readings that ranked a user's pooled candidates instead of retrieving.</summary>
    public static double PooledShare(Dictionary<string, long> before, Dictionary<string, long> after)
    {
        long Delta(string from) => after.GetValueOrDefault(from) - before.GetValueOrDefault(from);
        var all = after.Keys.Sum(Delta);
        return all == 0 ? 0 : (double)Delta("pool") / all;
    }

    private static long Sum(Regex line, string text) =>
        (long)line.Matches(text).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    [GeneratedRegex(@"^orleanstok_interactions_accepted_total(?:\{[^}]*\})? (\S+)", RegexOptions.Multiline)]
    private static partial Regex AcceptedLine();

    [GeneratedRegex(@"^orleanstok_feed_retrievals_total\{[^}]*from=""(\w+)""[^}]*\} (\S+)", RegexOptions.Multiline)]
    private static partial Regex RetrievalLine();

    [GeneratedRegex(@"^orleanstok_interactions_applied_total(?:\{[^}]*\})? (\S+)", RegexOptions.Multiline)]
    private static partial Regex AppliedLine();
}
