using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Tenure.Engine.Tests;

/// <summary>
/// A PostgreSQL primary and, once attached, a streaming standby made by <c>pg_basebackup -R</c>, both on loopback in a
/// temp folder (run as the <c>postgres</c> user when the tests run as root): the setup of docs/operations.md,
/// "Failover", with the standby synchronous (<c>synchronous_commit = on</c>, the standby named in
/// <c>synchronous_standby_names</c>), so a commit returns only once the standby has the batch on disk.
/// </summary>
internal sealed class StreamingPair : IDisposable
{
    private const string StandbyName = "tenure_standby";

    private readonly string _bin;
    private readonly string _directory;
    private readonly bool _asRoot = Environment.UserName == "root";
    private bool _primaryRunning;
    private bool _standbyRunning;

    private StreamingPair(string bin)
    {
        _bin = bin;
        _directory = Directory.CreateTempSubdirectory("tenure-failover-").FullName;
        PrimaryPort = FreePort();
        StandbyPort = FreePort();
    }

    public int PrimaryPort { get; }

    public int StandbyPort { get; }

    /// <summary>The primary alone (to seed it before the standby is copied from it).</summary>
    public string Primary => $"Host=127.0.0.1;Port={PrimaryPort};Username=postgres;Database=postgres";

    /// <summary>The standby alone (after its promotion, the new primary).</summary>
    public string Standby => $"Host=127.0.0.1;Port={StandbyPort};Username=postgres;Database=postgres";

    /// <summary>
    /// What the engines are given: both hosts, and only a primary will do. Npgsql remembers for Host Recheck Seconds (10 by
    /// default) that a host was a standby; 1 s lets the engines find the promoted standby at once.
    /// </summary>
    public string BothHosts =>
        $"Host=127.0.0.1:{PrimaryPort},127.0.0.1:{StandbyPort};Username=postgres;Database=postgres;" +
        "Target Session Attributes=primary;Host Recheck Seconds=1";

    /// <summary>Starts the primary; throws (CI) or skips without PostgreSQL's server binaries.</summary>
    public static StreamingPair StartPrimary()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
                .FirstOrDefault(d => File.Exists(Path.Combine(d, "pg_basebackup")))
            : null;
        if (bin is null)
        {
            const string Missing =
                "PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) were not found; install the Debian package postgresql.";
            if (Environment.GetEnvironmentVariable("CI") == "true") throw new InvalidOperationException($"CI=true and {Missing}");
            Assert.Skip(Missing);
        }

        var pair = new StreamingPair(bin);
        if (pair._asRoot) Run("chown", $"postgres:postgres {pair._directory}");
        pair.Postgres("initdb", $"-D {pair._directory}/primary -A trust -U postgres --no-sync");
        // fsync off as in every test cluster: an immediate stop kills the server, not the kernel, so nothing written is lost.
        pair.Postgres("pg_ctl", $"-D {pair._directory}/primary -l {pair._directory}/primary.log -w " +
            $"-o \"-p {pair.PrimaryPort} -k {pair._directory} " +
            "-c listen_addresses=127.0.0.1 -c fsync=off -c wal_level=replica -c max_wal_senders=4 -c max_connections=50\" start");
        pair._primaryRunning = true;
        return pair;
    }

    /// <summary>
    /// Copies the primary with <c>pg_basebackup -R</c> (which writes the standby's <c>primary_conninfo</c>), starts the copy as a
    /// streaming standby, makes it the primary's synchronous standby and waits until the primary reports it as such.
    /// </summary>
    public void AttachSynchronousStandby()
    {
        Postgres("pg_basebackup", $"-h 127.0.0.1 -p {PrimaryPort} -U postgres -D {_directory}/standby -R -X stream -c fast");
        Postgres("pg_ctl", $"-D {_directory}/standby -l {_directory}/standby.log -w -o \"-p {StandbyPort} -k {_directory} " +
            $"-c listen_addresses=127.0.0.1 -c fsync=off -c cluster_name={StandbyName} -c max_connections=50\" start");
        _standbyRunning = true;
        using var connection = new NpgsqlConnection(Primary + ";Pooling=false");
        connection.Open();
        Execute(connection, $"ALTER SYSTEM SET synchronous_standby_names = '{StandbyName}'");
        Execute(connection, "SELECT pg_reload_conf()");
        var waited = Stopwatch.StartNew();
        var synchronous = $"SELECT COUNT(*) FROM pg_stat_replication WHERE application_name = '{StandbyName}' AND sync_state = 'sync'";
        while (Scalar(connection, synchronous) == 0)
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"The standby did not become synchronous: {File.ReadAllText($"{_directory}/standby.log")}");
            }

            Thread.Sleep(100);
        }
    }

    /// <summary>
    /// <c>pg_ctl stop -m immediate</c>: the primary dies as in a crash, with no checkpoint and no goodbye to its clients.
    /// </summary>
    public void KillPrimary()
    {
        Postgres("pg_ctl", $"-D {_directory}/primary -m immediate -w stop");
        _primaryRunning = false;
    }

    /// <summary><c>pg_ctl promote</c>, waiting until the standby accepts writes.</summary>
    public void PromoteStandby() => Postgres("pg_ctl", $"-D {_directory}/standby -w promote");

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        if (_primaryRunning) Postgres("pg_ctl", $"-D {_directory}/primary -m immediate -w stop");
        if (_standbyRunning) Postgres("pg_ctl", $"-D {_directory}/standby -m immediate -w stop");
        Directory.Delete(_directory, recursive: true);
    }

    public static long Scalar(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    private void Postgres(string program, string arguments)
    {
        var path = Path.Combine(_bin, program);
        if (_asRoot) Run("runuser", $"-u postgres -- {path} {arguments}");
        else Run(path, arguments);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(string program, string arguments)
    {
        var info = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)
            ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{program} {arguments} failed ({process.ExitCode}): {error}{output.GetAwaiter().GetResult()}");
        }
    }
}
