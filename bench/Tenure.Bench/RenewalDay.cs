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
public sealed record BenchResult(string Arm, int Instances, double Seconds, double PerSecond, double P50LatenessSeconds, double P99LatenessSeconds, double PeakRssMb, double SeedSeconds, int Renewed, int Failed);

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
        var bought = rules.Calendar.At(new LocalDate(2019, 1, 29), new LocalTime(10, 0));
        var template = Purchase.Buy(rules, new Account(new AccountId("t"), "USD", 1_000_000, []),
            new PurchaseRequest(new InstanceId("t"), "ecs", "cn-hangzhou", null, "ecs.small", ChargeType.Subscription, 2, AutoRenew: true), bought).Value.Instance;
        // The T-7 reminder has run: the wave is only the T-3 attempt.
        template = template with { Progress = new Progress(rules.Calendar.At(new LocalDate(2019, 3, 23), new LocalTime(8, 0)), (int)EventKind.Reminder) };
        var accounts = (instances + PerAccount - 1) / PerAccount;
        for (var chunk = 0; chunk < accounts; chunk += 1_000)
        {
            using var session = database.Begin();
            for (var a = chunk; a < Math.Min(accounts, chunk + 1_000); a++)
            {
                var accountId = $"acc-{a:D7}";
                session.InsertAccount(new AccountRow { Id = accountId, Name = accountId, Email = $"{accountId}@example.com", Currency = "USD", ClockId = Clock, CreatedAt = bought.ToUnixTimeTicks() });
                var count = Math.Min(PerAccount, instances - (a * PerAccount));
                var account = Payg.TopUp(Account.Empty(new AccountId(accountId), "USD"), (count - 1) * 1000L + 1, [], bought).Value;
                session.Save(rules, account, bought, Clock);
                for (var i = 0; i < count; i++)
                {
                    session.SaveInstance(rules, template with { Id = new InstanceId($"i-{a:D7}-{i}"), AccountId = new AccountId(accountId) }, account.Account, Clock);
                }
            }

            session.Commit();
        }
    }

    /// <summary>Runs the wave with <paramref name="workers"/> engines (threads; PostgreSQL only for more than one).</summary>
    public static BenchResult Run(string arm, Database database, int instances, int workers, int batchSize, double seedSeconds)
    {
        var lateness = new List<(double Seconds, int Instances)>();
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

        using var session = database.Begin();
        var renewed = (int)session.Single<long>("SELECT COUNT(*) FROM order_items WHERE kind = 'Renewal'");
        var failed = (int)session.Single<long>("SELECT COUNT(*) FROM timeline_events WHERE kind = 'autoRenewFailed'");
        session.Commit();
        return new BenchResult(arm, instances, Math.Round(seconds, 2), Math.Round(instances / seconds), Percentile(lateness, 0.50), Percentile(lateness, 0.99),
            Math.Round(Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0, 1), Math.Round(seedSeconds, 2), renewed, failed);
    }

    private static double Percentile(List<(double Seconds, int Instances)> batches, double quantile)
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
