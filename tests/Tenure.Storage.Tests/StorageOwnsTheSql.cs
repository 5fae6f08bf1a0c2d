using System.Text.RegularExpressions;

namespace Tenure.Storage.Tests;

/// <summary>
/// Storage owns all SQL: no code under src/ outside src/Tenure.Storage writes a statement, so the schema and the
/// two dialects are read and changed in one project.
/// </summary>
public sealed partial class StorageOwnsTheSql
{
    /// <summary>The C# tokens that may hold text: strings (raw, verbatim, regular) and, to be skipped, characters and comments.</summary>
    [GeneratedRegex("""(?<text>"{3,}[\s\S]*?"{3,}|@"(?:[^"]|"")*"|"(?:[^"\\\n]|\\.)*")|'(?:[^'\\\n]|\\.)'|//[^\n]*|/\*[\s\S]*?\*/""")]
    private static partial Regex Tokens();

    [GeneratedRegex(@"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b")]
    private static partial Regex Statement();

    /// <summary>The string literals of C# source that contain a SQL statement.</summary>
    private static IEnumerable<string> Statements(string source) =>
        Tokens().Matches(source).Select(m => m.Groups["text"]).Where(g => g.Success && Statement().IsMatch(g.Value)).Select(g => g.Value);

    [Fact]
    public void No_code_outside_Storage_writes_SQL()
    {
        var found = Repository.Files("src", "*.cs")
            .Where(file => !file.StartsWith("src/Tenure.Storage/", StringComparison.Ordinal))
            .SelectMany(file => Statements(Repository.Read(file)).Select(sql => (File: file, Sql: sql)))
            .ToList();

        Assert.Empty(found.Select(f => $"{f.File}: {f.Sql}"));
    }

    [Fact]
    public void The_check_finds_statements_in_every_kind_of_string_literal_and_none_in_comments_or_prose()
    {
        const string source = """"
            var a = "SELECT id FROM accounts";
            var b = $"UPDATE outbox SET status = {status}";
            var c = @"DELETE FROM ""idempotency""";
            // INSERT INTO notices is only mentioned here, "SELECT" too
            var d = "Select at least one instance."; var e = 'x'; var f = "http://example.com/a";
            """";
        Assert.Equal(
            ["\"SELECT id FROM accounts\"", "\"UPDATE outbox SET status = {status}\"", "@\"DELETE FROM \"\"idempotency\"\"\""],
            Statements(source));
    }
}
