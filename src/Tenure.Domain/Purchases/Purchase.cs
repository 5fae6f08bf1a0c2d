using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Money;
using Tenure.Domain.Payments;

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

/// <summary>
/// R2, R7.9: a purchase whose payment method pays a part, as data: what was asked, the total quoted and the instant of the
/// request, from which its expiry is computed once the payment succeeded (R2.1: the customer gets what was quoted).
/// </summary>
public sealed record PurchaseIntent(PurchaseRequest Request, long Total, Instant RequestedAt);

/// <summary>R2: buying an instance.</summary>
public static class Purchase
{
    /// <summary>
    /// R2.1–R2.5: a subscription is paid at once and expires at 00:00 of the day after
    /// <c>date(now) + n months</c>; its auto-renew period is 1 month under a year, 12 from a year on.
    /// PAYG has no expiry and is charged by the hour. If payment fails, nothing is created. R7.8: coupons, then balance,
    /// then the payment method; a purchase whose method part is non-zero creates nothing yet but asks for that payment with
    /// the purchase as its intent (<see cref="PurchaseIntent"/>), and <see cref="Settle"/> decides its result.
    /// </summary>
    public static Outcome<Change> Buy(Rules rules, Account account, PurchaseRequest request, Instant now) =>
        Decide(rules, account, request, now, byMethod: null);

    /// <summary>
    /// R2, R7.9–R7.11: the result of the payment a purchase asked for. A success pays the method's money into the balance and
    /// buys as <see cref="Buy"/> would have at the request's instant (its expiry, cycle and coupons are the request's), if it
    /// still costs what was asked and coupons and balance still pay their part; otherwise the payment is refunded whole. A
    /// decline creates nothing and takes nothing (a hard one retires the method).
    /// </summary>
    public static Change Settle(Rules rules, Account account, PurchaseIntent intent, long amount, PaymentResult result, Instant now)
    {
        var request = intent.Request;
        if (result.Status == PaymentStatus.Declined)
        {
            if (!result.Hard || account.Method is not { } method) return new Change(account, Effects.None);
            var retired = account with { Method = method with { Status = PaymentMethodStatus.DeclinedHard } };
            return new Change(retired, Effects.None.Notify(Notice(NoticeKind.PaymentMethodNeedsUpdate, account, intent, now,
                Data(request) with { DeclineReason = result.Why }))
                with { MethodDeclinedHard = true });
        }

        var bought = Decide(rules, account.Move(amount, now), request, intent.RequestedAt, amount);
        if (bought.Refusal is not null || bought.Value.Effects.Order?.Total != intent.Total)
        {
            var data = Data(request) with { Amount = amount, Currency = account.Currency };
            return new Change(account, Effects.None
                .RefundToMethod(new MethodRefund(request.Id, intent.RequestedAt, amount, OfSettledPayment: true))
                .Notify(Notice(NoticeKind.PaymentRefunded, account, intent, now, data)));
        }

        var change = bought.Value;
        var label = account.Method?.Label ?? "the payment method";
        var payment = new LedgerPosting(LedgerKind.Payment, amount, request.Id, null, $"purchase: paid by {label}");
        return Change.Of(rules, change.Instance, change.Account, Effects.None.Post(payment).Then(change.Effects));
    }

    /// <summary>
    /// A notice of a purchase's payment: it names no instance, as none was created (R2: if payment fails, nothing is).
    /// </summary>
    private static Notice Notice(NoticeKind kind, Account account, PurchaseIntent intent, Instant at, NoticeData data) =>
        new(kind, account.Id, null, at, data, $"{intent.Request.Id}:{kind}:{intent.RequestedAt}:0");

    private static NoticeData Data(PurchaseRequest r) =>
        new(r.Product, r.Spec, r.AutoRenew ? RenewalMode.Auto : RenewalMode.Manual, null, null);

    /// <summary>
    /// <see cref="Buy"/>; with <paramref name="byMethod"/> (R7.9, a settled payment), the payment method paid that much into
    /// the balance first, and the order and the cycle keep it apart (R8.4: a refund sends each part back to its source).
    /// </summary>
    private static Outcome<Change> Decide(Rules rules, Account account, PurchaseRequest request, Instant now, long? byMethod)
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
        var memo = $"purchase of {months} month(s)";
        // Only an account with a usable method can have a method part: without one, the charge alone decides.
        if (byMethod is null && account.Method is { Usable: true }
            && Payment.Allocate(account, amount, product.Code, now, withMethod: true) is
                { Refusal: null, Value.FromMethod: > 0 and var ask })
        {
            var payment = new PaymentRequest(instance.Id, ask, now, memo) { Purchase = new PurchaseIntent(request, amount, now) };
            return new Change(account, Effects.None.Request(payment));
        }

        var paid = Charges.Pay(account, amount, product.Code, instance.Id, now, memo, byMethod ?? 0);
        if (paid.Refusal is { } refusal) return refusal;
        var method = paid.Value.FromMethod;

        var expiry = rules.Calendar.ExpiryOfPurchase(now, months);
        var created = instance with
        {
            ExpiresAt = expiry,
            Mode = request.AutoRenew ? RenewalMode.Auto : RenewalMode.Manual,
            AutoRenewMonths = AutoRenewPeriodFor(months),
            CycleCash = paid.Value.FromBalance - method,
            CycleMethod = method,
        };
        var order = new Order(
            OrderKind.Purchase, amount, paid.Value.FromCoupons, paid.Value.FromBalance - method,
            [new OrderItem(instance.Id, now, amount, expiry)])
        {
            PaidByMethod = method,
        };
        return Change.Of(rules, created, paid.Value.Account, new Effects(paid.Value.Postings, order, [], [], []).Then(bought));
    }

    /// <summary>R2.4: 1 month for a purchase under a year, 12 from a year on.</summary>
    public static int AutoRenewPeriodFor(int purchasedMonths) => purchasedMonths < 12 ? 1 : 12;
}
