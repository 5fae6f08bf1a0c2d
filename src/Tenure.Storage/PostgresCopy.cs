using System.Collections.Concurrent;
using Npgsql;
using NpgsqlTypes;

namespace Tenure.Storage;

/// <summary>
/// PostgreSQL's binary <c>COPY … FROM STDIN</c> for the buffered rows of one plain insert (no conflict clause, nothing
/// returned): the rows stream in one round trip without a statement to parse or a parameter per value. Each value is
/// written as its column's type, read once from the catalogue; a table with a column of another type is left to the
/// multi-row insert. A key the rows break surfaces as the insert's would, a <see cref="PostgresException"/> 23505.
/// </summary>
internal static class PostgresCopy
{
    private const string Insert = "INSERT INTO ";

    private const string Values = ") VALUES";

    /// <summary>The column types of each insert head, per database; null: a head COPY does not take.</summary>
    private static readonly ConcurrentDictionary<string, NpgsqlDbType[]?> Types = new(StringComparer.Ordinal);

    /// <summary>
    /// Writes <paramref name="values"/> (rows of <paramref name="width"/>) by COPY within the connection's transaction;
    /// false, writing nothing, when the statement is not a plain insert of columns COPY writes.
    /// </summary>
    public static bool TryWrite(NpgsqlConnection connection, string head, string tail, int width, List<object?> values)
    {
        if (tail.Length != 0 || !head.StartsWith(Insert, StringComparison.Ordinal) || !head.EndsWith(Values, StringComparison.Ordinal))
        {
            return false;
        }

        var open = head.IndexOf(" (", StringComparison.Ordinal);
        var table = head[Insert.Length..open];
        var columns = head[(open + 2)..^Values.Length].Split(", ");
        if (columns.Length != width) return false;
        var types = Types.GetOrAdd($"{connection.DataSource}/{connection.Database}/{head}", _ => ColumnTypes(connection, table, columns));
        if (types is null) return false;

        using var writer = connection.BeginBinaryImport($"COPY {head[Insert.Length..^" VALUES".Length]} FROM STDIN (FORMAT BINARY)");
        for (var start = 0; start < values.Count; start += width)
        {
            writer.StartRow();
            for (var c = 0; c < width; c++) Write(writer, values[start + c], types[c], head);
        }

        writer.Complete();
        return true;
    }

    private static NpgsqlDbType[]? ColumnTypes(NpgsqlConnection connection, string table, string[] columns)
    {
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid " +
            "WHERE a.attrelid = @table::regclass AND a.attnum > 0 AND NOT a.attisdropped";
        command.Parameters.AddWithValue("table", table);
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read()) byName[reader.GetString(0)] = reader.GetString(1);
        }

        var types = new NpgsqlDbType[columns.Length];
        for (var c = 0; c < columns.Length; c++)
        {
            NpgsqlDbType? type = byName.GetValueOrDefault(columns[c]) switch
            {
                "int8" => NpgsqlDbType.Bigint,
                "int4" => NpgsqlDbType.Integer,
                "bool" => NpgsqlDbType.Boolean,
                "text" => NpgsqlDbType.Text,
                "varchar" => NpgsqlDbType.Varchar,
                "jsonb" => NpgsqlDbType.Jsonb,
                _ => null,
            };
            if (type is null) return null;
            types[c] = type.Value;
        }

        return types;
    }

    /// <summary>A buffered value as its column's type, as the insert's parameter would be cast; anything else is refused.</summary>
    private static void Write(NpgsqlBinaryImporter writer, object? value, NpgsqlDbType type, string head)
    {
        switch (value, type)
        {
            case (null or RowBuffer.TypedNull, _):
                writer.WriteNull();
                break;
            case (long number, NpgsqlDbType.Bigint):
                writer.Write(number, type);
                break;
            case (int number, NpgsqlDbType.Bigint):
                writer.Write((long)number, type);
                break;
            case (bool flag, NpgsqlDbType.Bigint):
                writer.Write(flag ? 1L : 0L, type);
                break;
            case (int number, NpgsqlDbType.Integer):
                writer.Write(number, type);
                break;
            case (long number, NpgsqlDbType.Integer):
                writer.Write(checked((int)number), type);
                break;
            case (bool flag, NpgsqlDbType.Boolean):
                writer.Write(flag, type);
                break;
            case (string text, NpgsqlDbType.Text or NpgsqlDbType.Varchar or NpgsqlDbType.Jsonb):
                writer.Write(text, type);
                break;
            default:
                throw new InvalidOperationException($"Cannot copy a {value.GetType().Name} into a {type} column in: {head}");
        }
    }
}
