using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Money;

namespace Tenure.Domain.PlanChanges;

/// <summary>R8.4 unsubscription, and the post-expiration and post-release settings (R6.7, R8.5).</summary>
public static class Unsubscription
{
    /// <summary>
    /// R8.4: the cycle that contains <paramref name="now"/> refunds <c>floor(cash × U / D)</c>; every paid
    /// cycle that has not started yet refunds its cash whole; cycles already over refund nothing.
    /// </summary>
    public static long Refund(Rules rules, Instance instance, Instant now) =>
        Cycles(instance).Sum(cycle => Refund(rules, cycle, cycle.Cash, now));

    /// <summary>
    /// R7.11: the same for what the payment method paid, per cycle (each cycle's part goes back through the payment that
    /// paid it), each rounded down on its own (R7.7).
    /// </summary>
    public static IEnumerable<(Instant CycleStart, long Amount)> MethodRefunds(Rules rules, Instance instance, Instant now) =>
        Cycles(instance).Select(cycle => (cycle.Start, Refund(rules, cycle, cycle.Method, now))).Where(r => r.Item2 > 0);

    private static long Refund(Rules rules, PaidCycle cycle, long paid, Instant now) =>
        cycle.Start > now ? paid : now < cycle.Expiry ? Prorated(rules, cycle, paid, now) : 0;

    /// <summary>
    /// R8.4: <c>floor(cash × U / D)</c>, <c>cash</c> what the cycle's charge took from the balance, <c>D</c>
    /// the days from the cycle's first local date to its expiry date, <c>U</c> the whole days from the
    /// next local midnight to the expiry.
    /// </summary>
    private static long Prorated(Rules rules, PaidCycle cycle, long paid, Instant now)
    {
        var calendar = rules.Calendar;
        var expiryDate = calendar.DateOf(cycle.Expiry);
        var total = Period.Between(calendar.DateOf(cycle.Start), expiryDate, PeriodUnits.Days).Days;
        var unused = Math.Max(0, Period.Between(calendar.DateOf(now).PlusDays(1), expiryDate, PeriodUnits.Days).Days);
        return total <= 0 ? 0 : Pricing.FloorDiv(checked(paid * Math.Min(unused, total)), total);
    }

    /// <summary>The instance's paid cycles, oldest first: the one from <see cref="Instance.CycleStart"/>, then those paid ahead.</summary>
    private static IEnumerable<PaidCycle> Cycles(Instance instance)
    {
        var runningUntil = instance.AheadCycles.IsEmpty ? instance.Expiry : instance.AheadCycles[0].Start;
        return instance.AheadCycles.Prepend(new PaidCycle(instance.CycleStart, runningUntil, instance.CycleCash, instance.CycleMethod));
    }

    /// <summary>R8.4: refund the unused cash, then apply the post-expiration action at once: release, or Standard PAYG.</summary>
    public static Outcome<(Change Change, long Refund)> Unsubscribe(Rules rules, Instance instance, Account account, Instant now)
    {
        var product = rules.Catalog.Get(instance.Product);
        if (!product.Unsubscribe) return Refusal.State($"{product.Code} does not offer unsubscription with a refund.");
        if (Commands.RunningSubscription(instance, "Unsubscription") is { } state) return state;
        var refund = Refund(rules, instance, now);
        var refunded = account.Move(refund, now);
        var cash = Cycles(instance).Sum(c => c.Cash);
        var detail = $"refund {new Money.Money(refund, account.Currency)} of {new Money.Money(cash, account.Currency)} paid in cash";
        var effects = Effects.None.Record(instance.Id, now, TimelineKind.Unsubscribed, detail);
        if (refund > 0) effects = effects.Post(new LedgerPosting(LedgerKind.Refund, refund, instance.Id, null, "unsubscription refund"));
        foreach (var (start, amount) in MethodRefunds(rules, instance, now))
        {
            // R7.11: the payment method's part goes back through the gateway, not into the balance.
            effects = effects.RefundToMethod(new MethodRefund(instance.Id, start, amount))
                .Record(instance.Id, now, TimelineKind.Unsubscribed,
                $"refund {amount} to the payment method for the cycle from {start}");
        }

        var touched = Commands.Touch(instance, now);
        var after = instance.PostExpirationAction == PostExpirationAction.DowngradeToStandard
            ? Lifecycle.Lifecycle.ConvertToPayg(rules, touched, refunded, now, "unsubscribed")
            : Lifecycle.Lifecycle.Release(rules, touched, refunded, now, NoticeReason.Unsubscribed);
        return (Change.Of(rules, after.Instance, after.Account, effects.Then(after.Effects)), refund);
    }

    /// <summary>R6.7: the action at expiry; it must be one the product offers, before release.</summary>
    public static Outcome<Change> SetPostExpirationAction(
        Rules rules, Instance instance, Account account, PostExpirationAction action, Instant now)
    {
        var product = rules.Catalog.Get(instance.Product);
        if (!product.PostExpirationActions.Contains(action))
        {
            return Refusal.Invalid(
                "action",
                $"{product.Code} offers {string.Join(", ", product.PostExpirationActions.Select(Camel))} as post-expiration action.");
        }

        if (Commands.RunningSubscription(instance, "A post-expiration action") is { } state) return state;
        return Change.Of(rules, Commands.Touch(instance, now) with { PostExpirationAction = action }, account,
            Effects.None.Record(instance.Id, now, TimelineKind.PostExpirationActionChanged, Camel(action)));
    }

    /// <summary>R8.5: the post-release action can be changed once the instance exists, until its release.</summary>
    public static Outcome<Change> SetPostReleaseAction(
        Rules rules, Instance instance, Account account, PostReleaseAction action, Instant now)
    {
        if (instance.Status == InstanceStatus.Released) return Refusal.State($"{instance.Id} was already released.");
        return Change.Of(rules, Commands.Touch(instance, now) with { PostReleaseAction = action }, account,
            Effects.None.Record(instance.Id, now, TimelineKind.PostReleaseActionChanged,
                action == PostReleaseAction.DeleteResources ? "deleteResources" : "retainMetadata"));
    }

    private static string Camel(PostExpirationAction action) => action == PostExpirationAction.Stop ? "stop" : "downgradeToStandard";
}
