using Dapper;
using Npgsql;

namespace Tenure.Bench;

/// <summary>
/// Counters of a PostgreSQL database: committed transactions (pg_stat_database) and statements run
/// (the sum of pg_stat_statements calls, when that extension is preloaded; null otherwise).
/// </summary>
public sealed record PgStats(long Commits, long? Statements)
{
    /// <summary>Whether pg_stat_statements is preloaded; creates the extension in the database when it is.</summary>
    public static bool StatementsAvailable(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        var preloaded = connection.ExecuteScalar<string>("SELECT current_setting('shared_preload_libraries')")!;
        if (!preloaded.Contains("pg_stat_statements", StringComparison.Ordinal)) return false;
        connection.Execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        return true;
    }

    /// <summary>
    /// Reads the counters after closing pooled connections, so that every backend has flushed its
    /// statistics (PostgreSQL 15 backends flush them at exit, or only every few seconds when idle).
    /// The measuring queries themselves are left out of the statement count.
    /// </summary>
    public static PgStats Read(string connectionString, bool statements)
    {
        NpgsqlConnection.ClearAllPools();
        Thread.Sleep(500);
        using var connection = new NpgsqlConnection(connectionString);
        connection.Execute("SELECT pg_stat_clear_snapshot()");
        var commits = connection.ExecuteScalar<long>("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()");
        var calls = statements
            ? connection.ExecuteScalar<long>(
                "SELECT COALESCE(SUM(calls), 0)::bigint FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid " +
                "WHERE d.datname = current_database() AND s.query NOT LIKE '%pg_stat%' AND s.query NOT LIKE '%shared_preload_libraries%'")
            : (long?)null;
        return new PgStats(commits, calls);
    }

    public PgStats Minus(PgStats before) => new(Commits - before.Commits, Statements - before.Statements);
}
