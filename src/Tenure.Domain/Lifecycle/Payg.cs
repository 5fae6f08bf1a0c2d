using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;

namespace Tenure.Domain.Lifecycle;

/// <summary>R7.6: top-ups, and the restart of PAYG instances stopped for an overdue balance.</summary>
public static class Payg
{
    /// <summary>The largest single top-up (ten billion in major units): keeps balances far from overflow.</summary>
    public const long MaxTopUp = 1_000_000_000_000;

    /// <summary>
    /// Credits a top-up. When it makes the balance non-negative, the account's PAYG instances stopped
    /// as overdue start at once; their hours are billed again from now.
    /// </summary>
    public static Outcome<Change> TopUp(Rules rules, Account account, long amount, IReadOnlyList<Instance> accountInstances, Instant now)
    {
        if (amount is <= 0 or > MaxTopUp)
        {
            return Refusal.Invalid("amount", $"A top-up must be a positive amount in minor units, at most {MaxTopUp}.");
        }

        var credited = account.Move(amount, now);
        var effects = Effects.None.Post(new LedgerPosting(LedgerKind.TopUp, amount, null, null, "top-up"));
        if (credited.Balance < 0) return new Change(credited, effects);
        var started = ImmutableArray.CreateBuilder<Instance>();
        var overdue = accountInstances.Where(i => i.AccountId == account.Id
            && i is { IsSubscription: false, Status: InstanceStatus.Stopped, StopCause: Instances.StopCause.Overdue });
        foreach (var instance in overdue)
        {
            var running = Commands.Touch(instance, now) with
            {
                Status = InstanceStatus.Running, StoppedAt = null, StopCause = null, PaygBilledThrough = now,
            };
            started.Add(running);
            effects = effects
                .Record(instance.Id, now, TimelineKind.Started, "the balance was topped up")
                .Notify(Notices.Of(NoticeKind.Started, running, now, 0, NoticeData.Of(running) with { Reason = NoticeReason.ToppedUp }))
                .Act(ResourceActionKind.Start, instance.Id, now, "balance topped up");
        }

        return Change.Of(rules, started.ToImmutable(), credited, effects);
    }
}
