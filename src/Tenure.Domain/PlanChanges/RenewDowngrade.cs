using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Money;
using Tenure.Domain.Renewals;

namespace Tenure.Domain.PlanChanges;

/// <summary>A data disk and the charge type asked for it.</summary>
public sealed record DiskChange(string Id, ChargeType ChargeType);

/// <summary>What a renew-and-downgrade asks for, besides the period.</summary>
public sealed record DowngradeRequest(int PeriodMonths, string? Spec, Bandwidth? Bandwidth, IReadOnlyList<DiskChange> DataDisks);

/// <summary>R6.4: renew and, from the new cycle, take a smaller configuration (ECS).</summary>
public static class RenewDowngrade
{
    private static readonly int[] Periods = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12];

    /// <summary>
    /// R6.4: open from <c>renewDowngradeWindowDays</c> before expiry until release; renews 1–9 or 12
    /// months, priced with the new configuration. A smaller instance type only before expiry; under
    /// bandwidth billing a lower bandwidth or traffic billing with a peak; under traffic billing a new
    /// peak; subscription data disks to PAYG. While the instance runs before expiry the new
    /// configuration waits for the new cycle; otherwise it applies at once. R7.8: coupons, then balance, then the payment
    /// method; a method part asks for that payment (R7.9) with the request as its intent and applies nothing yet. With
    /// <paramref name="paid"/>, that payment succeeded and its money is in <paramref name="account"/>'s balance: the
    /// renewal applies if it still costs what was asked from the same cycle, its cycle's cash and method parts kept apart.
    /// </summary>
    public static Outcome<Change> Apply(
        Rules rules, Instance instance, Account account, DowngradeRequest request, Instant now, PendingPayment? paid = null)
    {
        var product = rules.Catalog.Get(instance.Product);
        if (product.RenewDowngradeWindowDays is not { } window) return Refusal.State($"{product.Code} does not offer renew-and-downgrade.");
        if (Renewal.Renewable(rules, instance) is { } notRenewable) return notRenewable;
        if (Renewal.PaymentInFlight(instance) is { } busy) return busy;
        if (instance.PendingChange is not null) return Refusal.State($"{instance.Id} already has a pending change.");
        var calendar = rules.Calendar;
        var opens = calendar.StartOf(calendar.DateOf(instance.Expiry).PlusDays(-window));
        if (now < opens)
            return new Refusal(RefusalCode.RenewalWindowClosed,
                $"Renew-and-downgrade opens {window} days before expiry, on {calendar.Local(opens):uuuu-MM-dd HH:mm}.");
        if (!Periods.Contains(request.PeriodMonths))
            return new Refusal(RefusalCode.InvalidPeriod, "Renew-and-downgrade renews for 1–9 or 12 months.", "periodMonths");

        var beforeExpiry = instance.Status == InstanceStatus.Running && now < instance.Expiry;
        var spec = instance.Spec;
        if (request.Spec is { } smaller && smaller != instance.Spec)
        {
            if (!beforeExpiry)
                return new Refusal(RefusalCode.RenewalWindowClosed, "A smaller instance type can be chosen only before expiry.", "spec");
            if (product.EditionOf(smaller) is not { } edition || edition.Code != instance.Edition)
                return Refusal.Invalid("spec", $"{product.Code} {instance.Edition} has no spec '{smaller}'.");
            if (Charges.MonthlyPrice(product, smaller, Components.None) >= Charges.MonthlyPrice(product, instance.Spec, Components.None))
            {
                return Refusal.Invalid("spec", $"{smaller} is not smaller than {instance.Spec}; renew-and-downgrade only downgrades.");
            }

            spec = smaller;
        }

        var components = instance.Components with { TemporaryUpgrade = null };
        if (request.Bandwidth is { } wanted)
        {
            if (BandwidthRefusal(instance.Components.Bandwidth, wanted) is { } bad) return bad;
            components = components with { Bandwidth = wanted };
        }

        foreach (var (diskId, chargeType) in request.DataDisks)
        {
            // R6.4 moves disks one way only: a subscription disk is not a downgrade of a PAYG one.
            if (chargeType != ChargeType.Payg)
            {
                return Refusal.Invalid("dataDisks", $"Data disk {diskId}: renew-and-downgrade moves disks to payg only.");
            }

            var disk = components.DataDisks.FirstOrDefault(d => d.Id == diskId);
            if (disk is null) return Refusal.Invalid("dataDisks", $"{instance.Id} has no data disk '{diskId}'.");
            if (disk.ChargeType != ChargeType.Subscription)
                return Refusal.Invalid("dataDisks", $"Data disk {diskId} is already pay-as-you-go.");
            components = components with { DataDisks = components.DataDisks.Replace(disk, disk with { ChargeType = ChargeType.Payg }) };
        }

        if (spec == instance.Spec && components == (instance.Components with { TemporaryUpgrade = null }))
        {
            return Refusal.Invalid(
                "spec", "Ask for at least one downgrade (spec, bandwidth or data disks); for a plain renewal use renew.");
        }

        var (start, newExpiry) = Renewal.NextCycle(rules, instance, request.PeriodMonths, now);
        var amount = Charges.PeriodPrice(product, spec, components, request.PeriodMonths);
        var memo = $"renew-and-downgrade of {request.PeriodMonths} month(s)";
        if (paid is null && Payment.Allocate(account, amount, product.Code, now, withMethod: true)
            is { Refusal: null, Value.FromMethod: > 0 and var ask })
        {
            var quote = new Quote(instance.Id, product.Code, request.PeriodMonths, instance.Expiry, start, newExpiry, amount);
            var intent = new PaymentIntent(OrderKind.RenewDowngrade, request.PeriodMonths, amount) { Downgrade = request };
            return Renewal.Ask(rules, [instance], [quote], account, now, intent, ask, memo);
        }

        if (paid is not null && (amount != paid.Intent?.Total || start != paid.PeriodStart))
            return Refusal.State("the renew-and-downgrade's price or cycle changed while it was paid");
        var charged = Charges.Pay(account, amount, product.Code, instance.Id, now, memo, paid?.Amount ?? 0);
        if (charged.Refusal is { } refusal) return refusal;

        var renewed = Renewal.Apply(rules, Commands.Touch(instance, now), charged.Value, start, newExpiry, now, OrderKind.RenewDowngrade,
            $"renewed {request.PeriodMonths} month(s) with a downgrade");
        if (beforeExpiry)
        {
            var pending = new PendingChange(PendingChangeKind.RenewDowngrade, spec, components, now, instance.Expiry);
            return Change.Of(rules, renewed.Instance with { PendingChange = pending }, renewed.Account, renewed.Effects);
        }

        var applied = renewed.Instance with { Spec = spec, Components = components };
        return Change.Of(rules, applied, renewed.Account, renewed.Effects
            .Record(instance.Id, now, TimelineKind.Downgraded, $"renew-and-downgrade applied: spec {spec}")
            .Act(ResourceActionKind.Modify, instance.Id, now, $"spec {spec}"));
    }

    private static Refusal? BandwidthRefusal(Bandwidth? current, Bandwidth wanted)
    {
        if (wanted.Mbps < 0) return Refusal.Invalid("bandwidth.mbps", "Bandwidth cannot be negative.");
        return current switch
        {
            null => Refusal.Invalid("bandwidth", "The instance has no public bandwidth to change."),
            { ChargeType: BandwidthBilling.ByBandwidth }
                when wanted.ChargeType == BandwidthBilling.ByBandwidth && wanted.Mbps >= current.Mbps =>
                Refusal.Invalid("bandwidth.mbps", $"Under bandwidth billing choose less than the current {current.Mbps} Mbps."),
            { ChargeType: BandwidthBilling.ByTraffic } when wanted.ChargeType == BandwidthBilling.ByBandwidth =>
                Refusal.Invalid("bandwidth.chargeType", "Under traffic billing only a new peak can be set."),
            _ => null,
        };
    }
}
