using Microsoft.Data.Sqlite;
using Npgsql;

namespace Tenure.Storage;

/// <summary>
/// Failures after which the same unit of work can simply run again: the database went away or is not
/// yet (or no longer) the primary (a failover, a restart), or it chose this transaction as a deadlock
/// victim. The transaction rolled back, or, when the connection broke during COMMIT, it is in doubt;
/// either way a batch that claims again from the database never runs twice what did commit.
/// </summary>
public static class TransientFailure
{
    public static bool Is(Exception exception) => exception switch
    {
        // 08: connection exceptions; 57P01–57P03: the server is shutting down, crashed or not accepting yet;
        // 25006: a read-only transaction (the node we reached was demoted); 40001, 40P01: serialization and deadlock.
        PostgresException pg => pg.IsTransient || pg.SqlState.StartsWith("08", StringComparison.Ordinal)
            || pg.SqlState is "57P01" or "57P02" or "57P03" or "25006" or "40001" or "40P01",

        // No answer from any server at all: the connection broke, or no host of the list is a primary (yet).
        NpgsqlException => true,
        SqliteException sqlite => sqlite.SqliteErrorCode is 5 or 6, // SQLITE_BUSY, SQLITE_LOCKED
        _ => false,
    };

    /// <summary>
    /// Forgets the pooled connections of every database: after a server went away its idle connections
    /// are dead, and each would fail its next unit of work.
    /// </summary>
    public static void ForgetConnections() => NpgsqlConnection.ClearAllPools();
}
