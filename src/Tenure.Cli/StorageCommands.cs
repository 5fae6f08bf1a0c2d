using System.CommandLine;
using NodaTime;
using NodaTime.Text;
using Tenure.Engine.Clocks;
using Tenure.Engine.Lifecycle;
using Tenure.Storage;

namespace Tenure.Cli;

/// <summary><c>tenure migrate</c>, <c>tenure verify</c> and <c>tenure engine</c>: commands on a database.</summary>
public static class StorageCommands
{
    public static Command Migrate()
    {
        var database = new DatabaseOptions();
        var command = new Command("migrate", "Create or upgrade the database schema.");
        database.AddTo(command);
        command.SetAction(parsed =>
        {
            database.Open(parsed).Migrate();
            parsed.InvocationConfiguration.Output.WriteLine("The database is up to date.");
            return ExitCodes.Ok;
        });
        return command;
    }

    public static Command Verify()
    {
        var database = new DatabaseOptions();
        var command = new Command("verify",
            "Check a whole database: balances against the ledger, one order per instance, cycle and kind, " +
            "no charge after release, a next event for every unreleased subscription instance, unique outbox keys, " +
            "and every account's monthly statements (in the billing zone) adding up to its balance. " +
            "Exit codes: 0 no violations, 1 violations found (each is printed), 2 bad arguments, " +
            "4 no database to check (the SQLite file does not exist, the schema is not migrated, or the server is not reachable).");
        database.AddTo(command);
        command.SetAction(parsed =>
        {
            var error = parsed.InvocationConfiguration.Error;

            // Opening a SQLite file that is not there would create an empty one and then fail on its first table.
            if (database.MissingSqliteFile(parsed) is { } missing)
            {
                error.WriteLine($"error: the database file '{missing}' does not exist; nothing was created (tenure migrate creates it).");
                return ExitCodes.NoDatabase;
            }

            var db = database.Open(parsed);
            try
            {
                if (!db.IsMigrated())
                {
                    error.WriteLine("error: the database schema is not up to date; run tenure migrate first.");
                    return ExitCodes.NoDatabase;
                }
            }
            catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException)
            {
                error.WriteLine($"error: the database is not reachable: {e.Message}");
                return ExitCodes.NoDatabase;
            }

            if (Settings.Rules(error) is not { } rules) return ExitCodes.Usage;
            var violations = Verifier.Check(db, rules.Calendar);
            foreach (var violation in violations) parsed.InvocationConfiguration.Output.WriteLine(violation);
            parsed.InvocationConfiguration.Output.WriteLine(
                violations.Count == 0 ? "verify: no violations." : $"verify: {violations.Count} violation(s).");
            return violations.Count == 0 ? ExitCodes.Ok : ExitCodes.Refused;
        });
        return command;
    }

    /// <summary><c>tenure engine</c>: runs the lifecycle engine for one clock until nothing is due, then exits.</summary>
    public static Command Engine(IClock clock)
    {
        var database = new DatabaseOptions();
        var clockId = new Option<string>("--clock")
        {
            Description = "Clock to run: 'system' or a test clock ID.",
            DefaultValueFactory = _ => Session.SystemClock,
        };
        var until = new Option<string?>("--until")
        {
            Description = "Run events due up to this UTC instant (e.g. 2019-03-27T00:00:00Z); default: now.",
        };
        var batch = new Option<int>("--batch") { Description = "Instances per transaction.", DefaultValueFactory = _ => 500 };
        var retryFor = new Option<int>("--retry-for")
        {
            Description = "Seconds to keep retrying a batch while the database is unreachable or not yet the primary (a failover); "
                + "0: fail at once.",
            DefaultValueFactory = _ => 60,
        };
        var command = new Command("engine", "Run the lifecycle engine once: every event due up to --until, in batches, then exit.")
        {
            clockId, until, batch, retryFor,
        };
        database.AddTo(command);
        command.SetAction(parsed =>
        {
            var at = clock.GetCurrentInstant();
            if (parsed.GetValue(until) is { } text)
            {
                var parsedAt = InstantPattern.ExtendedIso.Parse(text);
                if (!parsedAt.Success)
                {
                    parsed.InvocationConfiguration.Error.WriteLine(
                        $"error: --until '{text}' is not a UTC instant like 2019-03-27T00:00:00Z.");
                    return ExitCodes.Usage;
                }

                at = parsedAt.Value;
            }

            if (parsed.GetValue(batch) is < 1 or > 100_000)
            {
                parsed.InvocationConfiguration.Error.WriteLine("error: --batch must be between 1 and 100000.");
                return ExitCodes.Usage;
            }

            if (parsed.GetValue(retryFor) is < 0 or > 86_400)
            {
                parsed.InvocationConfiguration.Error.WriteLine("error: --retry-for must be between 0 and 86400 seconds.");
                return ExitCodes.Usage;
            }

            if (Settings.Rules(parsed.InvocationConfiguration.Error) is not { } rules) return ExitCodes.Usage;
            var db = database.Open(parsed);
            var engine = new LifecycleEngine(db, rules, parsed.GetValue(batch));
            var id = parsed.GetValue(clockId)!;
            int ran;
            if (id == Session.SystemClock)
            {
                if (at > clock.GetCurrentInstant())
                {
                    parsed.InvocationConfiguration.Error.WriteLine(
                        "error: the system clock cannot run events of the future; use a test clock to look ahead.");
                    return ExitCodes.Usage;
                }

                var error = parsed.InvocationConfiguration.Error;
                ran = engine.RunAllDue(id, at, TimeSpan.FromSeconds(parsed.GetValue(retryFor)),
                    (e, pause) => error.WriteLine($"engine: a batch failed and rolled back ({e.GetType().Name}: {e.Message}); "
                        + $"retrying in {pause.TotalSeconds:0.0} s."));
            }
            else
            {
                // A test clock moves with its events, exactly as POST /v1/test-clocks/{id}/advance does.
                var advanced = new TestClocks(db, engine).Advance(id, at);
                if (advanced.Refusal is { } refusal)
                {
                    parsed.InvocationConfiguration.Error.WriteLine($"error: {refusal.ApiCode}: {refusal.Detail}");
                    return ExitCodes.Usage;
                }

                ran = advanced.Value.EventsProcessed;
            }

            parsed.InvocationConfiguration.Output.WriteLine($"engine: {ran} event(s) ran up to {at}.");
            return ExitCodes.Ok;
        });
        return command;
    }
}
