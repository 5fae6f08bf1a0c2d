using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Money;
using Tenure.Domain.Payments;
using Tenure.Domain.Renewals;

namespace Tenure.Domain.Lifecycle;

/// <summary>
/// The transitions of due lifecycle events: each takes the instance, its account and the time,
/// and returns the new state with its effects. The engine and test clocks call only this.
/// </summary>
public static class Lifecycle
{
    /// <summary>
    /// Whether running <paramref name="due"/> needs the account's other auto-renew instances: the
    /// T-7 reminder of an auto-renew instance checks the account's coming charges (R9.5).
    /// </summary>
    public static bool NeedsAccountInstances(Instance instance, DueEvent due) =>
        due.Kind == EventKind.Reminder && instance.Mode == RenewalMode.Auto;

    /// <summary>
    /// Runs the instance's next event if it is due at <paramref name="now"/>; null when nothing is due.
    /// Events run at their own instant (a late engine still stops at the planned moment), but a
    /// reminder or release warning whose local day has passed is recorded as skipped, not sent late.
    /// </summary>
    /// <param name="accountInstances">The account's instances, needed when <see cref="NeedsAccountInstances"/> says so.</param>
    public static Change? Advance(
        Rules rules, Instance instance, Account account, Instant now, IReadOnlyList<Instance>? accountInstances = null) =>
        Schedule.Next(rules, instance, account) is { } due && due.At <= now
            ? Run(rules, instance, account, due, now, accountInstances is null ? null : ForecastBook.Of(rules, account, accountInstances))
            : null;

    /// <summary>
    /// <see cref="Advance"/> for a caller that knows the next event already: <paramref name="due"/> must be the
    /// instance's next event under <paramref name="account"/> (<see cref="Schedule.Next"/>), as the change that
    /// made the instance carries it (<see cref="Change.NextDue"/>) while <see cref="Schedule.SamePlans"/> holds,
    /// and due at <paramref name="now"/>. The engine runs events this way, so it never plans an event twice.
    /// </summary>
    /// <param name="forecast">
    /// The book of the account's instances (with this one as it is), needed when <see cref="NeedsAccountInstances"/> says so.
    /// </param>
    public static Change Run(Rules rules, Instance instance, Account account, DueEvent due, Instant now, ForecastBook? forecast = null)
    {
        if (due.At > now) throw new ArgumentException($"{instance.Id}: {due.Kind} at {due.At} is not due at {now}.", nameof(due));
#if DEBUG
        // The tests run in Debug: a caller that kept a stale event fails them, at no cost to the engine in Release.
        if (Schedule.Next(rules, instance, account) != due)
        {
            throw new InvalidOperationException($"{instance.Id}: {due.Kind} at {due.At} is not its next event.");
        }

#endif
        var moved = instance with { Progress = Progress.After(due) };
        return due.Kind switch
        {
            EventKind.ApplyChange => ApplyChange(rules, moved, account, due),
            EventKind.Expire => Change.Of(rules, moved, account, Effects.None.Record(instance.Id, due.At, TimelineKind.Expired,
                $"the paid period ended (mode {instance.Mode.ToString().ToLowerInvariant()})")),
            EventKind.Reminder => Remind(rules, moved, account, due, now, forecast),
            EventKind.AutoRenewAttempt => AttemptAutoRenewal(rules, moved, account, due),
            EventKind.ReleaseWarning => WarnOfRelease(rules, moved, account, due, now),
            EventKind.Stop => Stop(rules, moved, account, due.At, Instances.StopCause.Expiry),
            EventKind.ConvertToPayg =>
                ConvertToPayg(rules, moved, account, due.At, "expired with post-expiration action downgradeToStandard"),
            EventKind.Release => Release(rules, moved, account, due.At, NoticeReason.RetentionEnded),
            EventKind.PaygCharge => ChargePaygHour(rules, moved, account, due),
            EventKind.PaygOverdueStop => Stop(rules, moved, account, due.At, Instances.StopCause.Overdue),
            _ => throw new InvalidOperationException($"Unhandled event {due.Kind}"),
        };
    }

    /// <summary>R9.1 (and R9.5 for auto-renew instances at T-7).</summary>
    private static Change Remind(Rules rules, Instance instance, Account account, DueEvent due, Instant now, ForecastBook? book)
    {
        var calendar = rules.Calendar;
        var offset = calendar.DaysBetween(instance.Expiry, due.At);
        if (IsStale(rules, due, now))
        {
            return Change.Of(rules, instance, account, Effects.None.Record(instance.Id, due.At, TimelineKind.ReminderSkipped,
                $"T{offset:+0;-0;+0} reminder not sent: its day passed before it could run (ran at {now})"));
        }

        var product = rules.Catalog.Get(instance.Product);
        var reminder = NoticeData.Of(instance) with
        {
            FirstAttemptAt = instance.Mode == RenewalMode.Auto && !product.AutoRenewAttemptDays.IsEmpty
                ? calendar.DayAt(instance.Expiry, product.AutoRenewAttemptDays[0], Schedule.NoticeTime)
                : null,
        };
        var effects = Effects.None
            .Notify(Notices.Of(NoticeKind.ExpiryReminder, instance, due.At, offset, reminder))
            .Record(instance.Id, due.At, TimelineKind.ReminderSent, $"T{offset:+0;-0;+0}: {Describe(rules, instance)}");

        if (instance.Mode == RenewalMode.Auto)
        {
            if (book is null)
                throw new ArgumentNullException(nameof(book), "The T-7 auto-renew reminder checks the coming charges (R9.5).");
            var forecast = book.Sum(account, due.At, Schedule.AutoReminderDays);
            if (!forecast.Covered)
            {
                var text = $"Coupons and balance fall {new Money.Money(forecast.Shortfall, account.Currency)} short of the " +
                    $"{forecast.Count} auto-renewal(s) due in the next 7 days";
                var shortfall = NoticeData.Of(instance) with
                {
                    Shortfall = forecast.Shortfall, Renewals = forecast.Count, Currency = account.Currency,
                };
                effects = effects
                    .Notify(Notices.Of(NoticeKind.LowBalance, instance, due.At, offset, shortfall))
                    .Record(instance.Id, due.At, TimelineKind.LowBalance, text);
            }
        }

        return Change.Of(rules, instance, account, effects);
    }

    /// <summary>R4.3, R4.4: charge the auto-renew period; the first success renews from E and ends the cycle's attempts.</summary>
    private static Change AttemptAutoRenewal(Rules rules, Instance instance, Account account, DueEvent due) =>
        Attempt(rules, instance, account, due.At, rules.Calendar.DaysBetween(instance.Expiry, due.At), settled: null);

    /// <summary>
    /// R7.9, R7.10: the result of the payment an auto-renew attempt asked for, decided at <paramref name="now"/> by the
    /// same decision as the attempt: a success renews from E, a decline is the attempt's failure (R4.4) naming the reason.
    /// Null when the instance has no payment in flight (the result came twice): nothing to decide.
    /// </summary>
    /// <param name="instances">The payment's instance first, then the others of a batch command's order (R7.5).</param>
    public static Change? SettlePayment(Rules rules, IReadOnlyList<Instance> instances, Account account, PaymentResult result, Instant now)
    {
        var instance = instances[0];
        if (instance.PaymentPending is not { } pending || result.Status == PaymentStatus.Pending) return null;
        var settled = Commands.Touch(instance with { PaymentPending = null }, now);
        if (pending.Intent is not null)
        {
            var released = instances.Select(i => Commands.Touch(i with { PaymentPending = null }, now)).ToImmutableArray();
            return Renewal.Settle(rules, released, account, pending, result, now);
        }

        if (result.Status == PaymentStatus.Succeeded && (Renewal.Renewable(rules, settled) ?? CycleMoved(settled, pending)) is { } gone)
        {
            return Refunded(rules, settled, account, now, pending, gone.Detail);
        }

        return Attempt(rules, settled, account, now, pending.DayOffset, (pending.Amount, result, pending));
    }

    /// <summary>
    /// R7.10, R7.11: an auto-renew payment pays the cycle it was asked for, from the expiry E it had then; if the
    /// instance's expiry has moved since (another command renewed or re-cycled it), its success renews nothing.
    /// </summary>
    private static Refusal? CycleMoved(Instance instance, PendingPayment pending) =>
        instance.ExpiresAt == pending.PeriodStart
            ? null
            : Refusal.State($"{instance.Id} no longer expires at the start of the cycle the payment was asked for");

    /// <summary>
    /// One auto-renew attempt (R4.3): coupons, then balance, then the payment method (R7.8). With no result yet, a charge
    /// whose method part is non-zero asks for a payment and waits for it (R7.9); with the result, a success pays the
    /// method's money into the balance and charges from there, so the order, the ledger and the renewal move together.
    /// </summary>
    private static Change Attempt(
        Rules rules, Instance instance, Account account, Instant at, int offset,
        (long Amount, PaymentResult Result, PendingPayment Pending)? settled)
    {
        var product = rules.Catalog.Get(instance.Product);
        var amount = Charges.RenewalPrice(product, instance, instance.AutoRenewMonths);
        var memo = $"auto-renewal of {instance.AutoRenewMonths} month(s)";
        var effects = Effects.None;
        Outcome<Paid>? charged = null;
        if (settled is { Result.Status: PaymentStatus.Declined, Result: var declined })
        {
            return Declined(rules, instance, account, at, offset, declined);
        }

        if (settled is { Amount: var fromMethod, Pending: var asked })
        {
            var funded = account.Move(fromMethod, at);
            charged = Charges.Pay(funded, amount, instance.Product, instance.Id, at, memo, fromMethod);
            if (charged.Value.Refusal is { } shortfall)
            {
                return Refunded(rules, instance, account, at, asked, $"coupons and balance no longer pay their part ({shortfall.Detail})");
            }

            account = funded;
            effects = effects.Post(new LedgerPosting(
                LedgerKind.Payment, fromMethod, instance.Id, null, $"{memo}: paid by {account.Method?.Label ?? "the payment method"}"));
        }
        else if (Payment.Allocate(account, amount, instance.Product, at, withMethod: true)
            is { Refusal: null, Value.FromMethod: > 0 and var ask })
        {
            var pending = instance with { PaymentPending = new PendingPayment(ask, at, offset, instance.Expiry) };
            var text = $"Auto-renewal at T{offset:+0;-0;+0}: {new Money.Money(ask, account.Currency)} asked of {account.Method!.Label}";
            return Change.Of(rules, pending, account, effects
                .Request(new PaymentRequest(instance.Id, ask, instance.Expiry, memo))
                .Record(instance.Id, at, TimelineKind.PaymentRequested, text));
        }

        var paid = charged ?? Charges.Pay(account, amount, instance.Product, instance.Id, at, memo);
        if (paid.Refusal is { } refusal)
        {
            var text = $"Auto-renewal attempt at T{offset:+0;-0;+0} failed: insufficient funds. {refusal.Detail}" +
                LastAttempt(product, offset);
            return Change.Of(rules, instance, account, effects
                .Notify(Notices.Of(NoticeKind.AutoRenewFailed, instance, at, offset, FailedAttempt(rules, instance, account, offset, at)))
                .Record(instance.Id, at, TimelineKind.AutoRenewFailed, text));
        }

        var newExpiry = rules.Calendar.Extend(instance.Expiry, instance.AutoRenewMonths);
        var applied = Renewal.Apply(rules, instance, paid.Value, instance.Expiry, newExpiry, at, OrderKind.Renewal,
            $"auto-renewed {instance.AutoRenewMonths} month(s) at T{offset:+0;-0;+0}");

        // R8.9: the order keeps which attempt paid it, so the renewal report can tell what the later attempts rescue.
        var renewed = applied.Effects with { Order = applied.Effects.Order! with { AttemptDay = offset } };
        return Change.Of(rules, applied.Instance, applied.Account, effects.Ledger.IsEmpty ? renewed : effects.Then(renewed));
    }

    /// <summary>
    /// R7.9, R4.4: a declined payment is a failed attempt naming the reason; a hard decline retires the method until it is
    /// replaced.
    /// </summary>
    private static Change Declined(Rules rules, Instance instance, Account account, Instant at, int offset, PaymentResult result)
    {
        var product = rules.Catalog.Get(instance.Product);
        var label = account.Method?.Label ?? "the payment method";
        var text = $"Auto-renewal attempt at T{offset:+0;-0;+0} failed: {label} was declined ({result.Why})." +
            LastAttempt(product, offset);
        var effects = Effects.None
            .Notify(Notices.Of(NoticeKind.PaymentDeclined, instance, at, offset,
                FailedAttempt(rules, instance, account, offset, at) with { DeclineReason = result.Why }))
            .Record(instance.Id, at, TimelineKind.AutoRenewFailed, text);
        var (declined, declinedEffects) = MethodDeclined(instance, account, at, offset, result, effects);
        return Change.Of(rules, instance, declined, declinedEffects);
    }

    /// <summary>
    /// R7.9: <paramref name="effects"/> of a declined payment, and after a hard decline the method retired (it is not tried
    /// again until it is replaced) with the notice that asks for a new one. Auto-renewals and commands decline through here.
    /// </summary>
    internal static (Account Account, Effects Effects) MethodDeclined(
        Instance instance, Account account, Instant at, int offset, PaymentResult result, Effects effects)
    {
        if (!result.Hard || account.Method is not { } method) return (account, effects);
        var update = $"{method.Label} was declined ({result.Why}) and will not be charged again: " +
            $"add a new payment method to keep {instance.Id} renewing";
        return (account with { Method = method with { Status = PaymentMethodStatus.DeclinedHard } }, effects
            .Notify(Notices.Of(
                NoticeKind.PaymentMethodNeedsUpdate, instance, at, offset, NoticeData.Of(instance) with { DeclineReason = result.Why }))
            .Record(instance.Id, at, TimelineKind.PaymentDeclined, update) with { MethodDeclinedHard = true });
    }

    /// <summary>
    /// R7.11: a payment that succeeded when its renewal can no longer be applied (the instance was released while it was
    /// pending past <c>paymentPendingHours</c>, or coupons and balance no longer pay their part) goes back to the payment
    /// method whole: the customer is never charged for a cycle they did not get.
    /// </summary>
    private static Change Refunded(Rules rules, Instance instance, Account account, Instant at, PendingPayment pending, string why) =>
        Change.Of(rules, instance, account, RefundEffects(instance, account, at, pending, why));

    /// <summary>The effects of <see cref="Refunded"/>: the whole payment back to the method, told to the account.</summary>
    internal static Effects RefundEffects(Instance instance, Account account, Instant at, PendingPayment pending, string why)
    {
        var text = $"The payment of {new Money.Money(pending.Amount, account.Currency)} arrived but the renewal could not be applied: " +
            $"{why}. It is refunded to the payment method.";
        return Effects.None
            .RefundToMethod(new MethodRefund(instance.Id, pending.PeriodStart, pending.Amount, OfSettledPayment: true))
            .Notify(Notices.Of(NoticeKind.PaymentRefunded, instance, at, pending.DayOffset,
                NoticeData.Of(instance) with { Amount = pending.Amount, Currency = account.Currency }))
            .Record(instance.Id, at, TimelineKind.AutoRenewFailed, text);
    }

    /// <summary>
    /// R9.6: the facts of a failed attempt (R4.4): its day, whether it was the last, the amount, how much coupons and
    /// balance fall short and when the next attempt is made.
    /// </summary>
    private static NoticeData FailedAttempt(Rules rules, Instance instance, Account account, int offset, Instant at)
    {
        var product = rules.Catalog.Get(instance.Product);
        var amount = Charges.RenewalPrice(product, instance, instance.AutoRenewMonths);
        var next = product.AutoRenewAttemptDays.Where(d => d > offset).Select(d => (int?)d).FirstOrDefault();
        return NoticeData.Of(instance) with
        {
            AttemptOffset = offset, LastAttempt = offset == product.AutoRenewAttemptDays[^1], Amount = amount, Currency = account.Currency,
            Shortfall = Math.Max(0, amount - Money.Payment.Available(account, instance.Product, at)),
            NextAttemptAt = next is { } days ? rules.Calendar.DayAt(instance.Expiry, days, Schedule.NoticeTime) : null,
        };
    }

    private static string LastAttempt(Product product, int offset) =>
        offset == product.AutoRenewAttemptDays[^1] ? " This was the last attempt; renew manually." : string.Empty;

    /// <summary>R9.3: one day before release.</summary>
    private static Change WarnOfRelease(Rules rules, Instance instance, Account account, DueEvent due, Instant now)
    {
        if (IsStale(rules, due, now))
        {
            return Change.Of(rules, instance, account, Effects.None.Record(
                instance.Id, due.At, TimelineKind.ReleaseWarningSkipped, $"Release warning not sent: its day passed (ran at {now})"));
        }

        var releaseAt = rules.Calendar.PlusDays(due.At, 1);
        var text = $"{instance.Id} will be released on {rules.Calendar.Local(releaseAt):uuuu-MM-dd HH:mm} and its data deleted";
        var warning = NoticeData.Of(instance) with { ReleaseAt = releaseAt };
        return Change.Of(rules, instance, account, Effects.None
            .Notify(Notices.Of(
                NoticeKind.ReleaseWarning, instance, due.At, rules.Calendar.DaysBetween(instance.ExpiresAt ?? due.At, due.At), warning))
            .Record(instance.Id, due.At, TimelineKind.ReleaseWarningSent, text));
    }

    /// <summary>R5.2, R7.6: stop at the planned instant and tell the resource plane.</summary>
    public static Change Stop(Rules rules, Instance instance, Account account, Instant at, StopCause cause)
    {
        var why = cause == Instances.StopCause.Overdue
            ? "the account's balance stayed negative past the PAYG grace"
            : "expired without renewal";
        var stopped = instance with { Status = InstanceStatus.Stopped, StoppedAt = at, StopCause = cause };
        return Change.Of(rules, stopped, account, Effects.None
            .Record(instance.Id, at, TimelineKind.Stopped, why)
            .Notify(Notices.Of(NoticeKind.Stopped, instance, at, 0, NoticeData.Of(instance) with
            {
                Reason = cause == Instances.StopCause.Overdue ? NoticeReason.Overdue : NoticeReason.Expired,
            }))
            .Act(ResourceActionKind.Stop, instance.Id, at, why));
    }

    /// <summary>R5.3, R5.5: release is final; the post-release action (R8.5) goes to the resource plane.</summary>
    public static Change Release(Rules rules, Instance instance, Account account, Instant at, NoticeReason reason)
    {
        var why = reason == NoticeReason.Unsubscribed ? "unsubscribed" : "retention ended";
        var released = instance with { Status = InstanceStatus.Released, ReleasedAt = at, PendingChange = null };
        var action = instance.PostReleaseAction == PostReleaseAction.DeleteResources ? "deleteResources" : "retainMetadata";
        return Change.Of(rules, released, account, Effects.None
            .Record(instance.Id, at, TimelineKind.Released, $"{why}; post-release action {action}")
            .Notify(Notices.Of(NoticeKind.Released, instance, at, 0, NoticeData.Of(instance) with { Reason = reason }))
            .Act(ResourceActionKind.Release, instance.Id, at, action));
    }

    /// <summary>R6.7: a Platinum instance becomes a Standard PAYG instance at once, keeping ID and endpoint.</summary>
    public static Change ConvertToPayg(Rules rules, Instance instance, Account account, Instant at, string why)
    {
        var product = rules.Catalog.Get(instance.Product);
        var standard = product.Editions.First(e => e.ChargeTypes.Contains(ChargeType.Payg));
        var converted = instance with
        {
            Edition = standard.Code,
            Spec = standard.Specs[0].Code,
            ChargeType = ChargeType.Payg,
            ExpiresAt = null,
            Mode = RenewalMode.Manual,
            PaygBilledThrough = at,
            CycleStart = at,
            CycleCash = 0,
            CycleMethod = 0,
            AheadCycles = [],
            PendingChange = null,
            PostExpirationAction = PostExpirationAction.Stop,
        };
        return Change.Of(rules, converted, account, Effects.None
            .Record(instance.Id, at, TimelineKind.ConvertedToPayg, $"{instance.Edition} → {standard.Code} ({why})")
            .Act(ResourceActionKind.Modify, instance.Id, at, $"edition {standard.Code}, spec {standard.Specs[0].Code}"));
    }

    /// <summary>R7.6: an hour's price from the cash balance, which may go negative.</summary>
    private static Change ChargePaygHour(Rules rules, Instance instance, Account account, DueEvent due)
    {
        var hourly = rules.Catalog.Get(instance.Product).SpecOf(instance.Spec)?.HourlyPrice
            ?? throw new InvalidOperationException($"{instance.Spec} has no hourly price.");
        var start = due.At - Duration.FromHours(1);
        var charged = instance with { PaygBilledThrough = due.At };
        var effects = Effects.None
            .Post(new LedgerPosting(LedgerKind.Charge, -hourly, instance.Id, null, $"PAYG hour {start}–{due.At}"))
            .WithOrder(new Order(OrderKind.PaygHour, hourly, 0, hourly, [new OrderItem(instance.Id, start, hourly, null)]));
        return Change.Of(rules, charged, account.Move(-hourly, due.At), effects);
    }

    /// <summary>R6.4: the renew-and-downgrade configuration takes effect with the new cycle.</summary>
    private static Change ApplyChange(Rules rules, Instance instance, Account account, DueEvent due)
    {
        var change = instance.PendingChange!;
        var applied = instance with { Spec = change.Spec, Components = change.Components ?? instance.Components, PendingChange = null };
        return Change.Of(rules, applied, account, Effects.None
            .Record(instance.Id, due.At, TimelineKind.Downgraded, $"renew-and-downgrade applied: spec {change.Spec}")
            .Act(ResourceActionKind.Modify, instance.Id, due.At, $"spec {change.Spec}"));
    }

    /// <summary>The timeline's line for a reminder (R5.7: the timeline is the operator's record, in English).</summary>
    private static string Describe(Rules rules, Instance instance) =>
        instance.Mode == RenewalMode.Auto
            ? $"{instance.Id} expires on {rules.Calendar.DateOf(instance.Expiry):uuuu-MM-dd}; " +
                $"auto-renewal of {instance.AutoRenewMonths} month(s) is on"
            : $"{instance.Id} expires on {rules.Calendar.DateOf(instance.Expiry):uuuu-MM-dd}; renew it to keep it running";

    /// <summary>A notice whose local day has gone by is not worth sending days late.</summary>
    private static bool IsStale(Rules rules, DueEvent due, Instant now) =>
        rules.Calendar.DateOf(now) > rules.Calendar.DateOf(due.At);
}

/// <summary>R9.4: notices keyed once per (instance, kind, cycle, day offset).</summary>
public static class Notices
{
    /// <summary>A notice of <paramref name="instance"/> saying <paramref name="data"/> (its facts alone when null).</summary>
    public static Notice Of(NoticeKind kind, Instance instance, Instant at, int dayOffset, NoticeData? data = null)
    {
        var cycle = instance.ExpiresAt?.ToString() ?? at.ToString();
        return new Notice(
            kind, instance.AccountId, instance.Id, at, data ?? NoticeData.Of(instance), $"{instance.Id}:{kind}:{cycle}:{dayOffset}");
    }
}
