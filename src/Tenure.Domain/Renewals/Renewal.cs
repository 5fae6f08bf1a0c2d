using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Domain.Money;
using Tenure.Domain.Payments;

namespace Tenure.Domain.Renewals;

/// <summary>R3.6: what a renewal will do, shown before payment.</summary>
public sealed record Quote(
    InstanceId InstanceId, string Product, int PeriodMonths, Instant CurrentExpiresAt, Instant CycleStart, Instant NewExpiresAt,
    long Amount);

/// <summary>Manual renewal: quote (R3.6) and pay (R3.1–R3.5); batch renewal (R8.2, R7.5).</summary>
public static class Renewal
{
    /// <summary>R3.5: released, PAYG and non-renewable instances cannot be renewed.</summary>
    public static Refusal? Renewable(Rules rules, Instance instance)
    {
        if (instance.Status == InstanceStatus.Released)
            return new Refusal(RefusalCode.NotRenewable, $"{instance.Id} was released and cannot be renewed.");
        if (!instance.IsSubscription)
            return new Refusal(RefusalCode.NotRenewable, $"{instance.Id} is pay-as-you-go: it has no expiry to renew.");
        if (!rules.Catalog.Get(instance.Product).Renewable)
            return new Refusal(RefusalCode.NotRenewable, $"{instance.Product} instances cannot be renewed.");
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

    /// <summary>
    /// R7.10: an instance whose payment is pending (an auto-renewal's or a command's) is not renewed or extended again
    /// until that payment settles, even when coupons and balance alone would pay.
    /// </summary>
    public static Refusal? PaymentInFlight(Instance instance) =>
        instance.PaymentPending is null ? null : Refusal.State($"A payment for {instance.Id} is pending; wait for its result.");

    /// <summary>
    /// R3.3, R3.6: the new expiry and price of renewing <paramref name="months"/>; no money moves (and none while a payment
    /// is pending).
    /// </summary>
    public static Outcome<Quote> Quote(Rules rules, Instance instance, int months, Instant now)
    {
        if (Renewable(rules, instance) is { } refusal) return refusal;
        if (PaymentInFlight(instance) is { } busy) return busy;
        var product = rules.Catalog.Get(instance.Product);
        if (!product.ManualPeriods.Contains(months))
        {
            return new Refusal(RefusalCode.InvalidPeriod,
                $"{product.Code} renews for {string.Join(", ", product.ManualPeriods)} months, not {months}.", "periodMonths");
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
            var allocation = Payment.Allocate(account, quote.Amount, instance.Product, now, withMethod: true);
            if (allocation is { Refusal: null, Value.FromMethod: > 0 and var ask })
            {
                return Ask(rules, [instance], [quote], account, now, new PaymentIntent(OrderKind.Renewal, months, quote.Amount), ask, memo);
            }

            return Charges.Pay(account, quote.Amount, instance.Product, instance.Id, now, memo).Then<Change>(paid =>
                Apply(rules, Commands.Touch(instance, now), paid, quote.CycleStart, quote.NewExpiresAt, now, OrderKind.Renewal,
                    $"renewed {months} month(s)"));
        });

    /// <summary>
    /// R7.9–R7.11: the result of the payment a manual or batch renewal asked for (<paramref name="instances"/>, the
    /// payment's first, no longer pending). A success pays the method's money into the balance and renews as the command
    /// would, if it still costs what was asked, from the same cycles, and coupons and balance still pay their part;
    /// otherwise the payment is refunded whole. A decline applies nothing (a hard one retires the method).
    /// </summary>
    public static Change Settle(
        Rules rules, ImmutableArray<Instance> instances, Account account, PendingPayment pending, PaymentResult result, Instant now)
    {
        var intent = pending.Intent ?? throw new ArgumentException("An auto-renewal's payment settles as its attempt.", nameof(pending));
        var label = account.Method?.Label ?? "the payment method";
        if (result.Status == PaymentStatus.Declined)
        {
            var effects = instances.Aggregate(Effects.None, (e, i) => e.Record(i.Id, now, TimelineKind.PaymentDeclined,
                $"The {Named(intent.Kind)} was not applied: {label} was declined ({result.Why})"));
            var (declined, noted) = Lifecycle.Lifecycle.MethodDeclined(instances[0], account, now, pending.DayOffset, result, effects);
            return Change.Of(rules, instances, declined, noted);
        }

        var funded = account.Move(pending.Amount, now);
        var renewed = intent.Kind switch
        {
            OrderKind.Upgrade => PlanChanges.SpecChange.Paid(rules, instances[0], funded, pending, now),
            OrderKind.RenewDowngrade => PlanChanges.RenewDowngrade.Apply(rules, instances[0], funded, intent.Downgrade!, now, pending),
            OrderKind.EditionChange => PlanChanges.EditionChange.Change(
                rules, instances[0], funded, intent.Edition!, intent.Months, now, pending),
            OrderKind.ChargeTypeChange => PlanChanges.EditionChange.ChangeChargeType(
                rules, instances[0], funded, Catalog.ChargeType.Subscription, intent.Months, now, pending),
            _ when intent.Items.IsEmpty => RenewPaid(rules, instances[0], funded, pending, intent, now),
            _ => RenewBatchPaid(rules, instances, funded, intent, now),
        };
        if (renewed.Refusal is { } refusal)
        {
            var refund = Lifecycle.Lifecycle.RefundEffects(instances[0], account, now, pending, refusal.Detail);
            return Change.Of(rules, instances, account, refund);
        }

        var change = renewed.Value;
        var memo = $"{Named(intent.Kind)}: paid by {label}";
        var payment = new LedgerPosting(LedgerKind.Payment, pending.Amount, instances[0].Id, null, memo);
        return Change.Of(rules, change.Instances, change.Account, Effects.None.Post(payment).Then(change.Effects));
    }

    /// <summary>What a command's payment pays for, in its timeline line and ledger memo.</summary>
    private static string Named(OrderKind kind) => kind switch
    {
        OrderKind.Upgrade => "upgrade",
        OrderKind.RenewDowngrade => "renew-and-downgrade",
        OrderKind.EditionChange => "edition change",
        OrderKind.ChargeTypeChange => "switch to subscription",
        OrderKind.UnifyExpiry => "unified expiry",
        _ => "renewal",
    };

    /// <summary>R7.9: <see cref="Renew"/> with the method's money in the balance, refused if it no longer renews as asked.</summary>
    private static Outcome<Change> RenewPaid(
        Rules rules, Instance instance, Account funded, PendingPayment pending, PaymentIntent intent, Instant now) =>
        Quote(rules, instance, intent.Months, now).Then(quote => quote.Amount != intent.Total || quote.CycleStart != pending.PeriodStart
            ? Changed()
            : Charges.Pay(
                    funded, quote.Amount, quote.Product, quote.InstanceId, now, $"renewal of {intent.Months} month(s)", pending.Amount)
                .Then<Change>(paid => Apply(rules, instance, paid, quote.CycleStart, quote.NewExpiresAt, now, OrderKind.Renewal,
                    $"renewed {intent.Months} month(s)")));

    /// <summary>
    /// R7.5, R7.9: <see cref="PayOrAsk"/>'s order (a batch renewal, or a unified expiry, R8.3) quoted again and paid with
    /// the method's money in the balance, each item's share kept apart.
    /// </summary>
    private static Outcome<Change> RenewBatchPaid(
        Rules rules, ImmutableArray<Instance> instances, Account funded, PaymentIntent intent, Instant now)
    {
        var ordered = intent.Items.Select(x => instances.Single(i => i.Id == x.InstanceId)).ToList();
        var unify = intent.Kind == OrderKind.UnifyExpiry;
        var requoted = unify
            ? UnifiedExpiry.Quote(rules, ordered, intent.DayOfMonth, now)
            : QuoteBatch(rules, [.. ordered.Zip(intent.Items, (i, x) => (i, x.Months))], now);
        return requoted.Then(quotes =>
            quotes.Sum(q => q.Amount) != intent.Total || quotes.Zip(intent.Items).Any(p => p.First.CycleStart != p.Second.PeriodStart)
                ? Changed()
                : PayQuotes(rules, ordered, quotes, funded, now, intent.Kind, unify ? UnifiedExpiry.Memo(intent.DayOfMonth) : BatchMemo,
                    [.. intent.Items.Select(x => x.FromMethod)]));
    }

    private static Refusal Changed() => Refusal.State("the renewal's price or cycle changed while it was paid");

    /// <summary>
    /// R7.9, R7.10: the change of a command whose method part is non-zero: the payment is asked for with
    /// <paramref name="intent"/> and each instance is payment-pending; nothing is charged and no order is made yet.
    /// </summary>
    internal static Outcome<Change> Ask(
        Rules rules, IReadOnlyList<Instance> instances, IReadOnlyList<Quote> quotes, Account account, Instant now,
        PaymentIntent intent, long ask, string memo)
    {
        var pending = instances.Zip(quotes, (i, q) => Commands.Touch(i, now) with
        {
            // A PAYG instance switching to subscription (R6.6) has no expiry yet to count its day from.
            PaymentPending = new PendingPayment(ask, now, i.ExpiresAt is { } e ? rules.Calendar.DaysBetween(e, now) : 0, q.CycleStart)
            {
                Intent = intent,
            },
        }).ToImmutableArray();
        var text = $"{memo}: {new Money.Money(ask, account.Currency)} asked of {account.Method!.Label}";
        var request = new PaymentRequest(instances[0].Id, ask, quotes[0].CycleStart, memo)
        {
            Batch = [.. instances.Skip(1).Select(i => i.Id)],
        };
        var effects = instances.Aggregate(Effects.None.Request(request),
            (e, i) => e.Record(i.Id, now, TimelineKind.PaymentRequested, text));
        return Change.Of(rules, pending, account, effects);
    }

    /// <summary>R8.2: quotes for several instances; ECS may not be batched with other products.</summary>
    public static Outcome<ImmutableArray<Quote>> QuoteBatch(Rules rules, IReadOnlyList<(Instance Instance, int Months)> items, Instant now)
    {
        if (items.Count == 0) return Refusal.Invalid("items", "A batch needs at least one instance.");
        if (items.Select(i => i.Instance.Id).Distinct().Count() != items.Count)
            return Refusal.Invalid("items", "An instance appears more than once in the batch.");
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

    /// <summary>
    /// R8.2, R7.5: a batch renewal is one order: every item is paid, or none. R7.8: when coupons and balance fall short and
    /// the payment method pays the rest, the one payment is asked for first (<see cref="Ask"/>), settled by <see cref="Settle"/>.
    /// </summary>
    public static Outcome<Change> RenewBatch(
        Rules rules, IReadOnlyList<(Instance Instance, int Months)> items, Account account, Instant now) =>
        QuoteBatch(rules, items, now).Then(quotes =>
        {
            var instances = items.Select(i => i.Instance).ToList();
            return PayOrAsk(rules, instances, quotes, account, now, new PaymentIntent(OrderKind.Renewal, 0, 0), BatchMemo);
        });

    private const string BatchMemo = "batch renewal";

    /// <summary>
    /// R7.5, R7.8: several quotes paid as one order of <paramref name="intent"/>'s kind, from coupons and balance; when they
    /// fall short and the payment method pays the rest, the one payment is asked for first (<see cref="Ask"/>) with
    /// <paramref name="intent"/>, its total and items filled in here, and <see cref="Settle"/> decides its result.
    /// </summary>
    public static Outcome<Change> PayOrAsk(
        Rules rules, IReadOnlyList<Instance> instances, IReadOnlyList<Quote> quotes, Account account, Instant now, PaymentIntent intent,
        string memo)
    {
        if (Charges.MethodShares(account, [.. quotes.Select(q => (q.Product, q.Amount))], now) is { } shares && shares.Sum() > 0)
        {
            var parts = instances.Zip(quotes, shares)
                .Select(p => new IntentItem(p.First.Id, p.Second.PeriodMonths, p.Second.CycleStart, p.Third));
            var asked = intent with { Total = quotes.Sum(q => q.Amount), Items = [.. parts] };
            return Ask(rules, instances, quotes, account, now, asked, shares.Sum(), memo);
        }

        return PayQuotes(rules, instances, quotes, account, now, intent.Kind, memo);
    }

    /// <summary>
    /// Pays several quotes as one order and applies each; with <paramref name="fromMethod"/> (R7.9, a settled payment),
    /// the payment method paid that much of each quote into the balance first.
    /// </summary>
    public static Outcome<Change> PayQuotes(
        Rules rules, IReadOnlyList<Instance> instances, IReadOnlyList<Quote> quotes, Account account, Instant now, OrderKind kind,
        string memo, IReadOnlyList<long>? fromMethod = null)
    {
        var paid = Charges.PayAll(account, quotes.Select(q => (q.InstanceId, q.Product, q.Amount)).ToList(), now, memo, fromMethod);
        if (paid.Refusal is { } refusal) return refusal;
        var renewed = ImmutableArray.CreateBuilder<Instance>(quotes.Count);
        var effects = Effects.None.Then(new Effects(paid.Value.Postings, null, [], [], []));
        foreach (var (n, instance, quote) in instances.Zip(quotes).Select((p, n) => (n, p.First, p.Second)))
        {
            var method = fromMethod?[n] ?? 0;
            var cash = CashShare(paid.Value, quote) - method;
            var one = Extend(rules, Commands.Touch(instance, now), quote.CycleStart, quote.NewExpiresAt, cash, now,
                $"{memo}: {quote.PeriodMonths} month(s)", method);
            renewed.Add(one.Instance);
            effects = effects.Then(one.Effects);
        }

        var items = quotes.Select(q => new OrderItem(q.InstanceId, q.CycleStart, q.Amount, q.NewExpiresAt) { Renews = q.CurrentExpiresAt })
            .ToImmutableArray();
        var byMethod = paid.Value.FromMethod;
        effects = effects.WithOrder(new Order(kind, paid.Value.Total, paid.Value.FromCoupons, paid.Value.FromBalance - byMethod, items)
        {
            PaidByMethod = byMethod,
        });
        return Change.Of(rules, renewed.MoveToImmutable(), paid.Value.Account, effects);
    }

    /// <summary>
    /// Applies a paid renewal: the new cycle starts at <paramref name="cycleStart"/> and ends at
    /// <paramref name="newExpiry"/>; a stopped instance starts again (R5.4).
    /// </summary>
    public static Change Apply(
        Rules rules, Instance instance, Paid paid, Instant cycleStart, Instant newExpiry, Instant at, OrderKind kind, string why)
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
                .Notify(Lifecycle.Notices.Of(
                    NoticeKind.Started, renewed, at, 0, NoticeData.Of(renewed) with { Reason = NoticeReason.Renewed }))
                .Act(ResourceActionKind.Start, instance.Id, at, "renewed while stopped");
        }

        return (renewed, effects);
    }

    /// <summary>The cash part of one item of a batch, for a later refund (R8.4): coupons are spent first, in item order.</summary>
    private static long CashShare(Paid paid, Quote quote) =>
        -paid.Postings.Where(p => p.InstanceId == quote.InstanceId && p.CouponId is null).Sum(p => p.Amount);
}
