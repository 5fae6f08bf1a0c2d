using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using NodaTime;
using Tenure.Storage;

namespace Tenure.Bench;

/// <summary>
/// The <c>tenure-bench</c> command line: the benchmarks of docs/benchmarks.md; with <c>--json</c> each
/// prints its result as one JSON object on the last line. Exit codes: 0 done, 1 failed a check, 2 bad arguments.
/// </summary>
public static class BenchCommand
{
    private const int Ok = 0;
    private const int Failed = 1;
    private const int Usage = 2;

    private static readonly Option<bool> Json = new("--json") { Description = "Print the result as one JSON object on the last line." };

    /// <summary>Parses and runs; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, IClock clock)
    {
        var root = new RootCommand("Tenure's benchmarks (docs/benchmarks.md).")
        {
            RenewalDay(), QuietHorizonCommand(clock), Api(), MicroCommand(), TestClockCommand(), ReportCommand(),
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var problem in parsed.Errors) error.WriteLine($"error: {problem.Message}");
            error.WriteLine("Run 'tenure-bench --help' or 'tenure-bench <command> --help' for usage.");
            return Usage;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error });
    }

    private static Command RenewalDay()
    {
        var instances = Number("--instances", "Instances expiring on the renewal day.", 100_000);
        var (db, postgres) = DatabaseChoice();
        var file = new Option<string?>("--file") { Description = "SQLite file to create (default: a new temp file, deleted afterwards)." };
        var workers = Number("--workers", "Engine workers (PostgreSQL).", 1);
        var batch = Number("--batch", "Instances per engine transaction.", 1000);
        var floor = new Option<bool>("--floor")
        {
            Description = "Run the floor arm instead: the same rows by set-based SQL, no per-instance logic.",
        };
        var hangfire = new Option<bool>("--hangfire")
        {
            Description = "Run the Hangfire arm instead (PostgreSQL): one delayed job per instance, time-boxed and extrapolated.",
        };
        var timeBox = Number("--time-box", "Seconds the Hangfire arm schedules, and then runs, jobs for.", 60);
        var command = new Command("renewal-day",
            "Seed N auto-renew instances expiring together (10% unfunded) and time the engine's T-3 wave.")
        {
            instances, db, postgres, file, workers, batch, Json, floor, hangfire, timeBox,
        };
        command.SetAction(parsed =>
        {
            var error = parsed.InvocationConfiguration.Error;
            var count = parsed.GetValue(instances);
            if (count is < 1 or > 50_000_000 || parsed.GetValue(workers) is < 1 or > 64 || parsed.GetValue(batch) is < 1 or > 100_000
                || parsed.GetValue(timeBox) is < 1 or > 86_400)
            {
                error.WriteLine("error: --instances 1..50000000, --workers 1..64, --batch 1..100000, --time-box 1..86400.");
                return Usage;
            }

            var onPostgres = parsed.GetValue(db) == "postgres";
            if (!CheckPostgres(parsed, onPostgres, postgres)) return Usage;
            if (!onPostgres && (parsed.GetValue(workers) > 1 || parsed.GetValue(hangfire)))
            {
                error.WriteLine("error: SQLite has one writer: --workers must be 1, and the Hangfire arm runs on PostgreSQL.");
                return Usage;
            }

            var path = parsed.GetValue(file) ?? Path.Combine(Path.GetTempPath(), $"tenure-bench-{Guid.NewGuid():N}.db");
            var database = onPostgres ? Database.Postgres(parsed.GetValue(postgres)!) : Database.Sqlite(path);
            var seed = Stopwatch.StartNew();
            Bench.RenewalDay.Seed(database, count);
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(hangfire))
            {
                var hf = HangfireArm.Run(database, count, TimeSpan.FromSeconds(parsed.GetValue(timeBox)), seed.Elapsed.TotalSeconds);
                output.WriteLine($"{hf.Arm}: {hf.Measured} of {hf.Instances} instances in {hf.MeasuredSeconds} s = {hf.PerSecond}/s " +
                    $"with {hf.Workers} workers" +
                    $"{(hf.Extrapolated ? $"; extrapolated to all: {hf.Seconds} s" : string.Empty)}; " +
                    $"scheduled {hf.Scheduled} jobs in {hf.ScheduleSeconds} s = {hf.SchedulePerSecond}/s; " +
                    $"renewed {hf.Renewed}, failed {hf.Failed}; jobs succeeded {hf.JobsSucceeded}, failed {hf.JobsFailed}; " +
                    $"peak RSS {hf.PeakRssMb} MB; seeding took {hf.SeedSeconds} s");
                return Print(parsed, hf, hf.JobsFailed == 0 && hf.Renewed + hf.Failed == hf.JobsSucceeded);
            }

            var statements = onPostgres && PgStats.StatementsAvailable(database.ConnectionString);
            var before = onPostgres ? PgStats.Read(database.ConnectionString, statements) : null;
            var arm = parsed.GetValue(floor)
                ? (onPostgres ? "floor-postgres" : "floor-sqlite")
                : onPostgres ? $"tenure-postgres-{parsed.GetValue(workers)}w" : "tenure-sqlite";
            var result = parsed.GetValue(floor)
                ? Floor.Run(arm, database, count, seed.Elapsed.TotalSeconds)
                : Bench.RenewalDay.Run(arm, database, count, parsed.GetValue(workers), parsed.GetValue(batch), seed.Elapsed.TotalSeconds);
            if (before is not null)
            {
                var delta = PgStats.Read(database.ConnectionString, statements).Minus(before);
                result = result with
                {
                    CommitsPerInstance = Math.Round((double)delta.Commits / count, 4),
                    StatementsPerInstance = delta.Statements is { } s ? Math.Round((double)s / count, 4) : null,
                };
            }

            var violations = Verifier.Check(database);
            if (!onPostgres && parsed.GetValue(file) is null)
            {
                Database.DeleteSqliteFiles(path);
            }

            output.WriteLine($"{result.Arm}: {result.Instances} instances in {result.Seconds} s = {result.PerSecond}/s; " +
                $"lateness p50 {result.P50LatenessSeconds} s, p99 {result.P99LatenessSeconds} s; " +
                $"peak RSS {result.PeakRssMb} MB; renewed {result.Renewed}, failed {result.Failed}; seeding took {result.SeedSeconds} s; " +
                $"verify: {(violations.Count == 0 ? "clean" : $"{violations.Count} violations")}; " +
                $"CPU: engine {result.EngineCpuSeconds} s{(onPostgres ? $", server {result.ServerCpuSeconds} s" : string.Empty)}" +
                (onPostgres
                    ? $"; per instance: {result.CommitsPerInstance} commits, " +
                      $"{(statements ? result.StatementsPerInstance : "? (pg_stat_statements not preloaded)")} statements"
                    : string.Empty));
            return Print(parsed, result, violations.Count == 0);
        });
        return command;
    }

    private static Command QuietHorizonCommand(IClock clock)
    {
        var instances = Number("--instances", "Instances with expiries spread over a year (the issue asks 10,000,000).", 100_000);
        var (db, postgres) = DatabaseChoice();
        var seconds = Number("--seconds", "Seconds the engine runs idle while its database work is counted (PostgreSQL).", 60);
        var calls = Number("--calls", "Timed claim queries with nothing due.", 500);
        var command = new Command("quiet-horizon",
            "Seed N instances due over the next year, count the idle engine's statements per second and time the claim query.")
        {
            instances, db, postgres, seconds, calls, Json,
        };
        command.SetAction(parsed =>
        {
            var count = parsed.GetValue(instances);
            if (count is < 1 or > 50_000_000 || parsed.GetValue(seconds) is < 1 or > 86_400 || parsed.GetValue(calls) is < 1 or > 1_000_000)
            {
                parsed.InvocationConfiguration.Error.WriteLine("error: --instances 1..50000000, --seconds 1..86400, --calls 1..1000000.");
                return Usage;
            }

            var onPostgres = parsed.GetValue(db) == "postgres";
            if (!CheckPostgres(parsed, onPostgres, postgres)) return Usage;
            var path = Path.Combine(Path.GetTempPath(), $"tenure-quiet-{Guid.NewGuid():N}.db");
            var database = onPostgres ? Database.Postgres(parsed.GetValue(postgres)!) : Database.Sqlite(path);
            var seed = Stopwatch.StartNew();
            QuietHorizon.Seed(database, count, clock.GetCurrentInstant());
            var result = QuietHorizon.Run(onPostgres ? "quiet-postgres" : "quiet-sqlite", database, count, clock,
                TimeSpan.FromSeconds(parsed.GetValue(seconds)), parsed.GetValue(calls), seed.Elapsed.TotalSeconds);
            if (!onPostgres) Database.DeleteSqliteFiles(path);
            var statementsPerSecond = result.StatStatementsLoaded
                ? $"{result.StatementsPerSecond} statements/s"
                : "statements ? (pg_stat_statements not preloaded)";
            var idle = onPostgres
                ? $"idle engine for {result.Seconds} s: {statementsPerSecond}, {result.CommitsPerSecond} commits/s; "
                : string.Empty;
            parsed.InvocationConfiguration.Output.WriteLine($"{result.Arm}: {result.Instances} instances " +
                $"(seeded in {result.SeedSeconds} s); {idle}" +
                $"claim with nothing due p50 {result.ClaimP50Ms} ms, p99 {result.ClaimP99Ms} ms; " +
                $"next due (MIN) p50 {result.NextDueP50Ms} ms, p99 {result.NextDueP99Ms} ms over {result.ClaimCalls} calls");
            return Print(parsed, result, true);
        });
        return command;
    }

    private static Command Api()
    {
        var instances = Number("--instances", "Instances, spread over the accounts in blocks.", 20_000);
        var accounts = Number("--accounts", "Accounts (1 measures one account's balance lock: its renewals queue for it).", 100);
        var (db, postgres) = DatabaseChoice();
        var seconds = Number("--seconds", "Seconds of each wrk run (one run per route).", 20);
        var connections = Number("--connections", "wrk connections (two threads).", 32);
        var tenure = new Option<string?>("--tenure")
        {
            Description = "The tenure executable or tenure.dll to serve with (default: src/Tenure.Cli of this repository, "
                + "built first with 'dotnet build -c Release', a no-op when it is up to date).",
        };
        var command = new Command("api",
            "Run tenure serve (loopback) and measure POST /v1/instances/{id}/renew, POST /v1/renewals/quote and GET /v1/instances "
            + "with wrk.")
        {
            instances, accounts, db, postgres, seconds, connections, tenure, Json,
        };
        command.SetAction(parsed =>
        {
            var error = parsed.InvocationConfiguration.Error;
            if (parsed.GetValue(instances) is < 2 or > 50_000_000 || parsed.GetValue(seconds) is < 1 or > 3600
                || parsed.GetValue(connections) is < 2 or > 10_000
                || parsed.GetValue(accounts) < 1 || parsed.GetValue(accounts) >= parsed.GetValue(instances))
            {
                error.WriteLine("error: --instances 2..50000000, --accounts 1..instances-1, --seconds 1..3600, --connections 2..10000.");
                return Usage;
            }

            var onPostgres = parsed.GetValue(db) == "postgres";
            if (!CheckPostgres(parsed, onPostgres, postgres)) return Usage;
            if (ApiArm.FindTenure(parsed.GetValue(tenure), error) is not { } serve) return Usage;
            var settings = new ApiArm.Settings(parsed.GetValue(instances), parsed.GetValue(accounts), parsed.GetValue(seconds),
                parsed.GetValue(connections), onPostgres ? parsed.GetValue(postgres) : null, serve);
            var result = ApiArm.Run(settings, error);
            var output = parsed.InvocationConfiguration.Output;
            output.WriteLine($"{result.Arm}: {result.Instances} instances of {result.Accounts} accounts, " +
                $"{result.Connections} connections, {result.Seconds} s per route; " +
                $"server peak RSS {result.PeakRssMb} MB; seeding took {result.SeedSeconds} s");
            foreach (var (route, run) in result.Routes())
            {
                output.WriteLine($"  {route,-6} {run.PerSecond,9:F1} req/s  p50 {run.P50Ms,8:F2} ms  p99 {run.P99Ms,8:F2} ms  " +
                    $"({run.Non2xx} not 2xx, {run.SocketErrors} socket errors or timeouts, of {run.Requests})");
            }

            // A route that completed no request in its run measured nothing: a failure too.
            return Print(parsed, result, result.Routes().All(r => r.Run is { Requests: > 0, Non2xx: 0, SocketErrors: 0 }));
        });
        return command;
    }

    private static Command TestClockCommand()
    {
        var instances = Number("--instances", "Instances of the one account (the issue asks 10,000).", 10_000);
        var days = Number("--days", "Days the clock advances in one call (at most 400).", 365);
        var accounts = Number("--accounts", "Accounts the instances are spread over (1: one account, as the issue asks).", 1);
        var batch = Number("--batch", "Instances per engine transaction.", 500);
        var writeEvery = Number("--write-every", "Events whose rows a batch holds before it sends them.", 1_000);
        var (db, postgres) = DatabaseChoice();
        var command = new Command("test-clock",
            "Seed one account on a test clock with N monthly auto-renew instances and time one advance of the clock by --days.")
        {
            instances, days, accounts, batch, writeEvery, db, postgres, Json,
        };
        command.SetAction(parsed =>
        {
            if (parsed.GetValue(instances) is < 1 or > 1_000_000 || parsed.GetValue(days) is < 1 or > 400
                || parsed.GetValue(batch) is < 1 or > 100_000 || parsed.GetValue(writeEvery) is < 1 or > 1_000_000
                || parsed.GetValue(accounts) < 1 || parsed.GetValue(accounts) > parsed.GetValue(instances))
            {
                parsed.InvocationConfiguration.Error.WriteLine(
                    "error: --instances 1..1000000, --accounts 1..instances, --days 1..400, --batch 1..100000, --write-every 1..1000000.");
                return Usage;
            }

            var onPostgres = parsed.GetValue(db) == "postgres";
            if (!CheckPostgres(parsed, onPostgres, postgres)) return Usage;
            var path = Path.Combine(Path.GetTempPath(), $"tenure-clock-{Guid.NewGuid():N}.db");
            var database = onPostgres ? Database.Postgres(parsed.GetValue(postgres)!) : Database.Sqlite(path);
            var seed = Stopwatch.StartNew();
            var clockId = TestClockYear.Seed(database, parsed.GetValue(instances), parsed.GetValue(accounts));
            var result = TestClockYear.Run(onPostgres ? "test-clock-postgres" : "test-clock-sqlite", database,
                parsed.GetValue(instances), parsed.GetValue(accounts), parsed.GetValue(days),
                (parsed.GetValue(batch), parsed.GetValue(writeEvery)), seed.Elapsed.TotalSeconds, clockId);
            var violations = Verifier.Check(database);
            if (!onPostgres) Database.DeleteSqliteFiles(path);
            var server = onPostgres ? $", server {result.ServerCpuSeconds} s" : string.Empty;
            var verdict = violations.Count == 0 ? "clean" : $"{violations.Count} violations: {string.Join("; ", violations.Take(3))}";
            parsed.InvocationConfiguration.Output.WriteLine(
                $"{result.Arm}: {result.Events} events of {result.Instances} instances in {result.Accounts} account(s) " +
                $"over {result.Days} days in {result.Seconds} s = {result.PerSecond} events/s; CPU: engine {result.EngineCpuSeconds} s" +
                $"{server}; peak RSS {result.PeakRssMb} MB; {result.AllocatedBytesPerEvent} bytes allocated per event, " +
                $"GC pauses {result.GcPauseSeconds} s; seeding took {result.SeedSeconds} s; verify: {verdict}");
            return Print(parsed, result, violations.Count == 0);
        });
        return command;
    }

    private static Command MicroCommand()
    {
        var filter = new Option<string[]>("--filter")
        {
            Description = "BenchmarkDotNet filter, e.g. '*Advance*' (default: all).", AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("micro",
            "BenchmarkDotNet micro benchmarks of the calendar and the domain decisions (in process, ShortRun; needs a Release build).")
        {
            filter, Json,
        };
        command.SetAction(parsed =>
        {
            var result = Micro.Run(parsed.GetValue(filter) is { Length: > 0 } f ? ["--filter", .. f] : []);
            foreach (var b in result.Benchmarks)
            {
                parsed.InvocationConfiguration.Output.WriteLine($"{b.Name}: {b.MeanNs} ns, {b.AllocatedBytes} B allocated");
            }

            return Print(parsed, result, result.Benchmarks.Count > 0);
        });
        return command;
    }

    private static Command ReportCommand()
    {
        var instances = Number("--instances", "Auto-renew instances, each with a year of monthly renewals.", 100_000);
        var calls = Number("--calls", "Timed reports of each span (the median is reported).", 5);
        var (db, postgres) = DatabaseChoice();
        var file = new Option<string?>("--file") { Description = "SQLite file to seed and keep (default: a temporary file, deleted)." };
        var seeded = new Option<bool>("--seeded") { Description = "The database already holds this seed: time the report only." };
        var command = new Command("report", "Seed N instances with a year of renewals (set-based) and time the renewal report (R8.9).")
        {
            instances, calls, db, postgres, file, seeded, Json,
        };
        command.SetAction(parsed =>
        {
            var count = parsed.GetValue(instances);
            if (count is < 10 or > 50_000_000 || parsed.GetValue(calls) is < 1 or > 1000)
            {
                parsed.InvocationConfiguration.Error.WriteLine("error: --instances 10..50000000, --calls 1..1000.");
                return Usage;
            }

            var onPostgres = parsed.GetValue(db) == "postgres";
            if (!CheckPostgres(parsed, onPostgres, postgres)) return Usage;
            var path = parsed.GetValue(file) ?? Path.Combine(Path.GetTempPath(), $"tenure-report-{Guid.NewGuid():N}.db");
            var database = onPostgres ? Database.Postgres(parsed.GetValue(postgres)!) : Database.Sqlite(path);
            var seed = Stopwatch.StartNew();
            if (parsed.GetValue(seeded)) database.Migrate();
            else ReportArm.Seed(database, count);
            var arm = onPostgres ? "report-postgres" : "report-sqlite";
            var result = ReportArm.Run(arm, database, count, parsed.GetValue(calls), seed.Elapsed.TotalSeconds);
            if (!onPostgres && parsed.GetValue(file) is null) Database.DeleteSqliteFiles(path);
            parsed.InvocationConfiguration.Output.WriteLine(
                $"{result.Arm}: {result.Instances} instances, {result.Orders} orders (seeded in {result.SeedSeconds} s); " +
                $"last month ({result.PastMonthDue} due, rate {result.RenewalRate}) {result.PastMonth}; " +
                $"this month ({result.CurrentMonthDue} due, {result.Upcoming} to come, {result.UpcomingCovered} covered, " +
                $"in {result.UpcomingGroups} groups) " +
                $"{result.CurrentMonth}; " +
                $"its reads: renewed {result.Renewed}, not renewed {result.Unrenewed}, to come {result.UpcomingRead}, " +
                $"covering {result.Covering}; " +
                $"median of {result.Calls}");
            return Print(parsed, result, result.PastMonthDue == count);
        });
        return command;
    }

    private static Option<int> Number(string name, string description, int byDefault) =>
        new(name) { Description = description, DefaultValueFactory = _ => byDefault };

    private static (Option<string> Db, Option<string?> Postgres) DatabaseChoice()
    {
        var db = new Option<string>("--db") { Description = "sqlite or postgres.", DefaultValueFactory = _ => "sqlite" };
        db.AcceptOnlyFromAmong("sqlite", "postgres");
        return (db, new Option<string?>("--postgres") 
        {
            Description = "PostgreSQL connection string of an empty database (with --db postgres).",
        });
    }

    private static bool CheckPostgres(ParseResult parsed, bool onPostgres, Option<string?> postgres)
    {
        if (!onPostgres || parsed.GetValue(postgres) is { Length: > 0 }) return true;
        const string Needed = "error: --db postgres needs --postgres \"<connection string>\" of an empty database.";
        parsed.InvocationConfiguration.Error.WriteLine(Needed);
        return false;
    }

    private static int Print<T>(ParseResult parsed, T result, bool ok)
    {
        if (parsed.GetValue(Json))
        {
            parsed.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(result, JsonSerializerOptions.Web));
        }
        return ok ? Ok : Failed;
    }
}
