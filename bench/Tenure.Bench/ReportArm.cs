using System.Data.Common;
using System.Diagnostics;
using Dapper;
using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Purchases;
using Tenure.Domain.Renewals;
using Tenure.Storage;

namespace Tenure.Bench;

/// <summary>
/// One measured call: the median of its wall time, the CPU time of this process, and that of the PostgreSQL backend that served it
/// (0 on SQLite, which runs in this process), in milliseconds.
/// </summary>
public sealed record ReportTiming(double WallMs, double CpuMs, double ServerCpuMs);

/// <summary>
/// What the report arm measured: the report of the last whole month, and of this month with what is still to come, and
/// this month's three reads alone (renewals per attempt day, cycles not renewed, the renewals to come grouped per account and
/// terms, <see cref="UpcomingGroups"/> the number of groups), and the domain's covering of what that read gave.
/// </summary>
public sealed record ReportResult(
    string Arm, int Instances, long Orders, double SeedSeconds, ReportTiming PastMonth, long PastMonthDue, double RenewalRate,
    ReportTiming CurrentMonth, long CurrentMonthDue, long Upcoming, long UpcomingCovered, long UpcomingAmount, int UpcomingGroups,
    ReportTiming Renewed, ReportTiming Unrenewed, ReportTiming UpcomingRead, ReportTiming Covering, int Calls);

/// <summary>
/// R8.9 at scale: N auto-renew ECS instances (ten per account) with a year of monthly renewals — an order, its item and a
/// timeline line per renewal, paid at the attempt days the way a retried auto-renewal spreads over them, some by hand —
/// written set-based; then the renewal report is timed as the operator's route runs it.
/// </summary>
public static class ReportArm
{
    public const string Clock = "bench-report";

    private const long TicksPerDay = 864_000_000_000;
    private const long TicksPerHour = 36_000_000_000;

    /// <summary>The bench's now: halfway through December 2019, the twelfth month of history.</summary>
    public static readonly Instant Now = Rules.Default.Calendar.At(new LocalDate(2019, 12, 16), LocalTime.Midnight);

    /// <summary>
    /// Instance g expires on day g mod 28 of every month of 2019 and was renewed each month: by the attempt of day
    /// (T-3 for 85 of 100, T-1 5, T 1, T+6 3, T+14 1; 5 by hand, two days ahead), the bucket of (g + month) mod 100.
    /// In December, of the instances whose expiry has passed, one in 50 was not renewed (stopped or released); the
    /// rest of December is still to come.
    /// </summary>
    public static void Seed(Database database, int instances)
    {
        database.Migrate();
        var rules = Rules.Default;
        var bought = rules.Calendar.At(new LocalDate(2018, 12, 1), new LocalTime(10, 0));
        var template = Purchase.Buy(rules, new Account(new AccountId("ra-0"), "USD", 1_000_000, []),
            new PurchaseRequest(new InstanceId("r"), "ecs", "cn-hangzhou", null, "ecs.small", ChargeType.Subscription, 1, AutoRenew: true),
            bought).Value;
        using (var session = database.Begin())
        {
            session.InsertTestClock(new TestClock(Clock, Now), Now);
            session.InsertAccount(new AccountRow
            {
                Id = "ra-0", Name = "ra-0", Email = "ra-0@example.com", Currency = "USD", ClockId = Clock,
                CreatedAt = bought.ToUnixTimeTicks(),
            });
            session.SaveInstance(template.Instance, template.NextDue[0], Clock);
            session.Commit();
        }

        // The bulk load on a connection of its own, set up for loading (never the product's settings): no foreign key checks,
        // no fsync, a page cache that holds a month, and the secondary indexes dropped while it runs and built once after it.
        using var connection = database.Open();
        var postgres = database.Dialect == Dialect.Postgres;
        connection.Execute(postgres
            ? "SET session_replication_role = replica; SET synchronous_commit = off; SET maintenance_work_mem = '1GB'"
            : "PRAGMA foreign_keys = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -2000000");
        var indexes = DropIndexes(connection, postgres);
        var timed = Stopwatch.StartNew();
        for (var from = 0; from < instances; from += 1_000_000)
        {
            var range = new { from, to = Math.Min(instances, from + 1_000_000) - 1 };
            var transaction = connection.BeginTransaction();
            connection.Execute("INSERT INTO accounts (id, name, email, currency, balance, no_stop_on_expiry, clock_id, created_at) " +
                $"SELECT 'ra-' || (s.g / 10), 'ra-' || (s.g / 10), 'r@example.com', 'USD', (s.g % 3) * 3000, 0, '{Clock}', 0 " +
                $"FROM {Series(database)} " +
                "WHERE s.g % 10 = 0 AND s.g > 0", range, transaction);
            var december = rules.Calendar.StartOf(new LocalDate(2019, 12, 1)).ToUnixTimeTicks();
            var january = rules.Calendar.StartOf(new LocalDate(2020, 1, 1)).ToUnixTimeTicks();
            var day = $"((s.g % 28) * {TicksPerDay})";
            var passed = $"({december} + {day} < {Now.ToUnixTimeTicks()})";
            var lapsed = $"({passed} AND s.g % 50 = 49)";
            connection.Execute("INSERT INTO instances (id, account_id, clock_id, product, region, edition, spec, charge_type, status, " +
                "created_at, expires_at, mode, auto_renew_months, post_expiration_action, post_release_action, pending_change, " +
                "components, cycle_start, cycle_cash, stopped_at, stop_cause, " +
                "released_at, payg_billed_through, progress_at, progress_rank, alarms, next_due_at, next_due_kind, terms_digest) " +
                $"SELECT 'r-' || s.g, 'ra-' || (s.g / 10), clock_id, product, region, edition, spec, charge_type, " +
                $"CASE WHEN {lapsed} THEN (CASE WHEN s.g % 100 = 49 THEN 'Stopped' ELSE 'Released' END) ELSE 'Running' END, created_at, " +
                $"CASE WHEN {passed} AND NOT {lapsed} THEN {january} + {day} ELSE {december} + {day} END, mode, auto_renew_months, " +
                "post_expiration_action, post_release_action, pending_change, components, cycle_start, cycle_cash, stopped_at, " +
                "stop_cause, released_at, payg_billed_through, progress_at, progress_rank, alarms, NULL, NULL, terms_digest " +
                $"FROM instances, {Series(database)} WHERE id = 'r'", range, transaction);
            for (var month = 1; month <= 12; month++)
            {
                // A transaction a month: SQLite's WAL then stays the size of a month's rows.
                transaction.Commit();
                transaction.Dispose();
                Console.Error.WriteLine($"report seed: rows {range.from}.., month {month}, {timed.Elapsed.TotalSeconds:F0} s");
                transaction = connection.BeginTransaction();
                var start = rules.Calendar.StartOf(new LocalDate(2019, month, 1)).ToUnixTimeTicks();
                var next = rules.Calendar.StartOf(new LocalDate(2019, month, 1).PlusMonths(1)).ToUnixTimeTicks();
                var bucket = $"((s.g + {month}) % 100)";
                var attempt = $"CASE WHEN {bucket} < 85 THEN -3 WHEN {bucket} < 90 THEN -1 WHEN {bucket} < 91 THEN 0 " +
                    $"WHEN {bucket} < 94 THEN 6 " +
                    $"WHEN {bucket} < 95 THEN 14 ELSE NULL END";
                var at = $"({start} + {day} + " +
                    $"COALESCE({attempt} * {TicksPerDay} + 8 * {TicksPerHour}, -2 * {TicksPerDay} + 10 * {TicksPerHour}))";
                var renewed = month < 12 ? "1 = 1" : $"{passed} AND NOT {lapsed}";
                var where = $"FROM {Series(database)} WHERE {renewed}";
                var id = $"'o-{month}-' || s.g";
                connection.Execute("INSERT INTO orders (id, account_id, kind, total, paid_by_coupons, paid_by_balance, at) " +
                    $"SELECT {id}, 'ra-' || (s.g / 10), 'Renewal', 1000, 0, 1000, {at} {where}", range, transaction);
                connection.Execute(
                    "INSERT INTO order_items (order_id, instance_id, period_start, kind, amount, new_expires_at, renews_expiry, " +
                    "attempt_day, clock_id, product) " +
                    $"SELECT {id}, 'r-' || s.g, {start} + {day}, 'Renewal', 1000, {next} + {day}, {start} + {day}, {attempt}, " +
                    $"'{Clock}', 'ecs' {where}",
                    range, transaction);
                connection.Execute("INSERT INTO timeline_events (instance_id, at, kind, detail) " +
                    $"SELECT 'r-' || s.g, {at}, 'renewed', 'auto-renewed 1 month(s)' {where}", range, transaction);
            }

            transaction.Commit();
            transaction.Dispose();
        }

        connection.Execute("DELETE FROM instances WHERE id = 'r'");
        foreach (var (name, sql) in indexes)
        {
            Console.Error.WriteLine($"report seed: index {name}, {timed.Elapsed.TotalSeconds:F0} s");
            connection.Execute(sql, commandTimeout: 0);
        }

        // Back to the product's settings before the pool hands the connection on; PostgreSQL's autovacuum would have vacuumed
        // and analyzed tables this size (index-only scans need the visibility map), so the bench does it now.
        connection.Execute(postgres ? "RESET ALL" : "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA cache_size = -2000");
        // One statement each: VACUUM runs outside a transaction, which a batch of statements is.
        if (postgres)
        {
            foreach (var table in new[] { "instances", "order_items" }) connection.Execute($"VACUUM ANALYZE {table}", commandTimeout: 0);
        }
    }

    /// <summary>
    /// Drops the secondary indexes of the tables the seed fills (not those behind a primary key or constraint), and returns the
    /// statements that build them again.
    /// </summary>
    private static List<(string Name, string Sql)> DropIndexes(DbConnection connection, bool postgres)
    {
        const string Tables = "('instances', 'orders', 'order_items', 'timeline_events')";
        var indexes = connection.Query<(string Name, string Sql)>(postgres
            ? $"SELECT indexname, indexdef FROM pg_indexes i WHERE tablename IN {Tables} " +
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
            : $"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN {Tables}").ToList();
        foreach (var (name, _) in indexes) connection.Execute($"DROP INDEX {name}");
        return indexes;
    }

    /// <summary>
    /// Times <paramref name="calls"/> reports of November (all due, nothing to come) and of December (half due, half to come).
    /// </summary>
    public static ReportResult Run(string arm, Database database, int instances, int calls, double seedSeconds)
    {
        var rules = Rules.Default;
        var past = RenewalReports.Span(rules, new LocalDate(2019, 11, 1), new LocalDate(2019, 12, 1), Now).Value;
        var current = RenewalReports.Span(rules, new LocalDate(2019, 12, 1), new LocalDate(2020, 1, 1), Now).Value;
        // One call in a read unit of work, as the route runs it, with the CPU seconds of its PostgreSQL backend.
        (T Value, double ServerCpu) Call<T>(Func<Session, T> run)
        {
            using var session = database.BeginRead();
            var backend = database.Dialect == Dialect.Postgres ? session.Single<int>("SELECT pg_backend_pid()") : 0;
            var before = CpuTime.Process(backend);
            var value = run(session);
            var server = backend == 0 ? 0 : CpuTime.Process(backend) - before;
            session.Commit();
            return (value, server);
        }

        Call(s => s.RenewalReport(rules, Clock, null, past, Now)); // warms the page cache, as an operator's second look finds it
        var pastMonth = Median(calls, () => Call(s => s.RenewalReport(rules, Clock, null, past, Now)));
        var currentMonth = Median(calls, () => Call(s => s.RenewalReport(rules, Clock, null, current, Now)));
        // Where December's time goes: its three reads alone (the rest is reading the accounts and the domain's decision).
        var renewed = Median(calls, () => Call(s => s.RenewedCycles(Clock, null, current.DueFrom, current.DueTo)));
        var unrenewed = Median(calls, () => Call(s => s.UnrenewedCycles(Clock, null, current.DueFrom, current.DueTo)));
        var upcoming = Median(calls, () => Call(s => s.UpcomingGroups(Clock, null, current.UpcomingFrom, current.UpcomingTo)));
        // And the domain's part alone: covering what that read gave (and the accounts read one by one, none in this seed).
        var (terms, groups, accounts) = upcoming.Last;
        var (each, _) = Call(s => s.UpcomingAutoRenewals(Clock, null, current.UpcomingFrom, current.UpcomingTo, terms,
            RenewalReports.ReadOneByOne(rules, terms, groups)));
        var covering = Median(calls, () => (RenewalReports.Of(rules, current, null, [], [], terms, each, accounts, Now, groups), 0.0));
        var (orders, _) = Call(s => s.Single<long>("SELECT COUNT(*) FROM orders"));
        return new ReportResult(arm, instances, orders, Math.Round(seedSeconds, 1), pastMonth.Timing, pastMonth.Last.Due,
            pastMonth.Last.RenewalRate, currentMonth.Timing, currentMonth.Last.Due, currentMonth.Last.Upcoming.Sum(u => u.Count),
            currentMonth.Last.Upcoming.Sum(u => u.Covered), currentMonth.Last.Upcoming.Sum(u => u.Amount),
            upcoming.Last.Groups.Count, renewed.Timing, unrenewed.Timing, upcoming.Timing, covering.Timing, calls);
    }

    /// <summary>The median wall time, process CPU and server CPU of <paramref name="calls"/> runs, each taken on its own.</summary>
    private static (ReportTiming Timing, T Last) Median<T>(int calls, Func<(T Value, double ServerCpu)> run)
    {
        var (wall, cpu, server) = (new List<double>(), new List<double>(), new List<double>());
        T last = default!;
        for (var i = 0; i < calls; i++)
        {
            var before = CpuTime.Engine();
            var watch = Stopwatch.StartNew();
            (last, var serverCpu) = run();
            wall.Add(watch.Elapsed.TotalMilliseconds);
            cpu.Add((CpuTime.Engine() - before) * 1000);
            server.Add(serverCpu * 1000);
        }

        static double Mid(List<double> values) => Math.Round(values.Order().ElementAt(values.Count / 2), 1);
        return (new ReportTiming(Mid(wall), Mid(cpu), Mid(server)), last);
    }

    private static string Series(Database database) => database.Dialect == Dialect.Postgres
        ? "generate_series(@from, @to) AS s (g)"
        : "(WITH RECURSIVE s (g) AS (SELECT @from UNION ALL SELECT g + 1 FROM s WHERE g < @to) SELECT g FROM s) AS s";
}
