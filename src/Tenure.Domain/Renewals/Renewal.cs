using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Domain.Money;
using Tenure.Domain.Payments;

namespace Tenure.Domain.Renewals;

/// <summary>R3.6: what a renewal will do, shown before payment.</summary>
public sealed record Quote(InstanceId InstanceId, string Product, int PeriodMonths, Instant CurrentExpiresAt, Instant CycleStart, Instant NewExpiresAt, long Amount);

/// <summary>Manual renewal: quote (R3.6) and pay (R3.1–R3.5); batch renewal (R8.2, R7.5).</summary>
public static class Renewal
{
    /// <summary>R3.5: released, PAYG and non-renewable instances cannot be renewed.</summary>
    public static Refusal? Renewable(Rules rules, Instance instance)
    {
        if (instance.Status == InstanceStatus.Released) return new Refusal(RefusalCode.NotRenewable, $"{instance.Id} was released and cannot be renewed.");
        if (!instance.IsSubscription) return new Refusal(RefusalCode.NotRenewable, $"{instance.Id} is pay-as-you-go: it has no expiry to renew.");
        if (!rules.Catalog.Get(instance.Product).Renewable) return new Refusal(RefusalCode.NotRenewable, $"{instance.Product} instances cannot be renewed.");
        return null;
    }

    /// <summary>
    /// R3.4: a running instance (even expired, in grace) renews from its expiry E; a stopped one
    /// from now, with the purchase rule of R2.1.
    /// </summary>
    public static (Instant CycleStart, Instant NewExpiry) NextCycle(Rules rules, Instance instance, int months, Instant now) =>
        instance.Status == InstanceStatus.Stopped
            ? (now, rules.Calendar.ExpiryOfPurchase(now, months))
            : (instance.Expiry, rules.Calendar.Extend(instance.Expiry, months));

    /// <summary>R3.3, R3.6: the new expiry and price of renewing <paramref name="months"/>; no money moves.</summary>
    public static Outcome<Quote> Quote(Rules rules, Instance instance, int months, Instant now)
    {
        if (Renewable(rules, instance) is { } refusal) return refusal;
        var product = rules.Catalog.Get(instance.Product);
        if (!product.ManualPeriods.Contains(months))
        {
            return new Refusal(RefusalCode.InvalidPeriod, $"{product.Code} renews for {string.Join(", ", product.ManualPeriods)} months, not {months}.", "periodMonths");
        }

        var (start, newExpiry) = NextCycle(rules, instance, months, now);
        return new Quote(instance.Id, instance.Product, months, instance.Expiry, start, newExpiry,
            Charges.RenewalPrice(product, instance, months));
    }

    /// <summary>
    /// Renews one instance now: quote, pay, apply. R7.8: coupons, then balance, then the payment method; a charge whose
    /// method part is non-zero applies nothing yet but asks for that payment (R7.9), with the renewal it would complete
    /// as its intent, and marks the instance payment-pending (R7.10). <see cref="Settle"/> decides its result.
    /// </summary>
    public static Outcome<Change> Renew(Rules rules, Instance instance, Account account, int months, Instant now) =>
        Quote(rules, instance, months, now).Then(quote =>
        {
            var memo = $"renewal of {months} month(s)";
            if (Payment.Allocate(account, quote.Amount, instance.Product, now, withMethod: true) is { Refusal: null, Value.FromMethod: > 0 and var ask })
            {
                if (instance.PaymentPending is not null) return Refusal.State($"A payment for {instance.Id} is pending; wait for its result.");
                var intent = new PaymentIntent(OrderKind.Renewal, months, quote.Amount);
                var pending = Commands.Touch(instance, now) with
                {
                    PaymentPending = new PendingPayment(ask, now, rules.Calendar.DaysBetween(instance.Expiry, now), quote.CycleStart) { Intent = intent },
                };
                return Change.Of(rules, pending, account, Effects.None
                    .Request(new PaymentRequest(instance.Id, ask, quote.CycleStart, memo))
                    .Record(instance.Id, now, TimelineKind.PaymentRequested, $"Renewal of {months} month(s): {new Money.Money(ask, account.Currency)} asked of {account.Method!.Label}"));
            }

            return Charges.Pay(account, quote.Amount, instance.Product, instance.Id, now, memo).Then<Change>(paid =>
                Apply(rules, Commands.Touch(instance, now), paid, quote.CycleStart, quote.NewExpiresAt, now, OrderKind.Renewal, $"renewed {months} month(s)"));
        });

    /// <summary>
    /// R7.9–R7.11: the result of the payment a manual renewal asked for (<paramref name="instance"/> no longer pending).
    /// A success pays the method's money into the balance and renews as <see cref="Renew"/> would, if the renewal still
    /// costs what was asked and coupons and balance still pay their part; otherwise the payment is refunded whole. A
    /// decline applies nothing (a hard one retires the method).
    /// </summary>
    public static Change Settle(Rules rules, Instance instance, Account account, PendingPayment pending, PaymentResult result, Instant now)
    {
        var intent = pending.Intent ?? throw new ArgumentException("The payment of an auto-renew attempt settles as its attempt.", nameof(pending));
        var label = account.Method?.Label ?? "the payment method";
        if (result.Status == PaymentStatus.Declined)
        {
            return Lifecycle.Lifecycle.MethodDeclined(rules, instance, account, now, pending.DayOffset, result, Effects.None.Record(instance.Id, now,
                TimelineKind.PaymentDeclined, $"Renewal of {intent.Months} month(s) not applied: {label} was declined ({result.Why})"));
        }

        var quote = Quote(rules, instance, intent.Months, now);
        if (quote.Refusal is { } gone) return Lifecycle.Lifecycle.Refunded(rules, instance, account, now, pending, gone.Detail);
        if (quote.Value.Amount != intent.Total || quote.Value.CycleStart != pending.PeriodStart)
        {
            return Lifecycle.Lifecycle.Refunded(rules, instance, account, now, pending, "the renewal's price or cycle changed while it was paid");
        }

        var funded = account.Move(pending.Amount, now);
        var memo = $"renewal of {intent.Months} month(s)";
        var paid = Charges.Pay(funded, intent.Total, instance.Product, instance.Id, now, memo);
        if (paid.Refusal is { } shortfall)
        {
            return Lifecycle.Lifecycle.Refunded(rules, instance, account, now, pending, $"coupons and balance no longer pay their part ({shortfall.Detail})");
        }

        var applied = Apply(rules, instance, paid.Value with { FromMethod = pending.Amount }, quote.Value.CycleStart, quote.Value.NewExpiresAt, now,
            OrderKind.Renewal, $"renewed {intent.Months} month(s)");
        var payment = Effects.None.Post(new LedgerPosting(LedgerKind.Payment, pending.Amount, instance.Id, null, $"{memo}: paid by {label}"));
        return Change.Of(rules, applied.Instance, applied.Account, payment.Then(applied.Effects));
    }

    /// <summary>R8.2: quotes for several instances; ECS may not be batched with other products.</summary>
    public static Outcome<ImmutableArray<Quote>> QuoteBatch(Rules rules, IReadOnlyList<(Instance Instance, int Months)> items, Instant now)
    {
        if (items.Count == 0) return Refusal.Invalid("items", "A batch needs at least one instance.");
        if (items.Select(i => i.Instance.Id).Distinct().Count() != items.Count) return Refusal.Invalid("items", "An instance appears more than once in the batch.");
        if (Commands.MixesProducts(rules, items.Select(i => i.Instance)) is { } mixed) return mixed;
        var quotes = ImmutableArray.CreateBuilder<Quote>(items.Count);
        foreach (var (instance, months) in items)
        {
            var quote = Quote(rules, instance, months, now);
            if (quote.Refusal is { } refusal) return refusal with { Detail = $"{instance.Id}: {refusal.Detail}" };
            quotes.Add(quote.Value);
        }

        return quotes.MoveToImmutable();
    }

    /// <summary>R8.2, R7.5: a batch renewal is one order: every item is paid, or none.</summary>
    public static Outcome<Change> RenewBatch(Rules rules, IReadOnlyList<(Instance Instance, int Months)> items, Account account, Instant now) =>
        QuoteBatch(rules, items, now).Then(quotes => PayQuotes(rules, items.Select(i => i.Instance).ToList(), quotes, account, now, OrderKind.Renewal, "batch renewal"));

    /// <summary>Pays several quotes as one order and applies each.</summary>
    public static Outcome<Change> PayQuotes(Rules rules, IReadOnlyList<Instance> instances, IReadOnlyList<Quote> quotes, Account account, Instant now, OrderKind kind, string memo)
    {
        var paid = Charges.PayAll(account, quotes.Select(q => (q.InstanceId, q.Product, q.Amount)).ToList(), now, memo);
        if (paid.Refusal is { } refusal) return refusal;
        var renewed = ImmutableArray.CreateBuilder<Instance>(quotes.Count);
        var effects = Effects.None.Then(new Effects(paid.Value.Postings, null, [], [], []));
        foreach (var (instance, quote) in instances.Zip(quotes))
        {
            var one = Extend(rules, Commands.Touch(instance, now), quote.CycleStart, quote.NewExpiresAt, CashShare(paid.Value, quote), now, $"{memo}: {quote.PeriodMonths} month(s)");
            renewed.Add(one.Instance);
            effects = effects.Then(one.Effects);
        }

        var items = quotes.Select(q => new OrderItem(q.InstanceId, q.CycleStart, q.Amount, q.NewExpiresAt) { Renews = q.CurrentExpiresAt })
            .ToImmutableArray();
        effects = effects.WithOrder(new Order(kind, paid.Value.Total, paid.Value.FromCoupons, paid.Value.FromBalance, items));
        return Change.Of(rules, renewed.MoveToImmutable(), paid.Value.Account, effects);
    }

    /// <summary>
    /// Applies a paid renewal: the new cycle starts at <paramref name="cycleStart"/> and ends at
    /// <paramref name="newExpiry"/>; a stopped instance starts again (R5.4).
    /// </summary>
    public static Change Apply(Rules rules, Instance instance, Paid paid, Instant cycleStart, Instant newExpiry, Instant at, OrderKind kind, string why)
    {
        var one = Extend(rules, instance, cycleStart, newExpiry, paid.FromBalance - paid.FromMethod, at, why, paid.FromMethod);
        var item = new OrderItem(instance.Id, cycleStart, paid.Total, newExpiry) { Renews = instance.ExpiresAt };
        var order = new Order(kind, paid.Total, paid.FromCoupons, paid.FromBalance - paid.FromMethod, [item])
        {
            PaidByMethod = paid.FromMethod,
        };
        return Change.Of(rules, one.Instance, paid.Account, new Effects(paid.Postings, order, [], [], []).Then(one.Effects));
    }

    private static (Instance Instance, Effects Effects) Extend(
        Rules rules, Instance instance, Instant cycleStart, Instant newExpiry, long cash, Instant at, string why, long method = 0)
    {
        var wasStopped = instance.Status == InstanceStatus.Stopped;

        // R8.4: cycles are kept apart. Renewed before expiry, the running cycle stays as it is and the
        // renewal adds a cycle from the old expiry; an unsubscription refunds each by its own days.
        var ahead = !wasStopped && at < instance.Expiry;
        var renewed = instance with
        {
            ExpiresAt = newExpiry,
            CycleStart = ahead ? instance.CycleStart : cycleStart,
            CycleCash = ahead ? instance.CycleCash : cash,
            CycleMethod = ahead ? instance.CycleMethod : method,
            AheadCycles = ahead ? instance.AheadCycles.Add(new PaidCycle(cycleStart, newExpiry, cash, method)) : [],
            Status = InstanceStatus.Running,
            StoppedAt = null,
            StopCause = null,
        };
        var until = rules.Calendar.Local(newExpiry);
        var effects = Effects.None
            .Record(instance.Id, at, TimelineKind.Renewed, $"{why}; expires {until:uuuu-MM-dd HH:mm}")
            .Notify(Lifecycle.Notices.Of(NoticeKind.Renewed, renewed, at, 0));
        if (wasStopped)
        {
            effects = effects
                .Record(instance.Id, at, TimelineKind.Started, "renewed while stopped")
                .Notify(Lifecycle.Notices.Of(NoticeKind.Started, renewed, at, 0, NoticeData.Of(renewed) with { Reason = NoticeReason.Renewed }))
                .Act(ResourceActionKind.Start, instance.Id, at, "renewed while stopped");
        }

        return (renewed, effects);
    }

    /// <summary>The cash part of one item of a batch, for a later refund (R8.4): coupons are spent first, in item order.</summary>
    private static long CashShare(Paid paid, Quote quote) =>
        -paid.Postings.Where(p => p.InstanceId == quote.InstanceId && p.CouponId is null).Sum(p => p.Amount);
}
