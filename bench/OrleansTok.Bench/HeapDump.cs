using System.Diagnostics;

namespace OrleansTok.Bench;

/// <summary>
/// With <c>--gcdump DIR</c>, the memory phase also writes a heap dump (<c>dotnet-gcdump</c>, a dotnet
/// tool) at each of its readings, so a step's growth can be split by type:
/// <c>python3 bench/heapdiff.py DIR/10000-1-users.gcdump DIR/10000-2-videos.gcdump 10000</c>.
/// </summary>
public static class HeapDump
{
    public static async Task CollectAsync(int pid, string? directory, string name)
    {
        if (directory is null) return;
        Directory.CreateDirectory(directory);
        var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-gcdump");
        using var process = Process.Start(new ProcessStartInfo(File.Exists(tool) ? tool : "dotnet-gcdump",
            ["collect", "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", Path.Combine(directory, name + ".gcdump")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("dotnet-gcdump did not start");
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"dotnet-gcdump exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
    }
}
