using System.Diagnostics;
using System.Globalization;

namespace OrleansTok.Bench;

/// <summary>
/// With <c>--gcdump DIR</c> or <c>--heapdump DIR</c>, the memory phase also writes a heap dump at each
/// of its readings, so a step's growth can be split by type:
/// <c>python3 bench/heapdiff.py DIR/10000-1-users.dmp DIR/10000-2-videos.dmp 10000</c>.
/// <c>--gcdump</c> (the <c>dotnet-gcdump</c> tool) writes small dumps whose report counts small arrays
/// and strings at their base size (a 32-float array as 24 B); <c>--heapdump</c> (<c>dotnet-dump</c>,
/// <c>--type Heap</c>) writes the whole heap, hundreds of MB a dump, with every object's exact size.
/// </summary>
internal static class HeapDump
{
    public static async Task CollectAsync(int pid, Options o, string name)
    {
        var (directory, tool, arguments) = o switch
        {
            { HeapDumps: { } heap } => (heap, "dotnet-dump", new[] { "collect", "-p", Pid(pid), "--type", "Heap", "-o", Path.Combine(heap, name + ".dmp") }),
            { GcDumps: { } gc } => (gc, "dotnet-gcdump", new[] { "collect", "-p", Pid(pid), "-o", Path.Combine(gc, name + ".gcdump") }),
            _ => (null, "", Array.Empty<string>()),
        };
        if (directory is null) return;
        Directory.CreateDirectory(directory);
        var installed = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", tool);
        using var process = Process.Start(new ProcessStartInfo(File.Exists(installed) ? installed : tool, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"{tool} did not start");
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
    }

    private static string Pid(int pid) => pid.ToString(CultureInfo.InvariantCulture);
}
