using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using System.Reflection;
using Dapper;
using DbUp;
using DbUp.Builder;
using Microsoft.Data.Sqlite;
using NodaTime;
using Npgsql;

namespace Tenure.Storage;

public enum Dialect
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Where Tenure keeps its state: an embedded SQLite file (one writer process) or PostgreSQL
/// (any number of processes). Opens connections set up for the money path and runs migrations.
/// </summary>
public sealed class Database
{
    static Database()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqliteNative.Configure();
    }

    private Database(Dialect dialect, string connectionString)
    {
        Dialect = dialect;
        ConnectionString = connectionString;
    }

    public Dialect Dialect { get; }

    public string ConnectionString { get; }

    /// <summary>A SQLite file database; created when missing.</summary>
    public static Database Sqlite(string path) =>
        new(Dialect.Sqlite, new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString());

    /// <summary>
    /// A PostgreSQL database. Statements a connection runs repeatedly are prepared once (Npgsql's
    /// automatic preparation): a batch's multi-row inserts are then bound, not parsed and planned,
    /// each time. A pooled connection is not reset when it returns: Tenure leaves no session state
    /// (every session ends its transaction; no SET, temporary table, LISTEN or advisory lock), and
    /// with prepared statements Npgsql's reset is seven statements, which an idle engine would pay
    /// on every poll (docs/benchmarks.md, quiet horizon).
    /// </summary>
    public static Database Postgres(string connectionString) =>
        new(Dialect.Postgres, new NpgsqlConnectionStringBuilder(connectionString)
        {
            MaxAutoPrepare = 64, AutoPrepareMinUsages = 2, NoResetOnClose = true,
        }.ToString());

    /// <summary>
    /// An open connection. SQLite: WAL, foreign keys on, <c>synchronous=FULL</c> (money is written
    /// on every transaction), and a busy timeout so readers and the one writer wait rather than fail.
    /// </summary>
    public DbConnection Open()
    {
        if (Dialect == Dialect.Postgres)
        {
            var pg = new NpgsqlConnection(ConnectionString);
            pg.Open();
            return pg;
        }

        var sqlite = new SqliteConnection(ConnectionString);
        sqlite.Open();
        // A pooled connection keeps its native handle, and the handle its settings: set them once per handle.
        if (sqlite.Handle is { } handle && !Configured.TryGetValue(handle, out _))
        {
            sqlite.Execute("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;");
            Configured.AddOrUpdate(handle, Configured);
        }

        return sqlite;
    }

    /// <summary>An open connection, opened without blocking a thread on PostgreSQL (SQLite opens in process).</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (Dialect == Dialect.Sqlite) return Open();
        var pg = new NpgsqlConnection(ConnectionString);
        await pg.OpenAsync(cancellationToken).ConfigureAwait(false);
        return pg;
    }

    /// <summary>
    /// Applies the dialect's pending scripts in order; throws with the failing script's error. With
    /// <paramref name="through"/>, only scripts numbered up to it (tests of a later migration on data made before it).
    /// </summary>
    public void Migrate(int? through = null)
    {
        var result = Upgrader(through).WithTransactionPerScript().Build().PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
        }

        TermsDigest.Fill(this);
    }

    /// <summary>Whether every script has been applied (for <c>/readyz</c>).</summary>
    public bool IsMigrated() => !Upgrader().Build().IsUpgradeRequired();

    private UpgradeEngineBuilder Upgrader(int? through = null)
    {
        var folder = Dialect == Dialect.Sqlite ? ".Sql.sqlite." : ".Sql.postgres.";
        bool Wanted(string name)
        {
            var at = name.IndexOf(folder, StringComparison.Ordinal);
            if (at < 0) return false;
            return through is not { } last || int.Parse(name.AsSpan(at + folder.Length, 4), CultureInfo.InvariantCulture) <= last;
        }

        var builder = Dialect == Dialect.Sqlite
            ? DeployChanges.To.SqliteDatabase(ConnectionString)
            : DeployChanges.To.PostgresqlDatabase(ConnectionString);
        return builder
            .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(), Wanted)
            .LogToNowhere();
    }

    /// <summary>Deletes a SQLite database file with its WAL and shared-memory files, after closing pooled connections.</summary>
    public static void DeleteSqliteFiles(string path)
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
    }

    /// <summary>
    /// The earliest due time of a clock's instances, or null when nothing is scheduled: one statement
    /// outside any transaction, so that an idle engine's poll costs the database a single query.
    /// </summary>
    public Instant? NextDue(string clockId)
    {
        using var connection = Open();
        // Not MIN(next_due_at): SQLite answered that by scanning the clock's index entries (12 ms at 50,000 rows); this reads one.
        const string sql = "SELECT next_due_at FROM instances WHERE clock_id = @clockId AND next_due_at IS NOT NULL "
            + "ORDER BY next_due_at LIMIT 1";
        return connection.QuerySingleOrDefault<long?>(sql, new { clockId }) is { } ticks ? Instant.FromUnixTimeTicks(ticks) : null;
    }

    /// <summary>
    /// How many instances of a clock are due at <paramref name="now"/> and the earliest of their due times (null when
    /// none is): the backlog gauges, read at scrape time in one statement outside any transaction.
    /// </summary>
    public (long Count, Instant? Oldest) Backlog(string clockId, Instant now)
    {
        using var connection = Open();
        var (count, oldest) = connection.QuerySingle<(long, long?)>(
            "SELECT COUNT(*), MIN(next_due_at) FROM instances WHERE clock_id = @clockId AND next_due_at <= @now",
            new { clockId, now = now.ToUnixTimeTicks() });
        return (count, oldest is { } ticks ? Instant.FromUnixTimeTicks(ticks) : null);
    }

    /// <summary>SQLite handles already set up by <see cref="Open"/> (the value is unused).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> Configured = [];

    /// <summary>
    /// SQLite has one writer at a time. The writers of this process queue here, first come first
    /// served, instead of sleeping in SQLite's busy handler, which backs off up to 100 ms and so
    /// leaves the lock idle under load (the API arm of docs/benchmarks.md). One gate per file.
    /// </summary>
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Writers = new(StringComparer.Ordinal);

    private static readonly TimeSpan WriterPatience = TimeSpan.FromSeconds(30);

    /// <summary>The gate of this process's SQLite writers of this file (the engine's batches and the command writer).</summary>
    internal SemaphoreSlim WriterGate => Writers.GetOrAdd(ConnectionString, _ => new SemaphoreSlim(1, 1));

    /// <summary>Begins a unit of work: one connection, one transaction (on SQLite, after this process's earlier writers).</summary>
    public Session Begin()
    {
        if (Dialect == Dialect.Postgres) return new(this, Open(), readOnly: false);
        var writer = WriterGate;
        if (!writer.Wait(WriterPatience))
        {
            throw new TimeoutException("Another write transaction of this process has held the SQLite database for 30 s.");
        }

        try
        {
            return new(this, Open(), readOnly: false, writer);
        }
        catch
        {
            writer.Release();
            throw;
        }
    }

    /// <summary>Begins a unit of work that only reads (on SQLite it does not take the write lock).</summary>
    public Session BeginRead() => new(this, Open(), readOnly: true);
}
