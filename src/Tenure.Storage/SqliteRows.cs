using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Tenure.Storage;

/// <summary>
/// SQLite, in process: rows read by stepping a native prepared statement and taking each column by position, as
/// <see cref="RowBuffer"/> writes them. The engine's claim reads a thousand 32-column instance rows per batch; through the
/// managed reader and Dapper every column was a boxed value and a few handle reference counts, a fifth of the batch.
/// </summary>
internal static class SqliteRows
{
    /// <summary>The rows of <paramref name="sql"/> (parameters ?1, ?2 … bound in order), each made by <paramref name="read"/>.</summary>
    public static List<T> Read<T>(SqliteConnection connection, string sql, object?[] parameters, Func<SqliteRow, T> read)
    {
        var handle = connection.Handle ?? throw new InvalidOperationException("The SQLite connection is not open.");
        var statement = RowBuffer.Prepared(handle, sql);
        var rows = new List<T>();
        try
        {
            for (var i = 0; i < parameters.Length; i++) RowBuffer.Bind(handle, statement, i + 1, parameters[i], sql);
            int rc;
            while ((rc = SqliteNative.Step(statement)) == raw.SQLITE_ROW) rows.Add(read(new SqliteRow(statement)));
            if (rc != raw.SQLITE_DONE) RowBuffer.Check(handle, rc);
        }
        finally
        {
            // Ready for the next read even after a failed step; reset's code repeats the step's error, already thrown.
            _ = SqliteNative.Reset(statement);
            _ = SqliteNative.ClearBindings(statement);
        }

        return rows;
    }
}

/// <summary>The current row of a stepped SQLite statement, read by column position.</summary>
internal readonly struct SqliteRow(nint statement)
{
    public bool IsNull(int column) => SqliteNative.IsNull(statement, column);

    public string Text(int column) => SqliteNative.Text(statement, column);

    public string? NullableText(int column) => IsNull(column) ? null : Text(column);

    public long Long(int column) => SqliteNative.Long(statement, column);

    public long? NullableLong(int column) => IsNull(column) ? null : Long(column);
}
