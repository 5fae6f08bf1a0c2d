using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

[assembly: AssemblyFixture(typeof(Tenure.Storage.Tests.PostgresCluster))]

namespace Tenure.Storage.Tests;

/// <summary>
/// A throwaway PostgreSQL cluster for the test run: <c>initdb</c> + <c>pg_ctl</c> on a free loopback
/// port in a temp folder (as the <c>postgres</c> user when running as root), or the server in
/// <c>TENURE_TEST_PG</c>. Without PostgreSQL binaries the PostgreSQL tests skip, except under
/// <c>CI=true</c>, where that fails them.
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    private readonly string? _directory;
    private readonly string? _pgCtl;

    public PostgresCluster()
    {
        if (Environment.GetEnvironmentVariable("TENURE_TEST_PG") is { Length: > 0 } given)
        {
            ConnectionString = given;
            return;
        }

        var bin = FindBinaries();
        if (bin is null)
        {
            Unavailable = "PostgreSQL server binaries (initdb, pg_ctl) were not found; "
                + "install the Debian package postgresql or set TENURE_TEST_PG.";
            return;
        }

        _pgCtl = Path.Combine(bin, "pg_ctl");
        _directory = Directory.CreateTempSubdirectory("tenure-pg-").FullName;
        var port = FreePort();
        var asRoot = Environment.UserName == "root";
        if (asRoot) Run("chown", $"postgres:postgres {_directory}");
        Run(asRoot, Path.Combine(bin, "initdb"), $"-D {_directory}/data -A trust -U postgres --no-sync");
        Run(asRoot, _pgCtl, $"-D {_directory}/data -l {_directory}/log -w "
            + $"-o \"-p {port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" start");
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true";
    }

    public string? ConnectionString { get; }

    /// <summary>Why there is no cluster, or null when there is one.</summary>
    public string? Unavailable { get; }

    /// <summary>A new empty database on the cluster, for one test class.</summary>
    public string CreateDatabase()
    {
        if (ConnectionString is null)
        {
            if (Environment.GetEnvironmentVariable("CI") == "true")
            {
                throw new InvalidOperationException($"CI=true and no PostgreSQL: {Unavailable}");
            }

            Assert.Skip(Unavailable!);
        }

        var name = $"tenure_{Guid.NewGuid():N}";
        using (var connection = new NpgsqlConnection(ConnectionString))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            create.ExecuteNonQuery();
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ToString();
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        if (_directory is null || _pgCtl is null) return;
        Run(Environment.UserName == "root", _pgCtl, $"-D {_directory}/data -m immediate -w stop");
        Directory.Delete(_directory, recursive: true);
    }

    private static string? FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
            : [];
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(bool asPostgres, string program, string arguments)
    {
        if (asPostgres) Run("runuser", $"-u postgres -- {program} {arguments}");
        else Run(program, arguments);
    }

    private static void Run(string program, string arguments)
    {
        var start = new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {arguments} failed ({process.ExitCode}): {error}{output.Result}");
        }
    }
}
