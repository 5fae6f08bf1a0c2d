using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Tenure.Bench;
using Tenure.Storage;

namespace Tenure.Cli;

/// <summary><c>tenure bench renewal-day</c>: the renewal-day benchmark (see docs/benchmarks.md).</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var instances = new Option<int>("--instances") { Description = "Instances expiring on the renewal day.", DefaultValueFactory = _ => 100_000 };
        var db = new Option<string>("--db") { Description = "sqlite or postgres.", DefaultValueFactory = _ => "sqlite" };
        db.AcceptOnlyFromAmong("sqlite", "postgres");
        var postgres = new Option<string?>("--postgres") { Description = "PostgreSQL connection string of an empty database (with --db postgres)." };
        var file = new Option<string?>("--file") { Description = "SQLite file to create (default: a new temp file, deleted afterwards)." };
        var workers = new Option<int>("--workers") { Description = "Engine workers (PostgreSQL).", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch") { Description = "Instances per engine transaction.", DefaultValueFactory = _ => 1000 };
        var json = new Option<bool>("--json") { Description = "Print the result as one JSON object on the last line." };
        var floor = new Option<bool>("--floor") { Description = "Run the floor arm instead: the same rows by set-based SQL, no per-instance logic." };
        var renewalDay = new Command("renewal-day", "Seed N auto-renew instances expiring together (10% unfunded) and time the engine's T-3 wave.")
        {
            instances, db, postgres, file, workers, batch, json, floor,
        };
        renewalDay.SetAction(parsed =>
        {
            var error = parsed.InvocationConfiguration.Error;
            var count = parsed.GetValue(instances);
            if (count is < 1 or > 50_000_000 || parsed.GetValue(workers) is < 1 or > 64 || parsed.GetValue(batch) is < 1 or > 100_000)
            {
                error.WriteLine("error: --instances 1..50000000, --workers 1..64, --batch 1..100000.");
                return ExitCodes.Usage;
            }

            var onPostgres = parsed.GetValue(db) == "postgres";
            if (onPostgres && parsed.GetValue(postgres) is not { Length: > 0 })
            {
                error.WriteLine("error: --db postgres needs --postgres \"<connection string>\" of an empty database.");
                return ExitCodes.Usage;
            }

            if (!onPostgres && parsed.GetValue(workers) > 1)
            {
                error.WriteLine("error: SQLite has one writer: --workers must be 1.");
                return ExitCodes.Usage;
            }

            var path = parsed.GetValue(file) ?? Path.Combine(Path.GetTempPath(), $"tenure-bench-{Guid.NewGuid():N}.db");
            var database = onPostgres ? Database.Postgres(parsed.GetValue(postgres)!) : Database.Sqlite(path);
            var seed = Stopwatch.StartNew();
            RenewalDay.Seed(database, count);
            var arm = parsed.GetValue(floor) ? (onPostgres ? "floor-postgres" : "floor-sqlite") : onPostgres ? $"tenure-postgres-{parsed.GetValue(workers)}w" : "tenure-sqlite";
            var result = parsed.GetValue(floor)
                ? Floor.Run(arm, database, count, seed.Elapsed.TotalSeconds)
                : RenewalDay.Run(arm, database, count, parsed.GetValue(workers), parsed.GetValue(batch), seed.Elapsed.TotalSeconds);
            var violations = Verifier.Check(database);
            if (!onPostgres && parsed.GetValue(file) is null)
            {
                Database.DeleteSqliteFiles(path);
            }

            parsed.InvocationConfiguration.Output.WriteLine($"{result.Arm}: {result.Instances} instances in {result.Seconds} s = {result.PerSecond}/s; lateness p50 {result.P50LatenessSeconds} s, p99 {result.P99LatenessSeconds} s; " +
                $"peak RSS {result.PeakRssMb} MB; renewed {result.Renewed}, failed {result.Failed}; seeding took {result.SeedSeconds} s; verify: {(violations.Count == 0 ? "clean" : $"{violations.Count} violations")}");
            if (parsed.GetValue(json)) parsed.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(result, JsonSerializerOptions.Web));
            return violations.Count == 0 ? ExitCodes.Ok : ExitCodes.Refused;
        });
        return new Command("bench", "Benchmarks (docs/benchmarks.md).") { renewalDay };
    }
}
