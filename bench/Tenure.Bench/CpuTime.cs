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
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var close = stat.LastIndexOf(')');
                if (close < 0 || !stat.AsSpan(0, close).EndsWith("(postgres", StringComparison.Ordinal)) continue;
                var fields = stat[(close + 2)..].Split(' ');
                // utime and stime, fields 14 and 15 of proc(5)
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException)
            {
                // Not a process, or it exited while we looked: it has no time to count.
            }
            catch (UnauthorizedAccessException)
            {
                // Another user's process that we may not read: not ours to count.
            }
        }

        return ticks / 100.0; // USER_HZ
    }
}
