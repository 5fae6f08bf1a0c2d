using System.Diagnostics;
using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.Purchases;
using Tenure.Engine.Clocks;
using Tenure.Engine.Lifecycle;
using Tenure.Storage;

namespace Tenure.Bench;

/// <summary>
/// What a test clock's advance measured: the events it ran and their rate, with the engine's (and server's) CPU time, and what
/// the engine allocated per event and how long the garbage collector paused it.
/// </summary>
public sealed record TestClockResult(string Arm, int Instances, int Accounts, int Days, double Seconds, double PerSecond, int Events,
    double EngineCpuSeconds,
    double? ServerCpuSeconds, double PeakRssMb, double SeedSeconds, long AllocatedBytesPerEvent, double GcPauseSeconds);

/// <summary>
/// A year of one account on a test clock (R12.1): N monthly auto-renew instances bought over the clock's first 30 days,
/// with a balance that pays every renewal (or the N spread over several accounts, to tell the engine's per-event cost
/// from the per-account work of R8.7's forecast at each reminder); the clock is then advanced 365 days in one call, as
/// <c>POST /v1/test-clocks/{id}/advance</c> does, through the engine's batches. Reminders, renewals, their notices.
/// </summary>
public static class TestClockYear
{
    private const int Spread = 30;

    public static readonly Instant Start = Rules.Default.Calendar.At(new LocalDate(2026, 1, 1), new LocalTime(9, 0));

    /// <summary>
    /// The accounts, their clock and the instances: instance i of an account is a copy of the purchase made on day i mod 30.
    /// </summary>
    public static string Seed(Database database, int instances, int accounts)
    {
        database.Migrate();
        var rules = Rules.Default;
        var clocks = new TestClocks(database, new LifecycleEngine(database, rules));
        var clock = clocks.Create(Start, Start);
        var templates = Enumerable.Range(0, Spread).Select(day =>
        {
            var at = Start + Duration.FromDays(day);
            var bought = Purchase.Buy(rules, new Account(new AccountId("t"), "USD", 1_000_000, []),
                new PurchaseRequest(
                    new InstanceId("t"), "ecs", "cn-hangzhou", null, "ecs.small", ChargeType.Subscription, 1, AutoRenew: true),
                at).Value;
            return (bought.Instance, Due: bought.NextDue[0]);
        }).ToArray();
        var perAccount = (instances + accounts - 1) / accounts;
        using var session = database.Begin();
        for (var a = 0; a < accounts; a++)
        {
            var accountId = $"acc-year-{a:D6}";
            session.InsertAccount(new AccountRow
            {
                Id = accountId, Name = accountId, Email = $"{accountId}@example.com", Currency = "USD", ClockId = clock.Id,
                CreatedAt = Start.ToUnixTimeTicks(),
            });
            var funded = Payg.TopUp(rules, Account.Empty(new AccountId(accountId), "USD"), 20_000L * perAccount, [], Start).Value;
            session.Save(funded, Start, clock.Id);
            for (var i = 0; i < perAccount && (a * perAccount) + i < instances; i++)
            {
                var (template, due) = templates[i % Spread];
                var copy = template with { Id = new InstanceId($"i-year-{a:D6}-{i:D6}"), AccountId = new AccountId(accountId) };
                session.SaveInstance(copy, due, clock.Id);
            }
        }

        session.Commit();
        return clock.Id;
    }

    public static TestClockResult Run(
        string arm, Database database, int instances, int accounts, int days, (int Size, int WriteEvery) batch, double seedSeconds,
        string clockId)
    {
        var clocks = new TestClocks(database, new LifecycleEngine(database, Rules.Default, batch.Size, batch.WriteEvery));
        var (engineCpu, serverCpu) = (CpuTime.Engine(), CpuTime.Postgres());
        var (allocated, paused) = (GC.GetTotalAllocatedBytes(precise: true), GC.GetTotalPauseDuration());
        var watch = Stopwatch.StartNew();
        var advanced = clocks.Advance(clockId, Start + Duration.FromDays(days));
        var seconds = watch.Elapsed.TotalSeconds;
        var (engineCpuAfter, serverCpuAfter) = (CpuTime.Engine(), CpuTime.Postgres());
        var (allocatedAfter, pausedAfter) = (GC.GetTotalAllocatedBytes(precise: true), GC.GetTotalPauseDuration());
        if (advanced.Refusal is { } refusal) throw new InvalidOperationException($"The advance was refused: {refusal.Detail}");
        var events = advanced.Value.EventsProcessed;
        return new TestClockResult(arm, instances, accounts, days, Math.Round(seconds, 2), Math.Round(events / seconds), events,
            Math.Round(engineCpuAfter - engineCpu, 2),
            database.Dialect == Dialect.Postgres ? Math.Round(serverCpuAfter - serverCpu, 2) : null,
            RenewalDay.PeakRssMb(), Math.Round(seedSeconds, 2), (allocatedAfter - allocated) / Math.Max(events, 1),
            Math.Round((pausedAfter - paused).TotalSeconds, 2));
    }
}
