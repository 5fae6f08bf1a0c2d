using System.Data.Common;
using System.Numerics;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using SQLitePCL;

namespace Tenure.Storage;

/// <summary>
/// Rows waiting to be written, grouped by statement and sent as multi-row statements when the
/// session flushes: a batch of a thousand decisions costs a few dozen round trips, not thousands.
/// Statements are flushed in the order they were first used, so parents go before children.
/// </summary>
internal sealed class RowBuffer
{
    // SQLite allows 32766 parameters per statement, PostgreSQL 65535.
    private const int MaxParameters = 30_000;

    // From this many rows of one plain insert, PostgreSQL gets them by binary COPY (a fixed cost, then cheaper rows).
    private const int CopyRows = 64;

    private readonly List<Pending> _order = [];
    private readonly Dictionary<string, Pending> _byKey = [];

    public bool IsEmpty => _order.Count == 0;

    /// <summary>Adds a row to the statement <c>head + (row), (row)… + tail</c>.</summary>
    public void Add(string head, string tail, params object?[] values) => Add(head, tail, null, values);

    /// <summary>
    /// As <see cref="Add(string, string, object?[])"/>, with the single-row statement SQLite steps instead (its parameters
    /// <c>?1…</c> in the order of <paramref name="values"/>); null: <c>head (?, …) tail</c>.
    /// </summary>
    public void Add(string head, string tail, string? sqlite, object?[] values)
    {
        var key = head + "\u0001" + tail;
        if (!_byKey.TryGetValue(key, out var pending))
        {
            pending = new Pending(head, tail, values.Length) { Sql = sqlite };
            _byKey[key] = pending;
            _order.Add(pending);
        }

        if (values.Length != pending.Width) throw new ArgumentException($"Expected {pending.Width} values for: {head}");
        pending.Values.AddRange(values);
    }

    /// <summary>
    /// Writes every waiting row within the transaction and empties the buffer. PostgreSQL gets
    /// multi-row statements (few round trips); SQLite, in process, native prepared statements of
    /// up to 256 rows, stepped.
    /// </summary>
    public void Flush(DbConnection connection, DbTransaction transaction)
    {
        foreach (var pending in _order)
        {
            if (connection is SqliteConnection { Handle: { } handle })
            {
                FlushNative(handle, pending);
                continue;
            }

            var rows = pending.Values.Count / pending.Width;
            if (rows >= CopyRows && connection is NpgsqlConnection pg
                && PostgresCopy.TryWrite(pg, pending.Head, pending.Tail, pending.Width, pending.Values))
            {
                continue;
            }

            var rowsPerStatement = Math.Max(1, MaxParameters / pending.Width);
            DbCommand? prepared = null;
            try
            {
                for (var start = 0; start < rows; start += rowsPerStatement)
                {
                    var count = Math.Min(rowsPerStatement, rows - start);
                    if (prepared is null || count != rowsPerStatement)
                    {
                        prepared?.Dispose();
                        prepared = Command(connection, transaction, pending, count);
                    }

                    Bind(prepared.Parameters, pending, start, count);
                    prepared.ExecuteNonQuery();
                }
            }
            finally
            {
                prepared?.Dispose();
            }
        }

        Clear();
    }

    /// <summary>
    /// PostgreSQL's multi-row statements as one batch, awaited: a command's rows of every kind cost
    /// one round trip and hold no thread. Statements run in order, parents before children.
    /// </summary>
    public async Task FlushAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var batch = connection.CreateBatch();
        batch.Transaction = transaction;
        foreach (var pending in _order)
        {
            var rows = pending.Values.Count / pending.Width;
            var rowsPerStatement = Math.Max(1, MaxParameters / pending.Width);
            for (var start = 0; start < rows; start += rowsPerStatement)
            {
                var count = Math.Min(rowsPerStatement, rows - start);
                var command = batch.CreateBatchCommand();
                command.CommandText = Text(pending, count, command.Parameters, command.CreateParameter);
                Bind(command.Parameters, pending, start, count);
                batch.BatchCommands.Add(command);
            }
        }

        await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        Clear();
    }

    public void Clear()
    {
        _order.Clear();
        _byKey.Clear();
    }

    private static void Bind(DbParameterCollection parameters, Pending pending, int start, int count)
    {
        for (var i = 0; i < count * pending.Width; i++)
        {
            var value = pending.Values[(start * pending.Width) + i];
            var parameter = parameters[i];
            if (value is TypedNull typed) parameter.DbType = typed.Type;
            parameter.Value = value is null or TypedNull ? DBNull.Value : value;
        }
    }

    /// <summary>
    /// SQLite, in process: native statements of up to <see cref="SqliteRowsPerStatement"/> rows, prepared once per
    /// connection and row count and stepped with their parameters bound by position — no managed command, reader or name
    /// lookup, and no parse per flush (a command's flush is a handful of kinds, each prepared in tens of microseconds, on the
    /// writer's critical path). A statement of many rows opens its tables and indexes once for all of them, where one row per
    /// statement opened them per row (docs/benchmarks.md). A kind with a single-row statement of its own (an UPDATE) is stepped
    /// row by row. It runs on the connection's handle, inside the session's transaction.
    /// </summary>
    private static void FlushNative(sqlite3 handle, Pending pending)
    {
        var rows = pending.Values.Count / pending.Width;
        var most = Math.Min(SqliteRowsPerStatement, MaxParameters / pending.Width);
        var size = pending.Sql is null ? (int)BitOperations.RoundUpToPowerOf2((uint)most + 1) / 2 : 1; // the largest power of 2 ≤ most
        for (var start = 0; start < rows; size /= 2)
        {
            if (rows - start < size) continue;
            var statement = Prepared(handle, size == 1 && pending.Sql is { } sql ? sql : Text(pending, size));
            for (; rows - start >= size; start += size) Step(handle, statement, pending, start, size);
        }
    }

    /// <summary>
    /// The most rows one SQLite statement writes; a flush writes as many of them as fit, then the rest in statements of
    /// half as many rows, and so on down to one: at most nine statements per kind are prepared on a connection.
    /// </summary>
    private const int SqliteRowsPerStatement = 256;

    private static string Text(Pending pending, int rows)
    {
        var row = $"({string.Join(", ", Enumerable.Repeat("?", pending.Width))})";
        return $"{pending.Head} {string.Join(", ", Enumerable.Repeat(row, rows))}{pending.Tail}";
    }

    private static void Step(sqlite3 handle, nint statement, Pending pending, int start, int rows)
    {
        try
        {
            var first = start * pending.Width;
            for (var c = 0; c < rows * pending.Width; c++) Bind(handle, statement, c + 1, pending.Values[first + c], pending.Head);
            var stepped = SqliteNative.Step(statement);
            if (stepped != raw.SQLITE_DONE) Check(handle, stepped == raw.SQLITE_ROW ? raw.SQLITE_MISUSE : stepped);
        }
        finally
        {
            // Ready for the next rows even after a failed step; reset's code repeats the step's error, already thrown.
            _ = SqliteNative.Reset(statement);
            _ = SqliteNative.ClearBindings(statement);
        }
    }

    /// <summary>
    /// The statements each native connection has prepared, by SQL text. A pooled handle is used by one
    /// connection at a time, so its dictionary needs no lock; the statements go when the handle does, and
    /// while it lives their native pointers (<see cref="SqliteNative"/>) stay valid.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<sqlite3, Dictionary<string, sqlite3_stmt>> Statements = [];

    /// <summary>The native statement of <paramref name="sql"/> on this connection, prepared on first use.</summary>
    internal static nint Prepared(sqlite3 handle, string sql)
    {
        var cache = Statements.GetOrCreateValue(handle);
        if (!cache.TryGetValue(sql, out var statement))
        {
            Check(handle, raw.sqlite3_prepare_v3(handle, sql, raw.SQLITE_PREPARE_PERSISTENT, out statement));
            cache[sql] = statement;
        }

        return statement.DangerousGetHandle();
    }

    /// <summary>Binds parameter <paramref name="index"/> (from 1) of a native statement of <paramref name="sql"/>.</summary>
    internal static void Bind(sqlite3 handle, nint statement, int index, object? value, string sql) => Check(handle, value switch
    {
        null or TypedNull => SqliteNative.BindNull(statement, index),
        string text => SqliteNative.BindText(statement, index, text),
        long number => SqliteNative.BindLong(statement, index, number),
        int number => SqliteNative.BindLong(statement, index, number),
        bool flag => SqliteNative.BindLong(statement, index, flag ? 1 : 0),
        var other => throw new InvalidOperationException($"Cannot bind a {other.GetType().Name} in: {sql}"),
    });

    internal static void Check(sqlite3 handle, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException(
                $"SQLite Error {rc}: '{raw.sqlite3_errmsg(handle).utf8_to_string()}'.", rc, raw.sqlite3_extended_errcode(handle));
        }
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, Pending pending, int rows)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Text(pending, rows, command.Parameters, command.CreateParameter);
        return command;
    }

    /// <summary>
    /// The multi-row statement for <paramref name="rows"/> rows, its parameters <c>@p0…</c> added unbound to
    /// <paramref name="parameters"/>.
    /// </summary>
    private static string Text(Pending pending, int rows, DbParameterCollection parameters, Func<DbParameter> create)
    {
        var sql = new StringBuilder(pending.Head);
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? " (" : ", (");
            for (var c = 0; c < pending.Width; c++)
            {
                var name = $"@p{(r * pending.Width) + c}";
                if (c > 0) sql.Append(", ");
                sql.Append(name);
                var parameter = create();
                parameter.ParameterName = name;
                parameters.Add(parameter);
            }

            sql.Append(')');
        }

        return sql.Append(pending.Tail).ToString();
    }

    /// <summary>A null that still tells PostgreSQL its type, where a VALUES list cannot infer it.</summary>
    public sealed record TypedNull(System.Data.DbType Type)
    {
        public static readonly TypedNull Int64 = new(System.Data.DbType.Int64);

        public static readonly TypedNull Text = new(System.Data.DbType.String);
    }

    private sealed class Pending(string head, string tail, int width)
    {
        public string Head { get; } = head;

        public string Tail { get; } = tail;

        public int Width { get; } = width;

        public List<object?> Values { get; } = [];

        /// <summary>The single-row statement SQLite steps instead of the multi-row form, if any.</summary>
        public string? Sql { get; init; }
    }
}
