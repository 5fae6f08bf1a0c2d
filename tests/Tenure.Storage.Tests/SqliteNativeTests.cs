using Dapper;
using Microsoft.Data.Sqlite;

namespace Tenure.Storage.Tests;

/// <summary>
/// SQLite's rows are bound and read through <see cref="SqliteNative"/>, on the statement's pointer and with the UTF-8 text
/// on the stack up to a size and in a rented buffer above it: every value must come back as it went in, at every size.
/// </summary>
public sealed class SqliteNativeTests : IDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"tenure-native-{Guid.NewGuid():N}.db");
    private readonly Database _db;

    public SqliteNativeTests() => _db = Database.Sqlite(_file);

    public void Dispose() => Database.DeleteSqliteFiles(_file);

    public static TheoryData<string> Texts() =>
    [
        "",
        "a",
        "续费管理 自動更新 🙂",
        new string('x', 340), // the longest text whose UTF-8 fits the stack buffer at any characters: (340 + 1) × 3 ≤ 1,024
        new string('x', 341), // a rented buffer from here
        new string('é', 340), // 680 bytes, on the stack
        new string('é', 600), // 1,200 bytes
        string.Concat(Enumerable.Repeat("租🙂", 40_000)),
        "a\0b", // SQLite text keeps an inner NUL when its length is given
    ];

    [Theory]
    [MemberData(nameof(Texts))]
    public void A_text_bound_natively_reads_back_unchanged(string text)
    {
        Assert.Equal(text, RoundTrip(text, 7L)[0].Text);
    }

    [Fact]
    public void Longs_and_nulls_read_back_unchanged()
    {
        foreach (var number in new[] { long.MinValue, -1L, 0L, 1L, long.MaxValue })
        {
            var row = Assert.Single(RoundTrip(null, number));
            Assert.Null(row.Text);
            Assert.Equal(number, row.Number);
        }
    }

    /// <summary>A flush writes up to 256 rows per statement, then halves: every count must come out whole and in order.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(255)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(1000)]
    public void A_flush_writes_every_row_once_in_order(int count)
    {
        using var connection = (SqliteConnection)_db.Open();
        connection.Execute("CREATE TABLE many (seq INTEGER PRIMARY KEY, v TEXT NOT NULL, n INTEGER)");
        using (var transaction = connection.BeginTransaction())
        {
            var rows = new RowBuffer();
            for (var i = 0; i < count; i++) rows.Add("INSERT INTO many (v, n) VALUES", string.Empty, $"row {i}", i % 3 == 0 ? null : i);
            rows.Flush(connection, transaction);
            transaction.Commit();
        }

        var read = SqliteRows.Read(connection, "SELECT v, n FROM many ORDER BY seq", [], row => (row.Text(0), row.NullableLong(1)));
        Assert.Equal(Enumerable.Range(0, count).Select(i => ($"row {i}", i % 3 == 0 ? null : (long?)i)), read);
    }

    /// <summary>
    /// A statement that changes many rows and may fail half-way keeps a journal to undo itself alone, in memory
    /// (<see cref="SqliteNative.Configure"/>). One of about 40 MiB must commit, and one that fails on a unique key must undo
    /// only itself. With a spill size above SQLite's 128 KiB write, the first failed with SQLITE_FULL.
    /// </summary>
    [Fact]
    public void A_statement_with_a_large_journal_commits_and_one_that_fails_undoes_only_itself()
    {
        const int count = 60_000;
        using var connection = (SqliteConnection)_db.Open();
        connection.Execute("CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)");
        using (var transaction = connection.BeginTransaction())
        {
            var rows = new RowBuffer();
            for (var i = 0; i < count; i++) rows.Add("INSERT INTO big (id, v) VALUES", string.Empty, i, $"{i:D6}{new string('x', 300)}");
            rows.Flush(connection, transaction);
            transaction.Commit();
        }

        using (var transaction = connection.BeginTransaction())
        {
            connection.Execute("UPDATE big SET v = v || '!'", transaction: transaction);
            var failure = Assert.Throws<SqliteException>(() => connection.Execute("UPDATE big SET v = 'one'", transaction: transaction));
            Assert.Equal(19, failure.SqliteErrorCode); // SQLITE_CONSTRAINT, on the second row
            transaction.Commit();
        }

        var changed = SqliteRows.Read(connection, "SELECT count(*) FROM big WHERE v LIKE '%!'", [], row => row.Long(0));
        Assert.Equal([count], changed);
    }

    [Fact]
    public void Reading_a_null_as_text_fails_rather_than_reading_empty()
    {
        using var connection = (SqliteConnection)_db.Open();
        var failure = Assert.Throws<InvalidOperationException>(
            () => SqliteRows.Read(connection, "SELECT NULL", [], row => row.Text(0)));

        Assert.Contains("NULL", failure.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Writes one row through <see cref="RowBuffer"/> in a transaction, and reads it back through <see cref="SqliteRows"/>.
    /// </summary>
    private List<(string? Text, long? Number)> RoundTrip(string? text, long number)
    {
        using var connection = (SqliteConnection)_db.Open();
        connection.Execute("CREATE TABLE IF NOT EXISTS t (v TEXT, n INTEGER); DELETE FROM t");
        using (var transaction = connection.BeginTransaction())
        {
            var rows = new RowBuffer();
            rows.Add("INSERT INTO t (v, n) VALUES", string.Empty, text, number);
            rows.Flush(connection, transaction);
            transaction.Commit();
        }

        return SqliteRows.Read(connection, "SELECT v, n FROM t WHERE n = ?1", [number], row => (row.NullableText(0), row.NullableLong(1)));
    }
}
