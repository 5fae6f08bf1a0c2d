using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.Money;

namespace Tenure.Domain.Renewals;

/// <summary>One auto-renew charge that will fall due.</summary>
public sealed record ForecastItem(InstanceId InstanceId, Instant At, long Amount);

/// <summary>R8.7: the coming auto-renew charges and whether coupons and balance cover them.</summary>
public sealed record ForecastResult(ImmutableArray<ForecastItem> Items, long Total, bool Covered, long Shortfall);

public static class Forecasts
{
    /// <summary>
    /// R8.7: for the <paramref name="days"/> calendar days from <paramref name="now"/>, every auto-renew
    /// charge that falls due (the next attempt of the current cycle, then the first attempt of each
    /// later cycle), in time order, paid in that order (R4.8) from the coupons and balance as they are
    /// now, and then from an active payment method (R7.8), which covers the rest. <c>Shortfall</c> is what could not be paid.
    /// </summary>
    public static ForecastResult Forecast(Rules rules, Account account, IEnumerable<Instance> instances, Instant now, int days)
    {
        var horizon = rules.Calendar.PlusDays(now, days);
        var mine = instances.Where(i => i.AccountId == account.Id).ToList();
        var productOf = mine.ToDictionary(i => i.Id, i => i.Product);
        var expiryOf = mine.ToDictionary(i => i.Id, i => i.ExpiresAt ?? Instant.MaxValue);
        var items = mine
            .Where(i => i.Mode == RenewalMode.Auto && i.IsSubscription && i.Status == InstanceStatus.Running)
            .SelectMany(i => ChargesOf(rules, i, account, now, horizon))
            .OrderBy(i => i.At).ThenBy(i => expiryOf[i.InstanceId]).ThenBy(i => i.InstanceId.Value, StringComparer.Ordinal)
            .ToImmutableArray();

        var wallet = account;
        long shortfall = 0;
        foreach (var item in items)
        {
            var product = productOf[item.InstanceId];
            var allocation = Payment.Allocate(wallet, item.Amount, product, item.At, withMethod: true);
            if (allocation.IsSuccess)
            {
                wallet = Payment.Apply(wallet, allocation.Value);
                continue;
            }

            var available = Payment.Available(wallet, product, item.At);
            shortfall = checked(shortfall + item.Amount - available);
            wallet = Payment.Apply(wallet, Payment.Allocate(wallet, available, product, item.At).Value);
        }

        return new ForecastResult(items, items.Sum(i => i.Amount), shortfall == 0, shortfall);
    }

    private static IEnumerable<ForecastItem> ChargesOf(Rules rules, Instance instance, Account account, Instant now, Instant horizon)
    {
        var product = rules.Catalog.Get(instance.Product);
        if (!product.Renewable || product.AutoRenewAttemptDays.IsEmpty) yield break;
        var amount = Charges.RenewalPrice(product, instance, instance.AutoRenewMonths);
        var next = Schedule.Plan(rules, instance, account).FirstOrDefault(e => e.Kind == EventKind.AutoRenewAttempt);
        if (next == default) yield break;
        var at = Instant.Max(next.At, now);
        var expiry = instance.Expiry;
        while (at <= horizon)
        {
            yield return new ForecastItem(instance.Id, at, amount);
            expiry = rules.Calendar.Extend(expiry, instance.AutoRenewMonths);
            at = rules.Calendar.DayAt(expiry, product.AutoRenewAttemptDays[0], Schedule.NoticeTime);
        }
    }
}
