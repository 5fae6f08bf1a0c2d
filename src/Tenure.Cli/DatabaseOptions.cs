using System.CommandLine;
using Tenure.Storage;

namespace Tenure.Cli;

/// <summary><c>--db FILE | --postgres CONN</c>, shared by every command that opens the database.</summary>
public sealed class DatabaseOptions
{
    public Option<string?> Db { get; } = new("--db") { Description = "SQLite database file (default Tenure:Db, else ./tenure.db)." };

    public Option<string?> Postgres { get; } = new("--postgres")
    {
        Description = "PostgreSQL connection string, instead of SQLite (default Tenure:Postgres).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Db);
        command.Options.Add(Postgres);
    }

    public Database Open(ParseResult parsed) =>
        PostgresConnection(parsed) is { } connection ? Database.Postgres(connection) : Database.Sqlite(SqlitePath(parsed));

    /// <summary>The SQLite file named when it does not exist; null for PostgreSQL or a file that does (opening would create it).</summary>
    public string? MissingSqliteFile(ParseResult parsed) =>
        PostgresConnection(parsed) is null && SqlitePath(parsed) is var path && !File.Exists(path) ? path : null;

    private string? PostgresConnection(ParseResult parsed) =>
        (parsed.GetValue(Postgres) ?? Settings.Configuration["Tenure:Postgres"]) is { Length: > 0 } connection ? connection : null;

    private string SqlitePath(ParseResult parsed) => parsed.GetValue(Db) ?? Settings.Configuration["Tenure:Db"] ?? "./tenure.db";
}
