using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using NodaTime;
using Tenure.Bench;
using Tenure.Storage;

namespace Tenure.Cli;

/// <summary><c>tenure bench …</c>: the benchmarks of docs/benchmarks.md; with <c>--json</c> each prints its result as one JSON object on the last line.</summary>
public static class BenchCommand
{
    private static readonly Option<bool> Json = new("--json") { Description = "Print the result as one JSON object on the last line." };

    public static Command Create(IClock clock) => new("bench", "Benchmarks (docs/benchmarks.md).") { RenewalDay(), QuietHorizonCommand(clock), Api(), MicroCommand() };

    private static Command RenewalDay()
    {
        var instances = new Option<int>("--instances") { Description = "Instances expiring on the renewal day.", DefaultValueFactory = _ => 100_000 };
        var (db, postgres) = DatabaseChoice();
        var file = new Option<string?>("--file") { Description = "SQLite file to create (default: a new temp file, deleted afterwards)." };
        var workers = new Option<int>("--workers") { Description = "Engine workers (PostgreSQL).", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch") { Description = "Instances per engine transaction.", DefaultValueFactory = _ => 1000 };
        var floor = new Option<bool>("--floor") { Description = "Run the floor arm instead: the same rows by set-based SQL, no per-instance logic." };
        var hangfire = new Option<bool>("--hangfire") { Description = "Run the Hangfire arm instead (PostgreSQL): one delayed job per instance, time-boxed and extrapolated." };
        var timeBox = new Option<int>("--time-box") { Description = "Seconds the Hangfire arm schedules, and then runs, jobs for.", DefaultValueFactory = _ => 60 };
        var command = new Command("renewal-day", "Seed N auto-renew instances expiring together (10% unfunded) and time the engine's T-3 wave.")
        {
            instances, db, postgres, file, workers, batch, Json, floor, hangfire, timeBox,
        };
        command.SetAction(parsed =>
        {
            var error = parsed.InvocationConfiguration.Error;
            var count = parsed.GetValue(instances);
            if (count is < 1 or > 50_000_000 || parsed.GetValue(workers) is < 1 or > 64 || parsed.GetValue(batch) is < 1 or > 100_000 || parsed.GetValue(timeBox) is < 1 or > 86_400)
            {
                error.WriteLine("error: --instances 1..50000000, --workers 1..64, --batch 1..100000, --time-box 1..86400.");
                return ExitCodes.Usage;
            }

            var onPostgres = parsed.GetValue(db) == "postgres";
            if (!CheckPostgres(parsed, onPostgres, postgres)) return ExitCodes.Usage;
            if (!onPostgres && (parsed.GetValue(workers) > 1 || parsed.GetValue(hangfire)))
            {
                error.WriteLine("error: SQLite has one writer: --workers must be 1, and the Hangfire arm runs on PostgreSQL.");
                return ExitCodes.Usage;
            }

            var path = parsed.GetValue(file) ?? Path.Combine(Path.GetTempPath(), $"tenure-bench-{Guid.NewGuid():N}.db");
            var database = onPostgres ? Database.Postgres(parsed.GetValue(postgres)!) : Database.Sqlite(path);
            var seed = Stopwatch.StartNew();
            Bench.RenewalDay.Seed(database, count);
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(hangfire))
            {
                var hf = HangfireArm.Run(database, count, TimeSpan.FromSeconds(parsed.GetValue(timeBox)), seed.Elapsed.TotalSeconds);
                output.WriteLine($"{hf.Arm}: {hf.Measured} of {hf.Instances} instances in {hf.MeasuredSeconds} s = {hf.PerSecond}/s with {hf.Workers} workers" +
                    $"{(hf.Extrapolated ? $"; extrapolated to all: {hf.Seconds} s" : string.Empty)}; scheduled {hf.Scheduled} jobs in {hf.ScheduleSeconds} s = {hf.SchedulePerSecond}/s; " +
                    $"renewed {hf.Renewed}, failed {hf.Failed}; jobs succeeded {hf.JobsSucceeded}, failed {hf.JobsFailed}; peak RSS {hf.PeakRssMb} MB; seeding took {hf.SeedSeconds} s");
                return Print(parsed, hf, hf.JobsFailed == 0 && hf.Renewed + hf.Failed == hf.JobsSucceeded);
            }

            var statements = onPostgres && PgStats.StatementsAvailable(database.ConnectionString);
            var before = onPostgres ? PgStats.Read(database.ConnectionString, statements) : null;
            var arm = parsed.GetValue(floor) ? (onPostgres ? "floor-postgres" : "floor-sqlite") : onPostgres ? $"tenure-postgres-{parsed.GetValue(workers)}w" : "tenure-sqlite";
            var result = parsed.GetValue(floor)
                ? Floor.Run(arm, database, count, seed.Elapsed.TotalSeconds)
                : Bench.RenewalDay.Run(arm, database, count, parsed.GetValue(workers), parsed.GetValue(batch), seed.Elapsed.TotalSeconds);
            if (before is not null)
            {
                var delta = PgStats.Read(database.ConnectionString, statements).Minus(before);
                result = result with { CommitsPerInstance = Math.Round((double)delta.Commits / count, 4), StatementsPerInstance = delta.Statements is { } s ? Math.Round((double)s / count, 4) : null };
            }

            var violations = Verifier.Check(database);
            if (!onPostgres && parsed.GetValue(file) is null)
            {
                Database.DeleteSqliteFiles(path);
            }

            output.WriteLine($"{result.Arm}: {result.Instances} instances in {result.Seconds} s = {result.PerSecond}/s; lateness p50 {result.P50LatenessSeconds} s, p99 {result.P99LatenessSeconds} s; " +
                $"peak RSS {result.PeakRssMb} MB; renewed {result.Renewed}, failed {result.Failed}; seeding took {result.SeedSeconds} s; verify: {(violations.Count == 0 ? "clean" : $"{violations.Count} violations")}" +
                (onPostgres ? $"; per instance: {result.CommitsPerInstance} commits, {(statements ? result.StatementsPerInstance : "? (pg_stat_statements not preloaded)")} statements" : string.Empty));
            return Print(parsed, result, violations.Count == 0);
        });
        return command;
    }

    private static Command QuietHorizonCommand(IClock clock)
    {
        var instances = new Option<int>("--instances") { Description = "Instances with expiries spread over a year (the issue asks 10,000,000).", DefaultValueFactory = _ => 100_000 };
        var (db, postgres) = DatabaseChoice();
        var seconds = new Option<int>("--seconds") { Description = "Seconds the engine runs idle while its database work is counted (PostgreSQL).", DefaultValueFactory = _ => 60 };
        var calls = new Option<int>("--calls") { Description = "Timed claim queries with nothing due.", DefaultValueFactory = _ => 500 };
        var command = new Command("quiet-horizon", "Seed N instances due over the next year, count the idle engine's statements per second and time the claim query.")
        {
            instances, db, postgres, seconds, calls, Json,
        };
        command.SetAction(parsed =>
        {
            var count = parsed.GetValue(instances);
            if (count is < 1 or > 50_000_000 || parsed.GetValue(seconds) is < 1 or > 86_400 || parsed.GetValue(calls) is < 1 or > 1_000_000)
            {
                parsed.InvocationConfiguration.Error.WriteLine("error: --instances 1..50000000, --seconds 1..86400, --calls 1..1000000.");
                return ExitCodes.Usage;
            }

            var onPostgres = parsed.GetValue(db) == "postgres";
            if (!CheckPostgres(parsed, onPostgres, postgres)) return ExitCodes.Usage;
            var path = Path.Combine(Path.GetTempPath(), $"tenure-quiet-{Guid.NewGuid():N}.db");
            var database = onPostgres ? Database.Postgres(parsed.GetValue(postgres)!) : Database.Sqlite(path);
            var seed = Stopwatch.StartNew();
            QuietHorizon.Seed(database, count, clock.GetCurrentInstant());
            var result = QuietHorizon.Run(onPostgres ? "quiet-postgres" : "quiet-sqlite", database, count, clock, TimeSpan.FromSeconds(parsed.GetValue(seconds)), parsed.GetValue(calls), seed.Elapsed.TotalSeconds);
            if (!onPostgres) Database.DeleteSqliteFiles(path);
            parsed.InvocationConfiguration.Output.WriteLine($"{result.Arm}: {result.Instances} instances (seeded in {result.SeedSeconds} s); " +
                (onPostgres ? $"idle engine for {result.Seconds} s: {(result.StatStatementsLoaded ? $"{result.StatementsPerSecond} statements/s" : "statements ? (pg_stat_statements not preloaded)")}, {result.CommitsPerSecond} commits/s; " : string.Empty) +
                $"claim with nothing due p50 {result.ClaimP50Ms} ms, p99 {result.ClaimP99Ms} ms; next due (MIN) p50 {result.NextDueP50Ms} ms, p99 {result.NextDueP99Ms} ms over {result.ClaimCalls} calls");
            return Print(parsed, result, true);
        });
        return command;
    }

    private static Command Api()
    {
        var instances = new Option<int>("--instances") { Description = "Instances of the one account whose key the requests use.", DefaultValueFactory = _ => 20_000 };
        var duration = new Option<int>("--duration") { Description = "Seconds of each wrk run.", DefaultValueFactory = _ => 20 };
        var connections = new Option<int>("--connections") { Description = "wrk connections (two threads).", DefaultValueFactory = _ => 32 };
        var command = new Command("api", "Run tenure serve (SQLite, loopback) and measure POST /v1/instances/{id}/renew and GET /v1/instances with wrk.")
        {
            instances, duration, connections, Json,
        };
        command.SetAction(parsed =>
        {
            if (parsed.GetValue(instances) is < 2 or > 50_000_000 || parsed.GetValue(duration) is < 1 or > 3600 || parsed.GetValue(connections) is < 2 or > 10_000)
            {
                parsed.InvocationConfiguration.Error.WriteLine("error: --instances 2..50000000, --duration 1..3600, --connections 2..10000.");
                return ExitCodes.Usage;
            }

            // This same executable serves: `tenure serve`, or `dotnet tenure.dll serve` when run through dotnet.
            var self = Environment.ProcessPath!;
            string[] prefix = Path.GetFileNameWithoutExtension(self) == "dotnet" ? [typeof(BenchCommand).Assembly.Location] : [];
            var result = ApiArm.Run(parsed.GetValue(instances), parsed.GetValue(duration), parsed.GetValue(connections), (self, prefix), parsed.InvocationConfiguration.Error);
            parsed.InvocationConfiguration.Output.WriteLine($"{result.Arm}: {result.Instances} instances, {result.Connections} connections, {result.Seconds} s each; " +
                $"renew {result.Renew.PerSecond}/s p50 {result.Renew.P50Ms} ms p99 {result.Renew.P99Ms} ms ({result.Renew.Non2xx} not 2xx of {result.Renew.Requests}); " +
                $"list {result.List.PerSecond}/s p50 {result.List.P50Ms} ms p99 {result.List.P99Ms} ms ({result.List.Non2xx} not 2xx of {result.List.Requests}); server peak RSS {result.PeakRssMb} MB");
            return Print(parsed, result, result.Renew.Non2xx == 0 && result.List.Non2xx == 0);
        });
        return command;
    }

    private static Command MicroCommand()
    {
        var filter = new Option<string[]>("--filter") { Description = "BenchmarkDotNet filter, e.g. '*Advance*' (default: all).", AllowMultipleArgumentsPerToken = true };
        var command = new Command("micro", "BenchmarkDotNet micro benchmarks of the calendar and the domain decisions (in process, ShortRun; needs a Release build).") { filter, Json };
        command.SetAction(parsed =>
        {
            var result = Micro.Run(parsed.GetValue(filter) is { Length: > 0 } f ? ["--filter", .. f] : []);
            foreach (var b in result.Benchmarks) parsed.InvocationConfiguration.Output.WriteLine($"{b.Name}: {b.MeanNs} ns, {b.AllocatedBytes} B allocated");
            return Print(parsed, result, result.Benchmarks.Count > 0);
        });
        return command;
    }

    private static (Option<string> Db, Option<string?> Postgres) DatabaseChoice()
    {
        var db = new Option<string>("--db") { Description = "sqlite or postgres.", DefaultValueFactory = _ => "sqlite" };
        db.AcceptOnlyFromAmong("sqlite", "postgres");
        return (db, new Option<string?>("--postgres") { Description = "PostgreSQL connection string of an empty database (with --db postgres)." });
    }

    private static bool CheckPostgres(ParseResult parsed, bool onPostgres, Option<string?> postgres)
    {
        if (!onPostgres || parsed.GetValue(postgres) is { Length: > 0 }) return true;
        parsed.InvocationConfiguration.Error.WriteLine("error: --db postgres needs --postgres \"<connection string>\" of an empty database.");
        return false;
    }

    private static int Print<T>(ParseResult parsed, T result, bool ok)
    {
        if (parsed.GetValue(Json)) parsed.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(result, JsonSerializerOptions.Web));
        return ok ? ExitCodes.Ok : ExitCodes.Refused;
    }
}
