using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.Money;
using Tenure.Domain.Renewals;

namespace Tenure.Domain.PlanChanges;

/// <summary>R6.1–R6.3: spec upgrades and downgrades within an edition.</summary>
public static class SpecChange
{
    /// <summary>
    /// R6.2: <c>ceil((new monthly − old monthly) × d / 30)</c>, <c>d</c> the time left until expiry in
    /// days rounded up to a whole day (zero once expired).
    /// </summary>
    public static long UpgradePrice(Rules rules, long oldMonthly, long newMonthly, Instant expiry, Instant now)
    {
        var daysLeft = rules.Calendar.DaysBetween(now, expiry);
        return Pricing.DaysPrice(newMonthly - oldMonthly, daysLeft);
    }

    /// <summary>
    /// R6.1–R6.3: an upgrade in an <c>immediate</c> edition takes effect at once; in a <c>review</c>
    /// edition it is paid now and waits for an operator while the old spec keeps running; a
    /// downgrade takes effect at once and refunds nothing.
    /// </summary>
    public static Outcome<Change> Request(Rules rules, Instance instance, Account account, string spec, Instant now) =>
        Decide(rules, instance, account, spec, now, settled: 0);

    /// <summary>
    /// <see cref="Request"/>; with <paramref name="settled"/> (R7.9, a payment that succeeded), the payment method paid that much
    /// into the balance first, and the order keeps it apart.
    /// </summary>
    private static Outcome<Change> Decide(Rules rules, Instance instance, Account account, string spec, Instant now, long settled)
    {
        if (Commands.RunningSubscription(instance, "A spec change") is { } state) return state;
        var product = rules.Catalog.Get(instance.Product);
        if (product.SpecChange == SpecChangePolicy.None) return Refusal.State($"{product.Code} does not offer spec changes.");
        if (instance.PendingChange is not null)
            return Refusal.State(
                $"{instance.Id} already has a pending change ({instance.PendingChange.Kind}) to {instance.PendingChange.Spec}.");
        if (spec == instance.Spec) return Refusal.Invalid("spec", $"{instance.Id} already runs {spec}.");
        if (product.EditionOf(spec) is not { } edition) return Refusal.Invalid("spec", $"{product.Code} has no spec '{spec}'.");
        if (edition.Code != instance.Edition)
        {
            return new Refusal(RefusalCode.CrossEditionChange,
                $"{spec} belongs to edition {edition.Code}; a spec change stays within {instance.Edition}.", "spec");
        }

        var oldMonthly = Charges.MonthlyPrice(product, instance.Spec, instance.Components);
        var newMonthly = Charges.MonthlyPrice(product, spec, instance.Components);
        var touched = Commands.Touch(instance, now);
        if (newMonthly <= oldMonthly)
        {
            return Change.Of(rules, touched with { Spec = spec }, account, Effects.None
                .Record(instance.Id, now, TimelineKind.Downgraded, $"{instance.Spec} → {spec}; no refund")
                .Act(ResourceActionKind.Modify, instance.Id, now, $"spec {spec}"));
        }

        var amount = UpgradePrice(rules, oldMonthly, newMonthly, instance.Expiry, now);
        var memo = $"upgrade {instance.Spec} → {spec}";
        if (settled == 0
            && Payment.Allocate(account, amount, product.Code, now, withMethod: true)
                is { Refusal: null, Value.FromMethod: > 0 and var ask })
        {
            if (Renewal.PaymentInFlight(instance) is { } busy) return busy;
            var quote = new Quote(instance.Id, product.Code, 0, instance.Expiry, now, instance.Expiry, amount);
            var intent = new PaymentIntent(OrderKind.Upgrade, 0, amount) { Spec = spec, Until = instance.Expiry };
            return Renewal.Ask(rules, [instance], [quote], account, now, intent, ask, memo);
        }

        var paid = Charges.Pay(account, amount, product.Code, instance.Id, now, memo, settled);
        if (paid.Refusal is { } refusal) return refusal;
        var order = new Order(OrderKind.Upgrade, amount, paid.Value.FromCoupons, paid.Value.FromBalance - paid.Value.FromMethod,
            [new OrderItem(instance.Id, now, amount, instance.ExpiresAt)])
        {
            PaidByMethod = paid.Value.FromMethod,
        };
        var effects = new Effects(paid.Value.Postings, order, [], [], []);
        var paidText = new Money.Money(amount, account.Currency);

        if (edition.Upgrade == UpgradeMode.Review)
        {
            var pending = touched with { PendingChange = new PendingChange(PendingChangeKind.ReviewedUpgrade, spec, null, now, null) };
            var requested = $"{instance.Spec} → {spec}, paid {paidText}; waits for review";
            return Change.Of(rules, pending, paid.Value.Account, effects.Record(instance.Id, now, TimelineKind.UpgradeRequested,
                requested));
        }

        return Change.Of(rules, touched with { Spec = spec }, paid.Value.Account, effects
            .Record(instance.Id, now, TimelineKind.Upgraded, $"{instance.Spec} → {spec}, paid {paidText}")
            .Act(ResourceActionKind.Modify, instance.Id, now, $"spec {spec}"));
    }

    /// <summary>
    /// R7.9: <see cref="Request"/> again with the method's money in <paramref name="funded"/>'s balance, once its payment
    /// succeeded; refused if the upgrade no longer costs what was asked (its order then shows the method's part).
    /// </summary>
    internal static Outcome<Change> Paid(Rules rules, Instance instance, Account funded, PendingPayment pending, Instant now)
    {
        var intent = pending.Intent!;
        var redone = Decide(rules, instance, funded, intent.Spec!, now, pending.Amount);
        if (redone.Refusal is { } refusal) return refusal;
        return redone.Value.Effects.Order is not { } order || order.Total != intent.Total || instance.ExpiresAt != intent.Until
            ? Refusal.State("the upgrade's price changed while it was paid")
            : redone;
    }

    /// <summary>R6.2: the operator completes a reviewed upgrade; the new spec runs from now.</summary>
    public static Outcome<Change> Complete(Rules rules, Instance instance, Account account, Instant now)
    {
        if (instance.PendingChange is not { Kind: PendingChangeKind.ReviewedUpgrade } pending)
            return Refusal.State($"{instance.Id} has no upgrade waiting for review.");
        if (instance.Status == InstanceStatus.Released) return Refusal.State($"{instance.Id} was released.");
        var upgraded = Commands.Touch(instance, now) with { Spec = pending.Spec, PendingChange = null };
        return Change.Of(rules, upgraded, account, Effects.None
            .Record(instance.Id, now, TimelineKind.Upgraded, $"{instance.Spec} → {pending.Spec} (review completed)")
            .Notify(Notices.Of(NoticeKind.UpgradeCompleted, upgraded, now, 0))
            .Act(ResourceActionKind.Modify, instance.Id, now, $"spec {pending.Spec}"));
    }
}
