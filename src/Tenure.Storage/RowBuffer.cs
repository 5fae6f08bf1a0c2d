using System.Data.Common;
using System.Text;

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

    private readonly List<Pending> _order = [];
    private readonly Dictionary<string, Pending> _byKey = [];

    public bool IsEmpty => _order.Count == 0;

    /// <summary>Adds a row to the statement <c>head + (row), (row)… + tail</c>.</summary>
    public void Add(string head, string tail, params object?[] values)
    {
        var key = head + "\u0001" + tail;
        if (!_byKey.TryGetValue(key, out var pending))
        {
            pending = new Pending(head, tail, values.Length);
            _byKey[key] = pending;
            _order.Add(pending);
        }

        if (values.Length != pending.Width) throw new ArgumentException($"Expected {pending.Width} values for: {head}");
        pending.Values.AddRange(values);
    }

    /// <summary>
    /// Writes every waiting row within the transaction and empties the buffer. PostgreSQL gets
    /// multi-row statements (few round trips); SQLite, in process, one prepared statement per kind
    /// executed row by row (no parsing, parameters bound by position).
    /// </summary>
    public void Flush(DbConnection connection, DbTransaction transaction, bool multiRow)
    {
        foreach (var pending in _order)
        {
            var rows = pending.Values.Count / pending.Width;
            var rowsPerStatement = multiRow ? Math.Max(1, MaxParameters / pending.Width) : 1;
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

                    for (var i = 0; i < count * pending.Width; i++)
                    {
                        var value = pending.Values[(start * pending.Width) + i];
                        var parameter = prepared.Parameters[i];
                        if (value is TypedNull typed) parameter.DbType = typed.Type;
                        parameter.Value = value is null or TypedNull ? DBNull.Value : value;
                    }

                    prepared.ExecuteNonQuery();
                }
            }
            finally
            {
                prepared?.Dispose();
            }
        }

        _order.Clear();
        _byKey.Clear();
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, Pending pending, int rows)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        var sql = new StringBuilder(pending.Head);
        for (var r = 0; r < rows; r++)
        {
            sql.Append(r == 0 ? " (" : ", (");
            for (var c = 0; c < pending.Width; c++)
            {
                var name = $"@p{(r * pending.Width) + c}";
                if (c > 0) sql.Append(", ");
                sql.Append(name);
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                command.Parameters.Add(parameter);
            }

            sql.Append(')');
        }

        command.CommandText = sql.Append(pending.Tail).ToString();
        return command;
    }

    /// <summary>A null that still tells PostgreSQL its type, where a VALUES list cannot infer it.</summary>
    public sealed record TypedNull(System.Data.DbType Type)
    {
        public static readonly TypedNull Int64 = new(System.Data.DbType.Int64);
    }

    private sealed class Pending(string head, string tail, int width)
    {
        public string Head { get; } = head;

        public string Tail { get; } = tail;

        public int Width { get; } = width;

        public List<object?> Values { get; } = [];
    }
}
