using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Money;

namespace Tenure.Domain.Purchases;

/// <summary>What a customer asks to buy. The shell chooses <see cref="Id"/>.</summary>
public sealed record PurchaseRequest(
    InstanceId Id,
    string Product,
    string Region,
    string? Edition,
    string Spec,
    ChargeType ChargeType,
    int? PeriodMonths,
    bool AutoRenew = false,
    Components? Components = null);

/// <summary>R2: buying an instance.</summary>
public static class Purchase
{
    /// <summary>
    /// R2.1–R2.5: a subscription is paid at once and expires at 00:00 of the day after
    /// <c>date(now) + n months</c>; its auto-renew period is 1 month under a year, 12 from a year on.
    /// PAYG has no expiry and is charged by the hour. If payment fails, nothing is created.
    /// </summary>
    public static Outcome<Change> Buy(Rules rules, Account account, PurchaseRequest request, Instant now)
    {
        if (rules.Catalog.Find(request.Product) is not { } product)
            return Refusal.Invalid("product",
                $"Unknown product '{request.Product}'. The catalog has {string.Join(", ", rules.Catalog.Products.Select(p => p.Code))}.");
        if (string.IsNullOrWhiteSpace(request.Region)) return Refusal.Invalid("region", "region is required.");
        if (product.EditionOf(request.Spec) is not { } edition)
            return Refusal.Invalid("spec", $"{product.Code} has no spec '{request.Spec}'.");
        if (request.Edition is { } asked && asked != edition.Code)
        {
            return product.FindEdition(asked) is null
                ? Refusal.Invalid("edition", $"{product.Code} has no edition '{asked}'.")
                : Refusal.Invalid("spec", $"Spec {request.Spec} belongs to edition {edition.Code}, not {asked}.");
        }

        if (!edition.ChargeTypes.Contains(request.ChargeType))
        {
            return Refusal.Invalid("chargeType",
                $"{product.Code} {edition.Code} is sold as " +
                $"{string.Join(" or ", edition.ChargeTypes.Select(c => c.ToString().ToLowerInvariant()))}.");
        }

        var components = request.Components ?? Components.None;
        if (components != Components.None && product.Components is null)
            return Refusal.Invalid("components", $"{product.Code} has no components.");
        if (components.DataDisks.Any(d => d.SizeGb <= 0) || components.Bandwidth is { Mbps: < 0 })
        {
            return Refusal.Invalid("components", "Disk sizes must be positive and bandwidth not negative.");
        }

        if (components.DataDisks.Select(d => d.Id).Distinct().Count() != components.DataDisks.Count)
            return Refusal.Invalid("components.dataDisks", "Data disk IDs must be unique.");

        var instance = new Instance
        {
            Id = request.Id,
            AccountId = account.Id,
            Product = product.Code,
            Region = request.Region,
            Edition = edition.Code,
            Spec = request.Spec,
            ChargeType = request.ChargeType,
            CreatedAt = now,
            CycleStart = now,
            Components = components,
            Progress = Progress.Before(now),
        };
        var bought = Effects.None.Record(instance.Id, now, TimelineKind.Purchased,
            $"{product.Code} {request.Spec} in {request.Region}, {request.ChargeType.ToString().ToLowerInvariant()}");

        if (request.ChargeType == ChargeType.Payg)
        {
            if (request.PeriodMonths is not null) return Refusal.Invalid("periodMonths", "A pay-as-you-go instance has no period.");
            if (request.AutoRenew) return Refusal.Invalid("autoRenew", "A pay-as-you-go instance is never renewed.");
            return Change.Of(rules, instance with { PaygBilledThrough = now }, account, bought);
        }

        if (request.PeriodMonths is not { } months || !product.PurchasePeriods.Contains(months))
        {
            return new Refusal(RefusalCode.InvalidPeriod,
                $"{product.Code} is sold for {string.Join(", ", product.PurchasePeriods)} months.", "periodMonths");
        }

        if (request.AutoRenew && !product.Renewable)
            return new Refusal(RefusalCode.NotRenewable, $"{product.Code} instances cannot be renewed, so auto-renewal cannot be set.");

        var amount = Charges.PeriodPrice(product, request.Spec, components, months);
        var paid = Charges.Pay(account, amount, product.Code, instance.Id, now, $"purchase of {months} month(s)");
        if (paid.Refusal is { } refusal) return refusal;

        var expiry = rules.Calendar.ExpiryOfPurchase(now, months);
        var created = instance with
        {
            ExpiresAt = expiry,
            Mode = request.AutoRenew ? RenewalMode.Auto : RenewalMode.Manual,
            AutoRenewMonths = AutoRenewPeriodFor(months),
            CycleCash = paid.Value.FromBalance,
        };
        var order = new Order(
            OrderKind.Purchase, amount, paid.Value.FromCoupons, paid.Value.FromBalance, [new OrderItem(instance.Id, now, amount, expiry)]);
        return Change.Of(rules, created, paid.Value.Account, new Effects(paid.Value.Postings, order, [], [], []).Then(bought));
    }

    /// <summary>R2.4: 1 month for a purchase under a year, 12 from a year on.</summary>
    public static int AutoRenewPeriodFor(int purchasedMonths) => purchasedMonths < 12 ? 1 : 12;
}
