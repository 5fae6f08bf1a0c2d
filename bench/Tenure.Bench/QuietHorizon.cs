using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Purchases;
using Tenure.Engine.Lifecycle;
using Tenure.Storage;

namespace Tenure.Bench;

/// <summary>
/// What the quiet horizon measured: the idle engine's statements and commits per second
/// (PostgreSQL; <see cref="PerSecond"/> is statements per second, or commits per second without
/// pg_stat_statements) and the claim query's latency with nothing due against the full table.
/// </summary>
public sealed record QuietHorizonResult(
    string Arm, int Instances, double Seconds, double? PerSecond, double PeakRssMb, double SeedSeconds, bool StatStatementsLoaded,
    double? StatementsPerSecond, double? CommitsPerSecond, int ClaimCalls, double ClaimP50Ms, double ClaimP99Ms, double NextDueP50Ms,
    double NextDueP99Ms);

/// <summary>
/// The quiet horizon: N instances on the system clock whose expiries are spread over a year, so
/// nothing is due; the engine service runs idle as <c>tenure serve</c> runs it, and the database
/// work it causes is counted.
/// </summary>
public static class QuietHorizon
{
    private const long TicksPerDay = 864_000_000_000;
    private const int Chunk = 1_000_000;

    /// <summary>
    /// One instance bought at <paramref name="now"/> through the domain, then copied set-based,
    /// a million rows per statement, with every instant shifted by up to a year (ten per account).
    /// </summary>
    public static void Seed(Database database, int instances, Instant now)
    {
        database.Migrate();
        var rules = Rules.Default;
        var request = new PurchaseRequest(
            new InstanceId("q-0"), "ecs", "cn-hangzhou", null, "ecs.small", ChargeType.Subscription, 1, AutoRenew: true);
        var template = Purchase.Buy(rules, new Account(new AccountId("q-0"), "USD", 1_000_000, []), request, now).Value;
        using (var session = database.Begin())
        {
            session.InsertAccount(new AccountRow
            {
                Id = "q-0", Name = "q-0", Email = "q-0@example.com", Currency = "USD", ClockId = Session.SystemClock,
                CreatedAt = now.ToUnixTimeTicks(),
            });
            session.SaveInstance(template.Instance, template.NextDue[0], Session.SystemClock);
            session.Commit();
        }

        for (var from = 1; from < instances; from += Chunk)
        {
            var range = new { from, to = Math.Min(instances - 1, from + Chunk - 1) };
            using var session = database.Begin();
            session.Execute("INSERT INTO accounts (id, name, email, phone, currency, balance, no_stop_on_expiry, negative_since, " +
                "webhook_url, webhook_secret, clock_id, created_at) " +
                "SELECT 'q-' || s.g, name, email, phone, currency, balance, no_stop_on_expiry, negative_since, " +
                $"webhook_url, webhook_secret, clock_id, created_at FROM accounts, {Series(database)} " +
                "WHERE id = 'q-0' AND s.g % 10 = 0", range);
            CopyInstances(session, database, "q-0", "'q-' || ((s.g / 10) * 10)", range.from, range.to);
            session.Commit();
        }

        if (database.Dialect == Dialect.Postgres)
        {
            using var session = database.Begin();
            session.Execute("ANALYZE instances");
            session.Commit();
        }
    }

    /// <summary>
    /// Copies instance <paramref name="templateId"/> as <c>templateId-g</c> for g in [from, to], in
    /// the account <paramref name="accountSql"/> (SQL over the series value <c>s.g</c>), with every
    /// instant shifted by up to a year: the g-th copy by g mod 365 days plus a part of a day.
    /// </summary>
    public static void CopyInstances(Session session, Database database, string templateId, string accountSql, int from, int to)
    {
        // 64-bit: s.g is a 32-bit integer on PostgreSQL.
        var shift = $"((s.g % 365) * {TicksPerDay} + ((s.g / 365) % 86400) * CAST(10000000 AS BIGINT))";
        session.Execute("INSERT INTO instances (id, account_id, clock_id, product, region, edition, spec, charge_type, status, " +
            "created_at, expires_at, mode, auto_renew_months, " +
            "post_expiration_action, post_release_action, pending_change, components, cycle_start, cycle_cash, stopped_at, stop_cause, " +
            "released_at, payg_billed_through, progress_at, progress_rank, alarms, next_due_at, next_due_kind, terms_digest) " +
            $"SELECT id || '-' || s.g, {accountSql}, clock_id, product, region, edition, spec, charge_type, status, " +
            $"created_at + {shift}, expires_at + {shift}, mode, auto_renew_months, " +
            $"post_expiration_action, post_release_action, pending_change, components, cycle_start + {shift}, cycle_cash, stopped_at, " +
            $"stop_cause, released_at, payg_billed_through, progress_at + {shift}, progress_rank, alarms, next_due_at + {shift}, " +
            $"next_due_kind, terms_digest FROM instances, {Series(database)} WHERE id = @templateId",
            new { templateId, from, to });
    }

    private static string Series(Database database) => database.Dialect == Dialect.Postgres
        ? "generate_series(@from, @to) AS s (g)"
        : "(WITH RECURSIVE s (g) AS (SELECT @from UNION ALL SELECT g + 1 FROM s WHERE g < @to) SELECT g FROM s) AS s";

    /// <summary>
    /// Runs the engine service idle for <paramref name="idle"/> (PostgreSQL),
    /// then times <paramref name="calls"/> claims and next-due queries.
    /// </summary>
    public static QuietHorizonResult Run(
        string arm, Database database, int instances, IClock clock, TimeSpan idle, int calls, double seedSeconds)
    {
        double? statementsPerSecond = null, commitsPerSecond = null;
        var statStatements = false;
        var idleSeconds = 0.0;
        if (database.Dialect == Dialect.Postgres)
        {
            statStatements = PgStats.StatementsAvailable(database.ConnectionString);
            var before = PgStats.Read(database.ConnectionString, statStatements);
            var watch = Stopwatch.StartNew();
            var engine = new LifecycleEngine(database, Rules.Default);
            using (var service = new EngineService(engine, database, clock, TimeSpan.FromSeconds(1), NullLogger<EngineService>.Instance))
            {
                service.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
                Thread.Sleep(idle);
                service.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
            }

            idleSeconds = watch.Elapsed.TotalSeconds;
            var delta = PgStats.Read(database.ConnectionString, statStatements).Minus(before);
            statementsPerSecond = delta.Statements is { } s ? Math.Round(s / idleSeconds, 2) : null;
            commitsPerSecond = Math.Round(delta.Commits / idleSeconds, 2);
        }

        var claim = new List<double>();
        var nextDue = new List<double>();
        for (var i = 0; i < calls; i++)
        {
            using var session = database.BeginRead();
            var watch = Stopwatch.StartNew();
            var (claimed, _) = session.ClaimDue(Session.SystemClock, clock.GetCurrentInstant(), 1000);
            claim.Add(watch.Elapsed.TotalMilliseconds);
            if (claimed.Count > 0) throw new InvalidOperationException("The quiet horizon has due instances: seed a fresh database.");
            session.Commit();
            watch.Restart();
            database.NextDue(Session.SystemClock); // as the idle engine asks it: outside a transaction
            nextDue.Add(watch.Elapsed.TotalMilliseconds);
        }

        return new QuietHorizonResult(arm, instances, Math.Round(idleSeconds, 2), statementsPerSecond ?? commitsPerSecond,
            RenewalDay.PeakRssMb(), Math.Round(seedSeconds, 2), statStatements, statementsPerSecond, commitsPerSecond, calls,
            Quantile(claim, 0.50), Quantile(claim, 0.99), Quantile(nextDue, 0.50), Quantile(nextDue, 0.99));
    }

    private static double Quantile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return Math.Round(sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))], 3);
    }
}
