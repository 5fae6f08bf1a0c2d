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

/// <summary>
/// <c>serve --demo</c>: a demo account whose instances show every interesting state, bought in the
/// past and brought up to now by the engine as if it had been running all along.
/// </summary>
public static class Demo
{
    /// <summary>Creates the demo account (once) and returns its API key, or null when it already exists.</summary>
    public static string? Seed(Database database, Rules rules, Instant now)
    {
        const string accountId = "acc-demo";
        using var session = database.Begin();
        if (session.AccountRow(accountId) is not null) return null;
        session.InsertAccount(new AccountRow { Id = accountId, Name = "Demo customer", Email = "demo@example.com", Phone = "+8613800000000", Currency = rules.Catalog.Currency, CreatedAt = now.ToUnixTimeTicks() });
        var key = ApiKeys.NewKey(out var prefix, out var hash);
        session.InsertKey(new StoredKey(prefix, hash, accountId), now);

        var start = now - Duration.FromDays(120);
        var account = Payg.TopUp(rules, Account.Empty(new AccountId(accountId), rules.Catalog.Currency), 2_000_000, [], start).Value;
        session.Save(account, start, Session.SystemClock);
        var wallet = account.Account;
        var day = Duration.FromDays(1);
        (string Id, string Product, string Spec, ChargeType Charge, int? Months, bool Auto, Instant At, RenewalMode? Mode)[] plan =
        [
            ("i-demo-manual", "ecs", "ecs.small", ChargeType.Subscription, 1, false, now - (25 * day), null),                  // manual, expiring within days
            ("i-demo-auto", "mqtt", "mqtt.basic.1k", ChargeType.Subscription, 1, true, now - (20 * day), null),               // auto-renew, expiring soon
            ("i-demo-norenew", "oss-package", "oss.500g", ChargeType.Subscription, 3, false, now - (30 * day), RenewalMode.NoRenew),
            ("i-demo-year", "ecs", "ecs.large", ChargeType.Subscription, 12, true, now - (40 * day), null),
            ("i-demo-stopped", "ecs", "ecs.medium", ChargeType.Subscription, 1, false, now - (35 * day), null),               // expired and stopped
            ("i-demo-released", "mqtt", "mqtt.basic.1k", ChargeType.Subscription, 1, false, now - (60 * day), null),          // released after retention
            ("i-demo-payg", "rocketmq", "rocketmq.standard", ChargeType.Payg, null, false, now - (2 * day), null),
            ("i-demo-platinum", "rocketmq", "rocketmq.platinum.2k", ChargeType.Subscription, 1, false, now - (10 * day), null),
        ];
        foreach (var (id, product, spec, charge, months, auto, at, mode) in plan)
        {
            var bought = Purchase.Buy(rules, wallet, new PurchaseRequest(new InstanceId(id), product, "cn-hangzhou", null, spec, charge, months, auto), at).Value;
            var instance = mode is { } m ? bought.Instance with { Mode = m } : bought.Instance;
            session.Save(Change.Of(rules, instance, bought.Account, bought.Effects), at, Session.SystemClock);
            wallet = bought.Account;
        }

        session.Commit();
        new LifecycleEngine(database, rules).RunAllDue(Session.SystemClock, now, onTime: true);
        return key;
    }
}
