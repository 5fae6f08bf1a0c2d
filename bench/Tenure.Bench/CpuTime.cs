using System.Globalization;

namespace Tenure.Bench;

/// <summary>
/// CPU seconds spent, as a measure that a shared machine disturbs less than wall time: on a machine whose other tenants
/// keep both cores busy, a run's wall time says more about them than about the run. The engine's own process, and the
/// PostgreSQL server's processes on this machine (Linux /proc; 0 elsewhere).
/// </summary>
public static class CpuTime
{
    public static double Engine() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    /// <summary>User + system seconds of every running process named <c>postgres</c>.</summary>
    public static double Postgres()
    {
        if (!Directory.Exists("/proc")) return 0;
        var ticks = 0L;
        foreach (var dir in Directory.EnumerateDirectories("/proc")) ticks += Ticks(dir, "postgres");
        return ticks / 100.0; // USER_HZ
    }

    /// <summary>User + system seconds of process <paramref name="pid"/> (0 when it is gone or there is no /proc).</summary>
    public static double Process(int pid) => Ticks($"/proc/{pid}", null) / 100.0;

    /// <summary>utime + stime of the process in <paramref name="dir"/> (if its command is <paramref name="command"/>), else 0.</summary>
    private static long Ticks(string dir, string? command)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(dir, "stat"));
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open || (command is not null && stat[(open + 1)..close] != command)) return 0;
            var fields = stat[(close + 2)..].Split(' ');
            // utime and stime, fields 14 and 15 of proc(5)
            return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0; // Not a process, or it exited while we looked: it has no time to count.
        }
        catch (UnauthorizedAccessException)
        {
            return 0; // Another user's process that we may not read: not ours to count.
        }
    }
}
