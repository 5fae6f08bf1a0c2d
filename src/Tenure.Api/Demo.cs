using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.Purchases;
using Tenure.Engine.Lifecycle;
using Tenure.Storage;

namespace Tenure.Api;

/// <summary>A demo account and the key <c>serve --demo</c> issued it on this start.</summary>
public sealed record DemoKey(string AccountId, string Key, string? ClockId);

/// <summary>
/// <c>serve --demo</c>: a demo account whose instances show every interesting state, bought in the
/// past and brought up to now by the engine as if it had been running all along; and a second one
/// on a test clock whose instances come due in the next days, so the operator can advance the
/// clock and watch T-3 … release happen (R12.1).
/// </summary>
/// <remarks>
/// The accounts are made once per database. Every start issues each a fresh key, so a restarted
/// demo prints keys that work (only key hashes are stored; the earlier ones cannot be shown
/// again). No key is revoked: an earlier demo key, or one the operator made for a demo account,
/// keeps working until the operator revokes it.
/// </remarks>
public static class Demo
{
    public const string AccountId = "acc-demo";
    public const string ClockAccountId = "acc-demo-clock";
    public const string ClockId = "clk-demo";

    /// <summary>Makes the demo accounts that are missing, then issues each demo account a new key.</summary>
    public static IReadOnlyList<DemoKey> Seed(Database database, Rules rules, Instant now)
    {
        SeedRealTime(database, rules, now);
        SeedTestClock(database, rules, now);
        using var session = database.Begin();
        var keys = new List<DemoKey>();
        foreach (var (account, clock) in new[] { (AccountId, (string?)null), (ClockAccountId, ClockId) })
        {
            var key = ApiKeys.NewKey(out var prefix, out var hash);
            session.InsertKey(new StoredKey(prefix, hash, account), now);
            keys.Add(new DemoKey(account, key, clock));
        }

        session.Commit();
        return keys;
    }

    private static void SeedRealTime(Database database, Rules rules, Instant now)
    {
        using (var session = database.Begin())
        {
            if (session.AccountRow(AccountId) is not null) return;
            session.InsertAccount(new AccountRow
            {
                Id = AccountId, Name = "Demo customer", Email = "demo@example.com", Phone = "+8613800000000",
                Currency = rules.Catalog.Currency, CreatedAt = now.ToUnixTimeTicks(),
            });
            var day = Duration.FromDays(1);
            Buy(session, rules, AccountId, Session.SystemClock, 2_000_000, now - (120 * day),
            [
                // manual, expiring within days
                ("i-demo-manual", "ecs", "ecs.small", ChargeType.Subscription, 1, false, now - (25 * day), null),
                // auto-renew, expiring soon
                ("i-demo-auto", "mqtt", "mqtt.basic.1k", ChargeType.Subscription, 1, true, now - (20 * day), null),
                ("i-demo-norenew", "oss-package", "oss.500g", ChargeType.Subscription, 3, false, now - (30 * day), RenewalMode.NoRenew),
                ("i-demo-year", "ecs", "ecs.large", ChargeType.Subscription, 12, true, now - (40 * day), null),
                // expired and stopped
                ("i-demo-stopped", "ecs", "ecs.medium", ChargeType.Subscription, 1, false, now - (35 * day), null),
                // released after retention
                ("i-demo-released", "mqtt", "mqtt.basic.1k", ChargeType.Subscription, 1, false, now - (60 * day), null),
                ("i-demo-payg", "rocketmq", "rocketmq.standard", ChargeType.Payg, null, false, now - (2 * day), null),
                ("i-demo-platinum", "rocketmq", "rocketmq.platinum.2k", ChargeType.Subscription, 1, false, now - (10 * day), null),
            ]);
            session.Commit();
        }

        new LifecycleEngine(database, rules).RunAllDue(Session.SystemClock, now, onTime: true);
    }

    /// <summary>
    /// The test clock stands at 09:00 of today (billing zone); each instance was bought a month before it expires, in
    /// 4, 5 and 6 days: an auto-renew one whose 50.00 the 10.00 left cannot pay (its T-3 attempt fails tomorrow), a
    /// manual one (its T-3 reminder comes the day after) and a do-not-renew OSS package (released when it expires).
    /// </summary>
    private static void SeedTestClock(Database database, Rules rules, Instant now)
    {
        var calendar = rules.Calendar;
        var today = calendar.DateOf(now);
        var clockNow = calendar.At(today, new LocalTime(9, 0));
        using (var session = database.Begin())
        {
            if (session.AccountRow(ClockAccountId) is not null) return;
            session.InsertTestClock(new TestClock(ClockId, clockNow), now);
            session.InsertAccount(new AccountRow
            {
                Id = ClockAccountId, Name = "Demo customer on a test clock", Email = "demo-clock@example.com",
                Currency = rules.Catalog.Currency,
                ClockId = ClockId, CreatedAt = now.ToUnixTimeTicks(),
            });
            // Bought at 09:00 on the day before "expiry date − 1 month": the expiry is 00:00 of the day after date + 1 month (R2.1).
            Instant BoughtToExpireIn(int days) => calendar.At(today.PlusDays(days - 1).PlusMonths(-1), new LocalTime(9, 0));
            Buy(session, rules, ClockAccountId, ClockId, 8000, BoughtToExpireIn(4),
            [
                ("i-clock-auto", "mqtt", "mqtt.basic.1k", ChargeType.Subscription, 1, true, BoughtToExpireIn(4), null),
                ("i-clock-manual", "ecs", "ecs.small", ChargeType.Subscription, 1, false, BoughtToExpireIn(5), null),
                ("i-clock-norenew", "oss-package", "oss.500g", ChargeType.Subscription, 1, false, BoughtToExpireIn(6), RenewalMode.NoRenew),
            ]);
            session.Commit();
        }

        new LifecycleEngine(database, rules).RunAllDue(ClockId, clockNow, onTime: true);
    }

    /// <summary>Tops the account up at <paramref name="start"/>, then buys each instance at its own instant.</summary>
    private static void Buy(Session session, Rules rules, string accountId, string clockId, long topUp, Instant start,
        (string Id, string Product, string Spec, ChargeType Charge, int? Months, bool Auto, Instant At, RenewalMode? Mode)[] plan)
    {
        var account = Payg.TopUp(rules, Account.Empty(new AccountId(accountId), rules.Catalog.Currency), topUp, [], start).Value;
        session.Save(account, start, clockId);
        var wallet = account.Account;
        foreach (var (id, product, spec, charge, months, auto, at, mode) in plan)
        {
            var request = new PurchaseRequest(new InstanceId(id), product, "cn-hangzhou", null, spec, charge, months, auto);
            var bought = Purchase.Buy(rules, wallet, request, at).Value;
            var instance = mode is { } m ? bought.Instance with { Mode = m } : bought.Instance;
            session.Save(Change.Of(rules, instance, bought.Account, bought.Effects), at, clockId);
            wallet = bought.Account;
        }
    }
}
