using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Diagnostics.NETCore.Client;

namespace OrleansTok.Bench;

/// <summary>
/// The server's live managed heap, summed over generations, from the .NET runtime meter on its
/// management port: <c>dotnet_gc_last_collection_heap_size_bytes</c> (the heap after the last GC)
/// minus <c>dotnet_gc_last_collection_heap_fragmentation_size_bytes</c> (free space left inside it,
/// which the next allocations reuse: 40–55 MB after the memory phase, and it moved a step's figure by
/// up to 4 KiB per video; RSS is reported beside it). <see cref="SettledAsync"/> first makes that last
/// GC a full, blocking one, so figures taken before and after a step compare live objects rather than
/// whatever generation ran last. <see cref="CountersAsync"/> reads the GC's pauses and the JIT
/// compiler's time from the same meter, in one request.
/// </summary>
public static partial class ManagedHeap
{
    /// <summary>The runtime's GCHeapCollect keyword: enabling it makes the target run an induced full GC (what dotnet-gcdump uses).</summary>
    private const long GcHeapCollectKeyword = 0x800000;

    public static async Task<long> ReadAsync(string managementUrl)
    {
        using var http = new HttpClient { BaseAddress = new Uri(managementUrl) };
        var text = await http.GetStringAsync("/metrics");
        return (long)(Sum(HeapLine(), text) - Sum(FragmentationLine(), text));
    }

    private static double Sum(Regex line, string text) =>
        line.Matches(text).Sum(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    /// <summary>Induces a full blocking GC in process <paramref name="pid"/> over its diagnostics port, then reads the heap.</summary>
    public static async Task<long> SettledAsync(int pid, string managementUrl)
    {
        var client = new DiagnosticsClient(pid);
        var provider = new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcHeapCollectKeyword);
        using (var session = client.StartEventPipeSession([provider], requestRundown: false, circularBufferMB: 16))
        {
            var drain = session.EventStream.CopyToAsync(Stream.Null);
            await Task.Delay(1500); // the induced GC runs when the session starts; give it time to finish
            session.Stop();
            await drain;
        }
        return await ReadAsync(managementUrl);
    }

    /// <summary>The server's runtime counters so far, from one reading of the runtime meter.</summary>
    public sealed record Counters(double PausedSeconds, double Collections, double JitSeconds);

    /// <summary>The server's time paused by the GC, its collections and the JIT compiler's time so far.</summary>
    public static async Task<Counters> CountersAsync(HttpClient management)
    {
        var text = await management.GetStringAsync("/metrics");
        return new Counters(Sum(PauseLine(), text), Sum(CollectionsLine(), text), Sum(JitLine(), text));
    }

    [GeneratedRegex(@"^dotnet_jit_compilation_time_seconds_total(?:\{[^}]*\})? (\S+)", RegexOptions.Multiline)]
    private static partial Regex JitLine();

    [GeneratedRegex(@"^dotnet_gc_pause_time_seconds_total(?:\{[^}]*\})? (\S+)", RegexOptions.Multiline)]
    private static partial Regex PauseLine();

    [GeneratedRegex(@"^dotnet_gc_collections_total\{[^}]*\} (\S+)", RegexOptions.Multiline)]
    private static partial Regex CollectionsLine();

    [GeneratedRegex(@"^dotnet_gc_last_collection_heap_size_bytes\{[^}]*\} (\S+)", RegexOptions.Multiline)]
    private static partial Regex HeapLine();

    [GeneratedRegex(@"^dotnet_gc_last_collection_heap_fragmentation_size_bytes\{[^}]*\} (\S+)", RegexOptions.Multiline)]
    private static partial Regex FragmentationLine();
}
