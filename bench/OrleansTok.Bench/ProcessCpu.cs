using System.Globalization;

namespace OrleansTok.Bench;

/// <summary>
/// The CPU time a process has used, user and system, from <c>/proc/PID/stat</c>. Throughput on this
/// shared two-core machine moves by tens of per cent between runs of one build; the CPU a build
/// spends per applied event moves far less, so two builds' costs still separate on it.
/// </summary>
public static class ProcessCpu
{
    private const double TicksPerSecond = 100; // Linux's USER_HZ

    /// <summary>Null without a process id or on a system without /proc.</summary>
    public static TimeSpan? Used(int? pid)
    {
        if (pid is not { } p || !File.Exists($"/proc/{p}/stat")) return null;
        var stat = File.ReadAllText($"/proc/{p}/stat");
        // After "pid (command) " the fields start at the state (field 3); utime and stime are fields 14 and 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
