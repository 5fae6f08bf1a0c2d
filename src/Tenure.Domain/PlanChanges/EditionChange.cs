using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Money;

namespace Tenure.Domain.PlanChanges;

/// <summary>R6.6, R6.8: changing edition or billing method in place, keeping the instance's ID and endpoint.</summary>
public static class EditionChange
{
    /// <summary>
    /// R6.6: a PAYG edition that lists the target in <c>inPlaceChangeTo</c> (RocketMQ Standard →
    /// Enterprise Platinum) becomes a subscription of the chosen period, paid now, in place. Anything
    /// else — Platinum straight back to Standard included — is refused; that way back is the
    /// post-expiration action (R6.7). With <paramref name="paid"/>, see <see cref="ToSubscription"/>.
    /// </summary>
    public static Outcome<Change> Change(
        Rules rules, Instance instance, Account account, string edition, int periodMonths, Instant now, PendingPayment? paid = null)
    {
        var product = rules.Catalog.Get(instance.Product);
        if (product.FindEdition(edition) is not { } target)
            return Refusal.Invalid("edition", $"{product.Code} has no edition '{edition}'.");
        var current = product.FindEdition(instance.Edition)!;
        if (target.Code == current.Code) return Refusal.Invalid("edition", $"{instance.Id} is already {edition}.");
        if (!product.Editions.Any(e => e.InPlaceChangeTo.Length > 0)) return MigrationRequired(product, target.ChargeTypes[0], "edition");
        if (!current.InPlaceChangeTo.Contains(target.Code))
        {
            var hint = product.PostExpirationActions.Contains(PostExpirationAction.DowngradeToStandard)
                && target.ChargeTypes.Contains(ChargeType.Payg)
                ? " To go back, set the post-expiration action to downgradeToStandard and wait for expiry."
                : string.Empty;
            return new Refusal(RefusalCode.EditionChangeNotAllowed,
                $"{product.Code} cannot change from {current.Code} to {target.Code} in place.{hint}", "edition");
        }

        if (instance.Status != InstanceStatus.Running)
            return Refusal.State(
                $"An edition change needs a running instance; {instance.Id} is {instance.Status.ToString().ToLowerInvariant()}.");
        return ToSubscription(
            rules, instance, account, target, target.Specs[0].Code, periodMonths, now, OrderKind.EditionChange,
            TimelineKind.EditionChanged, paid);
    }

    /// <summary>
    /// R6.8: a billing method switch. In place only where the product allows PAYG → subscription in
    /// place (ECS); elsewhere the customer must migrate, and the refusal says how. With <paramref name="paid"/>, see
    /// <see cref="ToSubscription"/>.
    /// </summary>
    public static Outcome<Change> ChangeChargeType(
        Rules rules, Instance instance, Account account, ChargeType chargeType, int? periodMonths, Instant now,
        PendingPayment? paid = null)
    {
        var product = rules.Catalog.Get(instance.Product);
        if (chargeType == instance.ChargeType)
            return Refusal.Invalid("chargeType", $"{instance.Id} is already {chargeType.ToString().ToLowerInvariant()}.");
        if (instance.Status == InstanceStatus.Released) return Refusal.State($"{instance.Id} was released.");
        var edition = product.FindEdition(instance.Edition)!;
        if (chargeType == ChargeType.Subscription && product.PaygToSubscriptionInPlace
            && edition.ChargeTypes.Contains(ChargeType.Subscription))
        {
            if (instance.Status != InstanceStatus.Running)
                return Refusal.State($"{instance.Id} must be running to switch to subscription.");
            if (periodMonths is not { } months) return Refusal.Invalid("periodMonths", "Switching to subscription needs periodMonths.");
            return ToSubscription(
                rules, instance, account, edition, instance.Spec, months, now, OrderKind.ChargeTypeChange, TimelineKind.ChargeTypeChanged,
                paid);
        }

        if (product.Editions.Any(e => e.InPlaceChangeTo.Length > 0))
        {
            return new Refusal(RefusalCode.EditionChangeNotAllowed,
                $"{product.Code} changes billing method with its edition: use the edition change (" +
                $"{string.Join(", ", product.Editions.SelectMany(e => e.InPlaceChangeTo.Select(t => $"{e.Code} → {t}")))}).",
                "chargeType");
        }

        return MigrationRequired(product, chargeType, "chargeType");
    }

    /// <summary>R6.8: the refusal that names the migration, for products with no in-place change.</summary>
    private static Refusal MigrationRequired(Product product, ChargeType chargeType, string field) =>
        new(RefusalCode.MigrationRequired,
            $"{product.Code} cannot change this in place. Migrate: 1) create a new {chargeType.ToString().ToLowerInvariant()} instance; " +
            "2) connect consumers to both instances; 3) move producers to the new instance; " +
            "4) once the old instance has no messages left, disconnect from it and delete it.",
            field);

    /// <summary>
    /// R6.6, R6.8: the switch to a subscription of <paramref name="months"/>, a new paid cycle from now. R7.8: coupons, then
    /// balance, then the payment method; a method part asks for that payment (R7.9) with the change as its intent and
    /// applies nothing yet (the instance keeps running as it is). With <paramref name="paid"/>, that payment succeeded and
    /// its money is in <paramref name="account"/>'s balance: the change applies if it still costs what was asked, and the
    /// cycle keeps its cash and method parts apart for a later refund (R8.4, R7.11).
    /// </summary>
    private static Outcome<Change> ToSubscription(
        Rules rules, Instance instance, Account account, Edition target, string spec, int months, Instant now, OrderKind kind,
        TimelineKind eventKind, PendingPayment? paid)
    {
        var product = rules.Catalog.Get(instance.Product);
        if (Renewals.Renewal.PaymentInFlight(instance) is { } busy) return busy;
        if (!product.PurchasePeriods.Contains(months))
            return new Refusal(RefusalCode.InvalidPeriod,
                $"{product.Code} is sold for {string.Join(", ", product.PurchasePeriods)} months.", "periodMonths");
        var amount = Charges.PeriodPrice(product, spec, instance.Components, months);
        var memo = $"{target.Code} for {months} month(s)";
        var expiry = rules.Calendar.ExpiryOfPurchase(now, months);
        if (paid is null && Payment.Allocate(account, amount, product.Code, now, withMethod: true)
            is { Refusal: null, Value.FromMethod: > 0 and var ask })
        {
            var quote = new Renewals.Quote(instance.Id, product.Code, months, now, now, expiry, amount);
            var intent = new PaymentIntent(kind, months, amount) { Edition = target.Code };
            return Renewals.Renewal.Ask(rules, [instance], [quote], account, now, intent, ask, memo);
        }

        if (paid is not null && amount != paid.Intent?.Total) return Refusal.State("the change's price changed while it was paid");
        var charged = Charges.Pay(account, amount, product.Code, instance.Id, now, memo, paid?.Amount ?? 0);
        if (charged.Refusal is { } refusal) return refusal;
        var method = charged.Value.FromMethod;
        var changed = Commands.Touch(instance, now) with
        {
            Edition = target.Code,
            Spec = spec,
            ChargeType = ChargeType.Subscription,
            ExpiresAt = expiry,
            CycleStart = now,
            CycleCash = charged.Value.FromBalance - method,
            CycleMethod = method,
            AheadCycles = [],
            PaygBilledThrough = null,
            Mode = RenewalMode.Manual,
            AutoRenewMonths = Purchases.Purchase.AutoRenewPeriodFor(months),
        };
        var order = new Order(
            kind, amount, charged.Value.FromCoupons, charged.Value.FromBalance - method, [new OrderItem(instance.Id, now, amount, expiry)])
        {
            PaidByMethod = method,
        };
        return Instances.Change.Of(rules, changed, charged.Value.Account, new Effects(charged.Value.Postings, order, [], [], [])
            .Record(instance.Id, now, eventKind, $"{instance.Edition} ({instance.ChargeType.ToString().ToLowerInvariant()}) → " +
                $"{target.Code} (subscription, {months} month(s)); ID and endpoint kept")
            .Act(ResourceActionKind.Modify, instance.Id, now, $"edition {target.Code}, spec {spec}"));
    }
}
