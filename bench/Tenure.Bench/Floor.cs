using System.Diagnostics;
using NodaTime;
using Tenure.Domain;
using Tenure.Storage;

namespace Tenure.Bench;

/// <summary>
/// The floor: the same rows as the engine's T-3 wave (orders, items, ledger, balances, new
/// expiries and due pointers, timeline events, notices and their outbox rows), written by
/// set-based SQL with no per-instance logic. All instances expire together, so the new expiry
/// and next due time are constants here; the engine computes them per instance. The rows carry the
/// engine's text, of its length: the report's keys on an item, the timeline's words and a notice's facts
/// (before 2026-12-03 they were left empty; docs/benchmarks.md). A notice's outbox row has no payload, as the engine's.
/// </summary>
public static class Floor
{
    /// <summary>The facts every notice of the wave begins with, as NoticeJson writes them (without the closing brace).</summary>
    private const string Facts = """{"product":"ecs","spec":"ecs.small","renewalMode":"auto","autoRenewMonths":1""";

    private const string FailedFacts = ""","expiresAt":"2019-03-29T16:00:00Z","attemptOffset":-3,"lastAttempt":false,""" +
        "\"nextAttemptAt\":\"2019-03-29T00:00:00Z\",\"amount\":1000,\"shortfall\":999,\"currency\":\"USD\"}";

    private const string AheadCycles = """[{"start":"2019-03-29T16:00:00Z","expiry":"2019-04-29T16:00:00Z","cash":1000,"method":0}]""";

    private const string RenewedDetail = "auto-renewed 1 month(s) at T-3; expires 2019-04-30 00:00";

    private const string FailedDetail = "Auto-renewal attempt at T-3 failed: insufficient funds. The charge of 10.00 USD exceeds " +
        "coupons and balance (0.01 USD): 9.99 USD short.";

    public static BenchResult Run(string arm, Database database, int instances, double seedSeconds)
    {
        var rules = Rules.Default;
        var expiry = rules.Calendar.At(new LocalDate(2019, 3, 30), LocalTime.Midnight);
        var newExpiry = rules.Calendar.Extend(expiry, 1).ToUnixTimeTicks();
        var nextDue = rules.Calendar.At(new LocalDate(2019, 4, 23), new LocalTime(8, 0)).ToUnixTimeTicks(); // the new cycle's T-7 reminder
        var at = RenewalDay.Wave.ToUnixTimeTicks();
        var (engineCpu, serverCpu) = (CpuTime.Engine(), CpuTime.Postgres());
        var watch = Stopwatch.StartNew();
        using (var session = database.Begin())
        {
            // Which instances the balances cover: per account, the earliest expiring first (R4.8), 1000 each. Each row carries the
            // text the engine writes for it: its order's ID, its notice's key, kind and facts (NoticeJson's shape and length).
            session.Execute("CREATE TEMPORARY TABLE floor_wave AS SELECT id, account_id, paid, 'o-floor-' || id AS order_id, " +
                "id || CASE paid WHEN 1 THEN ':Renewed:2019-04-29T16:00:00Z:0' ELSE ':AutoRenewFailed:2019-03-29T16:00:00Z:-3' END " +
                "AS notice_key, CASE paid WHEN 1 THEN 'renewed' ELSE 'autoRenewFailed' END AS kind, " +
                "CASE paid WHEN 1 THEN '" + Facts + ",\"expiresAt\":\"2019-04-29T16:00:00Z\",\"orderId\":\"o-floor-' || id || '\"}' " +
                "ELSE '" + Facts + FailedFacts + "' END AS data FROM (SELECT i.id, i.account_id, " +
                "CASE WHEN ROW_NUMBER() OVER (PARTITION BY i.account_id ORDER BY i.expires_at, i.id) * 1000 <= a.balance " +
                "THEN 1 ELSE 0 END AS paid " +
                "FROM instances i JOIN accounts a ON a.id = i.account_id WHERE i.clock_id = @clock AND i.next_due_at <= @at) AS w",
                new { clock = RenewalDay.Clock, at });
            session.Execute("CREATE INDEX floor_wave_id ON floor_wave (id)");
            session.Execute("INSERT INTO orders (id, account_id, kind, total, paid_by_coupons, paid_by_balance, paid_by_method, at) " +
                "SELECT order_id, account_id, 'Renewal', 1000, 0, 1000, 0, @at FROM floor_wave WHERE paid = 1", new { at });
            session.Execute("INSERT INTO order_items (order_id, instance_id, period_start, kind, amount, new_expires_at, renews_expiry, " +
                "attempt_day, clock_id, product) " +
                "SELECT order_id, id, @expiry, 'Renewal', 1000, @newExpiry, @expiry, -3, @clock, 'ecs' FROM floor_wave WHERE paid = 1",
                new { expiry = expiry.ToUnixTimeTicks(), newExpiry, clock = RenewalDay.Clock });
            session.Execute("INSERT INTO ledger (account_id, at, kind, amount, instance_id, coupon_id, order_id, memo) " +
                "SELECT account_id, @at, 'Charge', -1000, id, NULL, order_id, 'auto-renewal of 1 month(s)' " +
                "FROM floor_wave WHERE paid = 1",
                new { at });
            session.Execute("UPDATE accounts SET balance = accounts.balance - 1000 * w.n " +
                "FROM (SELECT account_id, COUNT(*) AS n FROM floor_wave WHERE paid = 1 GROUP BY account_id) AS w " +
                "WHERE accounts.id = w.account_id");
            session.Execute("UPDATE instances SET expires_at = @newExpiry, ahead_cycles = @ahead, next_due_at = @nextDue, " +
                "next_due_kind = 'Reminder', progress_at = @at, progress_rank = 3 WHERE id IN (SELECT id FROM floor_wave WHERE paid = 1)",
                new { newExpiry, nextDue, at, ahead = AheadCycles });
            session.Execute("UPDATE instances SET next_due_at = @retry, progress_at = @at, progress_rank = 3 " +
                "WHERE id IN (SELECT id FROM floor_wave WHERE paid = 0)",
                new { retry = rules.Calendar.At(new LocalDate(2019, 3, 29), new LocalTime(8, 0)).ToUnixTimeTicks(), at });
            session.Execute("INSERT INTO timeline_events (instance_id, at, kind, detail) " +
                "SELECT id, @at, kind, CASE paid WHEN 1 THEN @renewed ELSE @failed END FROM floor_wave",
                new { at, renewed = RenewedDetail, failed = FailedDetail });
            session.Execute("INSERT INTO notices (dedupe_key, account_id, instance_id, at, kind, subject, data) " +
                "SELECT notice_key, account_id, id, @at, kind, '', data FROM floor_wave", new { at });
            session.Execute(
                "INSERT INTO outbox (dedupe_key, channel, account_id, instance_id, at, payload, status, attempts, next_attempt_at) " +
                "SELECT notice_key || ':email', 'email', account_id, id, @at, NULL, 'pending', 0, 0 FROM floor_wave", new { at });
            session.Execute("DROP TABLE floor_wave");
            session.Commit();
        }

        var seconds = watch.Elapsed.TotalSeconds;
        var (engineCpuAfter, serverCpuAfter) = (CpuTime.Engine(), CpuTime.Postgres());
        var (renewed, failed) = RenewalDay.Outcomes(database);
        return new BenchResult(arm, instances, Math.Round(seconds, 2), Math.Round(instances / seconds), Math.Round(seconds, 3),
            Math.Round(seconds, 3), RenewalDay.PeakRssMb(), Math.Round(seedSeconds, 2), renewed, failed,
            EngineCpuSeconds: Math.Round(engineCpuAfter - engineCpu, 2),
            ServerCpuSeconds: database.Dialect == Dialect.Postgres ? Math.Round(serverCpuAfter - serverCpu, 2) : null);
    }
}
