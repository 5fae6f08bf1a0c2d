using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Domain.Money;

namespace Tenure.Domain.Renewals;

/// <summary>R8.3: extend instances to one day of the month.</summary>
public static class UnifiedExpiry
{
    /// <summary>
    /// Each instance, all still before expiry, is extended to the first date with day
    /// <paramref name="dayOfMonth"/> (1–28) after its expiry date, priced <c>ceil(monthly × added days / 30)</c>.
    /// An instance already expiring on that day is left as it is, at no charge.
    /// </summary>
    public static Outcome<ImmutableArray<Quote>> Quote(Rules rules, IReadOnlyList<Instance> instances, int dayOfMonth, Instant now)
    {
        if (dayOfMonth is < 1 or > 28)
        {
            return Refusal.Invalid("dayOfMonth", "dayOfMonth must be between 1 and 28, so that every month has it.");
        }

        if (instances.Count == 0) return Refusal.Invalid("instanceIds", "List at least one instance.");
        if (instances.Select(i => i.Id).Distinct().Count() != instances.Count)
        {
            return Refusal.Invalid("instanceIds", "An instance appears more than once.");
        }

        var calendar = rules.Calendar;
        var quotes = ImmutableArray.CreateBuilder<Quote>(instances.Count);
        foreach (var instance in instances)
        {
            if ((Renewal.Renewable(rules, instance) ?? Renewal.PaymentInFlight(instance)) is { } refusal) return refusal;
            var product = rules.Catalog.Get(instance.Product);
            if (!product.UnifiedExpiry) return Refusal.State($"{instance.Id}: {product.Code} does not offer a unified expiry date.");
            if (instance.Status != InstanceStatus.Running || instance.Expiry <= now)
            {
                return Refusal.State($"{instance.Id}: a unified expiry date needs every instance still before its expiry.");
            }

            var current = calendar.DateOf(instance.Expiry);
            var target = current.Day == dayOfMonth
                ? current
                : current.Day < dayOfMonth ? current.With(DateAdjusters.DayOfMonth(dayOfMonth))
                : current.PlusMonths(1).With(DateAdjusters.DayOfMonth(dayOfMonth));
            var days = Period.Between(current, target, PeriodUnits.Days).Days;
            var monthly = Charges.MonthlyPrice(product, instance.Spec, instance.Components);
            var price = Pricing.DaysPrice(monthly, days);
            quotes.Add(new Quote(instance.Id, instance.Product, 0, instance.Expiry, instance.Expiry, calendar.StartOf(target), price));
        }

        return quotes.MoveToImmutable();
    }

    /// <summary>
    /// Pays the quoted extensions as one order and moves the expiries; R7.8: when coupons and balance fall short, the
    /// payment method pays the rest through one payment (<see cref="Renewal.PayOrAsk"/>).
    /// </summary>
    public static Outcome<Change> Apply(Rules rules, IReadOnlyList<Instance> instances, Account account, int dayOfMonth, Instant now) =>
        Quote(rules, instances, dayOfMonth, now).Then(quotes =>
        {
            var moving = instances.Zip(quotes).Where(p => p.Second.NewExpiresAt != p.Second.CurrentExpiresAt).ToList();
            if (moving.Count == 0) return Change.Of(rules, instances.ToImmutableArray(), account, Effects.None);
            return Renewal.PayOrAsk(rules, moving.Select(p => p.First).ToList(), moving.Select(p => p.Second).ToList(), account, now,
                new PaymentIntent(OrderKind.UnifyExpiry, 0, 0) { DayOfMonth = dayOfMonth }, Memo(dayOfMonth));
        });

    /// <summary>The memo of a unified expiry's order and ledger lines.</summary>
    internal static string Memo(int dayOfMonth) => $"unified expiry on day {dayOfMonth}";
}
