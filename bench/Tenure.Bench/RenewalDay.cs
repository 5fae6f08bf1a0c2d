using System.Diagnostics;
using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.Purchases;
using Tenure.Engine.Lifecycle;
using Tenure.Storage;

namespace Tenure.Bench;

/// <summary>What one arm of a benchmark measured.</summary>
/// <remarks>
/// On PostgreSQL the run's committed transactions and statements (pg_stat_statements) per instance; null elsewhere or when not measured.
/// </remarks>
public sealed record BenchResult(
    string Arm, int Instances, double Seconds, double PerSecond, double P50LatenessSeconds, double P99LatenessSeconds, double PeakRssMb,
    double SeedSeconds, int Renewed, int Failed, double? CommitsPerInstance = null, double? StatementsPerInstance = null,
    double? EngineCpuSeconds = null, double? ServerCpuSeconds = null);

/// <summary>
/// Renewal day: N instances on 1-month auto-renewal all expiring on 2019-03-30, in accounts of ten
/// whose balances cover nine renewals each (10 % fail); the engine then runs the T-3 08:00 wave
/// to completion: a charge, ledger rows, an order, a new expiry, the next due pointer, a timeline
/// event and a notice in the outbox per instance.
/// </summary>
public static class RenewalDay
{
    public const int PerAccount = 10;
    public const string Clock = "bench";

    public static readonly Instant Wave = Rules.Default.Calendar.At(new LocalDate(2019, 3, 27), new LocalTime(8, 0));

    /// <summary>Creates the schema and the instances, in chunks of 10,000 per transaction.</summary>
    public static void Seed(Database database, int instances)
    {
        database.Migrate();
        var rules = Rules.Default;
        var template = Template(rules);
        var accounts = (instances + PerAccount - 1) / PerAccount;
        for (var chunk = 0; chunk < accounts; chunk += 1_000)
        {
            using var session = database.Begin();
            for (var a = chunk; a < Math.Min(accounts, chunk + 1_000); a++)
            {
                var accountId = $"acc-{a:D7}";
                session.InsertAccount(new AccountRow
                {
                    Id = accountId, Name = accountId, Email = $"{accountId}@example.com", Currency = "USD", ClockId = Clock,
                    CreatedAt = Bought.ToUnixTimeTicks(),
                });
                var count = Math.Min(PerAccount, instances - (a * PerAccount));
                var account = Payg.TopUp(rules, Account.Empty(new AccountId(accountId), "USD"), (count - 1) * 1000L + 1, [], Bought).Value;
                session.Save(account, Bought, Clock);
                var due = Schedule.Next(rules, template, account.Account); // the copies differ only in their IDs
                for (var i = 0; i < count; i++)
                {
                    var copy = template with { Id = new InstanceId($"i-{a:D7}-{i}"), AccountId = new AccountId(accountId) };
                    session.SaveInstance(copy, due, Clock);
                }
            }

            session.Commit();
        }
    }

    /// <summary>When the instances were bought.</summary>
    public static readonly Instant Bought = Rules.Default.Calendar.At(new LocalDate(2019, 1, 29), new LocalTime(10, 0));

    /// <summary>
    /// An auto-renew instance bought on 2019-01-29 expiring 2019-03-30 whose T-7 reminder has run: its next event is the T-3 attempt.
    /// </summary>
    public static Instance Template(Rules rules)
    {
        var request = new PurchaseRequest(
            new InstanceId("t"), "ecs", "cn-hangzhou", null, "ecs.small", ChargeType.Subscription, 2, AutoRenew: true);
        var template = Purchase.Buy(rules, new Account(new AccountId("t"), "USD", 1_000_000, []), request, Bought).Value.Instance;
        var reminded = rules.Calendar.At(new LocalDate(2019, 3, 23), new LocalTime(8, 0));
        return template with { Progress = new Progress(reminded, (int)EventKind.Reminder) };
    }

    /// <summary>Runs the wave with <paramref name="workers"/> engines (threads; PostgreSQL only for more than one).</summary>
    public static BenchResult Run(string arm, Database database, int instances, int workers, int batchSize, double seedSeconds)
    {
        var lateness = new List<(double Seconds, int Instances)>();
        var (engineCpu, serverCpu) = (CpuTime.Engine(), CpuTime.Postgres());
        var watch = Stopwatch.StartNew();
        var threads = Enumerable.Range(0, workers).Select(_ => new Thread(() =>
        {
            var engine = new LifecycleEngine(database, Rules.Default, batchSize);
            while (engine.RunBatch(Clock, Wave) is { Instances: > 0 } batch)
            {
                lock (lateness) lateness.Add((watch.Elapsed.TotalSeconds, batch.Instances));
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var seconds = watch.Elapsed.TotalSeconds;
        var (engineCpuAfter, serverCpuAfter) = (CpuTime.Engine(), CpuTime.Postgres());

        var (renewed, failed) = Outcomes(database);
        return new BenchResult(arm, instances, Math.Round(seconds, 2), Math.Round(instances / seconds), Percentile(lateness, 0.50),
            Percentile(lateness, 0.99), PeakRssMb(), Math.Round(seedSeconds, 2), renewed, failed,
            EngineCpuSeconds: Math.Round(engineCpuAfter - engineCpu, 2),
            ServerCpuSeconds: database.Dialect == Dialect.Postgres ? Math.Round(serverCpuAfter - serverCpu, 2) : null);
    }

    /// <summary>Instances renewed (their order items) and auto-renewals failed (their timeline events).</summary>
    public static (int Renewed, int Failed) Outcomes(Database database)
    {
        using var session = database.BeginRead();
        var renewed = (int)session.Single<long>("SELECT COUNT(*) FROM order_items WHERE kind = 'Renewal'");
        var failed = (int)session.Single<long>("SELECT COUNT(*) FROM timeline_events WHERE kind = 'autoRenewFailed'");
        session.Commit();
        return (renewed, failed);
    }

    /// <summary>This process's peak working set in MB.</summary>
    public static double PeakRssMb() => Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1);

    /// <summary>
    /// The time by which <paramref name="quantile"/> of the instances were done, from (time, instances done then) samples.
    /// </summary>
    public static double Percentile(List<(double Seconds, int Instances)> batches, double quantile)
    {
        var total = batches.Sum(b => b.Instances);
        var target = quantile * total;
        double seen = 0;
        foreach (var (seconds, count) in batches.OrderBy(b => b.Seconds))
        {
            seen += count;
            if (seen >= target) return Math.Round(seconds, 3);
        }

        return 0;
    }
}
