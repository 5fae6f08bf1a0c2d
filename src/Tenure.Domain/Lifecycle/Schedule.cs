using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;

namespace Tenure.Domain.Lifecycle;

/// <summary>
/// Derives from an instance's state the events still ahead of it, so that storage keeps one
/// due pointer per instance: the first of them.
/// </summary>
public static class Schedule
{
    /// <summary>R4.3, R9.1: reminders and auto-renew attempts run at 08:00 local.</summary>
    public static readonly LocalTime NoticeTime = new(8, 0);

    /// <summary>
    /// The single next event, or null when nothing more will happen on its own: the first of <see cref="Plan"/>, found
    /// without sorting it (the engine asks this for every instance it claims and after every event). With
    /// <paramref name="kind"/>, a subscription's first of <see cref="Plan"/> of that kind (R8.7 asks for the next auto-renew
    /// attempt). A PAYG instance is refused a kind: its plan is endless and may hold none of it.
    /// </summary>
    public static DueEvent? Next(Rules rules, Instance instance, Account account, EventKind? kind = null)
    {
        if (kind is not null && !instance.IsSubscription)
            throw new ArgumentException($"{instance.Id} is pay-as-you-go: only its next event can be asked.", nameof(kind));
        DueEvent? next = null;
        foreach (var due in Ahead(rules, instance, account))
        {
            if (kind is { } only && due.Kind != only) continue;
            if (!instance.IsSubscription) return due; // PAYG's events come in order, and never end
            if (next is not { } earliest || due.CompareTo(earliest) < 0) next = due;
        }

        return next;
    }

    /// <summary>
    /// The events ahead, in the order they run, assuming nothing else changes: no payment succeeds
    /// and nobody acts. PAYG plans are endless (an hourly charge each hour); take what you need.
    /// </summary>
    public static IEnumerable<DueEvent> Plan(Rules rules, Instance instance, Account account) =>
        instance.IsSubscription ? Ahead(rules, instance, account).Order() : Ahead(rules, instance, account);

    /// <summary>The events of <see cref="Plan"/>: a subscription's in no particular order, PAYG's in order.</summary>
    private static IEnumerable<DueEvent> Ahead(Rules rules, Instance instance, Account account) =>
        instance.Status switch
        {
            InstanceStatus.Released => [],
            _ when !instance.IsSubscription => PaygPlan(rules, instance, account),
            InstanceStatus.Running => Unrun(instance, RunningPlan(rules, instance, account)),
            _ => Unrun(instance, StoppedPlan(rules, instance, account)),
        };

    /// <summary>The events of a subscription's cycle that its progress has not passed.</summary>
    private static IEnumerable<DueEvent> Unrun(Instance instance, IEnumerable<DueEvent> cycle) =>
        cycle.Where(due => Progress.After(due) > instance.Progress);

    /// <summary>R9.1, R4.3, R4.5, R5.2, R5.3, R5.6, R6.7, R9.3: one cycle of a running subscription instance.</summary>
    private static IEnumerable<DueEvent> RunningPlan(Rules rules, Instance instance, Account account)
    {
        var product = rules.Catalog.Get(instance.Product);
        var calendar = rules.Calendar;
        var expiry = instance.Expiry;
        if (instance.PendingChange is { EffectiveAt: { } effective }) yield return new DueEvent(EventKind.ApplyChange, effective);
        yield return new DueEvent(EventKind.Expire, expiry);

        switch (instance.Mode)
        {
            case RenewalMode.Manual:
                foreach (var days in product.ReminderDays)
                {
                    yield return new DueEvent(EventKind.Reminder, calendar.DayAt(expiry, -days, NoticeTime));
                }
                break;
            case RenewalMode.NoRenew:
                yield return new DueEvent(EventKind.Reminder, expiry);
                break;
            case RenewalMode.Auto:
                yield return new DueEvent(EventKind.Reminder, calendar.DayAt(expiry, -AutoReminderDays, NoticeTime));

                // R7.10: while a payment is in flight no further attempt starts; its result decides the attempt it belongs to.
                if (instance.PaymentPending is not null) break;
                foreach (var days in product.AutoRenewAttemptDays)
                {
                    yield return new DueEvent(EventKind.AutoRenewAttempt, calendar.DayAt(expiry, days, NoticeTime));
                }
                break;
        }

        var planned = instance.Mode == RenewalMode.Auto
            ? calendar.StartOf(calendar.DateOf(expiry).PlusDays(product.AutoRenewGraceDays))
            : calendar.StartOf(calendar.DateOf(expiry).PlusDays(product.StopDelayDays));

        // A stop that a command moved into the past (a switch to manual after expiry, an ended
        // no-stop agreement) happens as soon as the command is through, never silently not at all.
        var stop = Instant.Max(planned, instance.Progress.At);

        // R7.10: a payment in flight holds the stop (and so the release) back until it fails or has waited its hours.
        if (instance.PaymentPending is { } payment) stop = Instant.Max(stop, payment.Since + Duration.FromHours(rules.PaymentPendingHours));

        // The customer asked for the conversion, so a no-stop agreement does not hold it back.
        if (instance.PostExpirationAction == PostExpirationAction.DowngradeToStandard)
        {
            yield return new DueEvent(EventKind.ConvertToPayg, stop);
            yield break;
        }

        if (KeepsRunning(instance, account)) yield break;

        if (product.ReleaseOnStop)
        {
            yield return new DueEvent(EventKind.ReleaseWarning, calendar.PlusDays(stop, -1));
            yield return new DueEvent(EventKind.Release, stop);
            yield break;
        }

        yield return new DueEvent(EventKind.Stop, stop);
        foreach (var due in ReleaseOf(rules, product, stop)) yield return due;
    }

    /// <summary>R5.3, R9.3: a stopped subscription instance is released after the product's retention.</summary>
    private static IEnumerable<DueEvent> StoppedPlan(Rules rules, Instance instance, Account account)
    {
        if (KeepsRunning(instance, account) || instance.StoppedAt is not { } stopped) return [];
        return ReleaseOf(rules, rules.Catalog.Get(instance.Product), stopped);
    }

    private static IEnumerable<DueEvent> ReleaseOf(Rules rules, Product product, Instant stopped)
    {
        var release = rules.Calendar.PlusDays(stopped, product.RetentionDays);
        yield return new DueEvent(EventKind.ReleaseWarning, rules.Calendar.PlusDays(release, -1));
        yield return new DueEvent(EventKind.Release, release);
    }

    /// <summary>R7.6: an hourly charge at the end of each hour run; the overdue stop once the grace has passed.</summary>
    private static IEnumerable<DueEvent> PaygPlan(Rules rules, Instance instance, Account account)
    {
        if (instance.Status != InstanceStatus.Running) yield break;
        var overdueStop = OverdueSince(account) + Duration.FromHours(rules.PaygOverdueGraceHours);
        var billed = instance.PaygBilledThrough ?? instance.CreatedAt;
        for (var hour = billed + Duration.FromHours(1); ; hour += Duration.FromHours(1))
        {
            // The hour that ends exactly at the stop was run, so it is charged first (PaygCharge ranks before PaygOverdueStop).
            if (overdueStop is { } stop && stop < hour)
            {
                yield return new DueEvent(EventKind.PaygOverdueStop, Instant.Max(stop, instance.Progress.At));
                yield break;
            }

            yield return new DueEvent(EventKind.PaygCharge, hour);
        }
    }

    /// <summary>
    /// Whether every instance's plan is the same under both states of its account. A plan reads the
    /// account only through <see cref="KeepsRunning"/> (R5.6) and <see cref="OverdueSince"/> (R7.6),
    /// so an event computed under one state still holds under the other: the engine relies on this
    /// to keep a change's next events while other events of the account run.
    /// </summary>
    public static bool SamePlans(Account before, Account after) =>
        ReferenceEquals(before, after) || (before.NoStopOnExpiry == after.NoStopOnExpiry && OverdueSince(before) == OverdueSince(after));

    /// <summary>R7.6: while the balance is negative, when it went negative; otherwise null.</summary>
    private static Instant? OverdueSince(Account account) => account is { Balance: < 0, NegativeSince: { } since } ? since : null;

    /// <summary>R5.6: under a no-stop agreement expired instances run on and are never released, except noRenew ones.</summary>
    public static bool KeepsRunning(Instance instance, Account account) =>
        account.NoStopOnExpiry && instance.Mode != RenewalMode.NoRenew;

    /// <summary>R9.1: an auto-renew instance is reminded once, at T-7.</summary>
    public const int AutoReminderDays = 7;
}
