using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Lifecycle;

namespace Tenure.Domain.Instances;

public enum LedgerKind
{
    TopUp,
    Charge,
    Refund,
    CouponGrant,
    CouponUse,

    /// <summary>R7.9: money the payment method paid, into the balance just before the charge it pays (one row per payment).</summary>
    Payment,
}

/// <summary>
/// R7.4: one movement of money. Cash rows (no coupon) add up to the balance; coupon rows
/// add up to each coupon's remainder.
/// </summary>
/// <param name="Amount">Signed: a charge or coupon use is negative, a top-up or refund positive.</param>
public sealed record LedgerPosting(LedgerKind Kind, long Amount, InstanceId? InstanceId, CouponId? CouponId, string Memo);

public enum OrderKind
{
    Purchase,
    Renewal,
    Upgrade,
    RenewDowngrade,
    EditionChange,
    UnifyExpiry,
    PaygHour,
    ChargeTypeChange,
}

/// <summary>One instance's part of an order.</summary>
/// <remarks>
/// R7.4, as storage keys it: an instance appears once per order, and an item that pays for a period —
/// <see cref="OrderKind.Purchase"/>, <see cref="OrderKind.Renewal"/>, <see cref="OrderKind.RenewDowngrade"/>,
/// <see cref="OrderKind.UnifyExpiry"/>, <see cref="OrderKind.PaygHour"/> — is unique per
/// <c>(instance, period start, kind)</c>, so a retried request or worker can never charge the same cycle twice:
/// the whole write fails. A paid plan change (<see cref="OrderKind.Upgrade"/>, <see cref="OrderKind.EditionChange"/>,
/// <see cref="OrderKind.ChargeTypeChange"/>) starts at the instant it is made and is keyed by its order alone:
/// two at one instant (small → medium → large) are two orders, and a repeat is refused by the instance's own
/// state (it already runs that spec or edition), read under the command's lock.
/// </remarks>
public sealed record OrderItem(InstanceId InstanceId, Instant PeriodStart, long Amount, Instant? NewExpiresAt)
{
    /// <summary>
    /// R8.9: the expiry a renewal answered (the cycle that came due), even where a stopped instance's new cycle starts now;
    /// null for other items.
    /// </summary>
    public Instant? Renews { get; init; }
}

/// <summary>What was bought and how it was paid.</summary>
public sealed record Order(OrderKind Kind, long Total, long PaidByCoupons, long PaidByBalance, ImmutableArray<OrderItem> Items)
{
    /// <summary>R7.9: what the payment method paid (not part of <see cref="PaidByBalance"/>).</summary>
    public long PaidByMethod { get; init; }

    /// <summary>R8.9: the day offset from expiry (R4.3) of the auto-renew attempt that paid this order; null when paid by hand.</summary>
    public int? AttemptDay { get; init; }
}

/// <summary>
/// R7.9: a payment the gateway is to be asked for: the payment-method part of a charge on one instance; the order it
/// would complete is made only once it succeeded. Storage writes it pending before anyone calls the gateway (R7.11).
/// </summary>
public sealed record PaymentRequest(InstanceId InstanceId, long Amount, Instant PeriodStart, string Description)
{
    /// <summary>R7.5: the other instances of the order the payment completes (a batch renewal), in its order; empty for one.</summary>
    public ImmutableArray<InstanceId> Batch { get; init; } = [];

    /// <summary>
    /// R2, R7.9: for a purchase, what it buys once the payment succeeded; <see cref="InstanceId"/> is then the ID chosen for
    /// the instance, which exists only from then on.
    /// </summary>
    public Purchases.PurchaseIntent? Purchase { get; init; }
}

/// <summary>
/// R7.11, R8.4: money to send back to the payment method that paid the cycle from <paramref name="PeriodStart"/>; with
/// <paramref name="OfSettledPayment"/>, the payment whose result this decision settles (refunded whole).
/// </summary>
public sealed record MethodRefund(InstanceId InstanceId, Instant PeriodStart, long Amount, bool OfSettledPayment = false);

/// <summary>
/// R5.7: what a line of an instance's timeline records. Storage and the API name it in camelCase
/// (<see cref="TimelineKinds.Name"/>), so the names are part of the API: add members, never rename.
/// </summary>
public enum TimelineKind
{
    Purchased,
    Renewed,
    Started,
    Stopped,
    Expired,
    ReminderSent,
    ReminderSkipped,
    LowBalance,
    AutoRenewFailed,
    ReleaseWarningSent,
    ReleaseWarningSkipped,
    Released,
    ConvertedToPayg,
    Downgraded,
    UpgradeRequested,
    Upgraded,
    EditionChanged,
    ChargeTypeChanged,
    Unsubscribed,
    RenewalModeChanged,
    PostExpirationActionChanged,
    PostReleaseActionChanged,
    Alarm,
    AlarmsChanged,
    PaymentRequested,
    PaymentDeclined,
}

/// <summary>The names of timeline kinds as storage and the API write them.</summary>
public static class TimelineKinds
{
    // Computed once: the engine writes a timeline row per event.
    private static readonly string[] Names = [.. Enum.GetNames<TimelineKind>().Select(n => char.ToLowerInvariant(n[0]) + n[1..])];

    /// <summary>The camelCase name: <c>autoRenewFailed</c> for <see cref="TimelineKind.AutoRenewFailed"/>.</summary>
    public static string Name(TimelineKind kind) => Names[(int)kind];
}

/// <summary>R5.7: a line of an instance's timeline.</summary>
public sealed record TimelineEvent(InstanceId InstanceId, Instant At, TimelineKind Kind, string Detail);

/// <summary>The notice kinds of API.md.</summary>
public enum NoticeKind
{
    ExpiryReminder,
    Renewed,
    AutoRenewFailed,
    LowBalance,
    Stopped,
    Started,
    ReleaseWarning,
    Released,
    Alarm,
    UpgradeCompleted,

    /// <summary>R7.9, R4.4: the payment method was declined; the notice names the reason.</summary>
    PaymentDeclined,

    /// <summary>R7.9: a hard decline: the method is not tried again until it is replaced.</summary>
    PaymentMethodNeedsUpdate,

    /// <summary>R7.11: a payment that arrived when its renewal could no longer be applied went back to the payment method.</summary>
    PaymentRefunded,
}

/// <summary>
/// R9: a notice to the account. R9.4: <see cref="DedupeKey"/> makes it once per (instance, kind, cycle, day offset).
/// R9.6: it carries <see cref="Data"/> and no words; they are chosen when it is delivered, in the account's language.
/// </summary>
public sealed record Notice(NoticeKind Kind, AccountId AccountId, InstanceId? InstanceId, Instant At, NoticeData Data, string DedupeKey);

public enum ResourceActionKind
{
    Start,
    Stop,
    Release,
    Modify,
}

/// <summary>R10.1: what the provider's resource plane is told to do, with an idempotency key for the receiver.</summary>
public sealed record ResourceAction(ResourceActionKind Kind, InstanceId InstanceId, Instant At, string IdempotencyKey, string Detail);

/// <summary>Everything a decision asks the shell to write, in the same transaction as the new state.</summary>
public sealed record Effects(
    ImmutableList<LedgerPosting> Ledger,
    Order? Order,
    ImmutableList<TimelineEvent> Events,
    ImmutableList<Notice> Notices,
    ImmutableList<ResourceAction> Actions)
{
    public static Effects None { get; } = new([], null, [], [], []);

    /// <summary>
    /// New coupons (R7.3). Storage creates each with nothing remaining; its <see cref="LedgerKind.CouponGrant"/>
    /// posting then fills it, as every coupon moves only by its ledger rows (R7.4).
    /// </summary>
    public ImmutableList<Coupon> Grants { get; init; } = [];

    /// <summary>R7.9: the payment to ask the gateway for; at most one per decision.</summary>
    public PaymentRequest? Payment { get; init; }

    /// <summary>R7.9: the account's payment method was declined hard, so storage marks it <c>declinedHard</c>.</summary>
    public bool MethodDeclinedHard { get; init; }

    /// <summary>R7.11: refunds to the payment method, each through the gateway.</summary>
    public ImmutableList<MethodRefund> MethodRefunds { get; init; } = [];

    public Effects RefundToMethod(MethodRefund refund) => this with { MethodRefunds = MethodRefunds.Add(refund) };

    public Effects Request(PaymentRequest payment) =>
        Payment is null ? this with { Payment = payment } : throw new InvalidOperationException("A decision asks for at most one payment.");

    public Effects Post(LedgerPosting posting) => this with { Ledger = Ledger.Add(posting) };

    public Effects Record(InstanceId instance, Instant at, TimelineKind kind, string detail) =>
        this with { Events = Events.Add(new TimelineEvent(instance, at, kind, detail)) };

    public Effects Notify(Notice notice) => this with { Notices = Notices.Add(notice) };

    public Effects Grant(Coupon coupon) => this with { Grants = Grants.Add(coupon) };

    public Effects Act(ResourceActionKind kind, InstanceId instance, Instant at, string detail) =>
        this with
        {
            Actions = Actions.Add(new ResourceAction(kind, instance, at, $"{instance}:{kind.ToString().ToLowerInvariant()}:{at}", detail)),
        };

    public Effects WithOrder(Order order) =>
        Order is null ? this with { Order = order } : throw new InvalidOperationException("A decision makes at most one order.");

    /// <summary>Effects of two steps, in order.</summary>
    public Effects Then(Effects next) => new(
        Ledger.AddRange(next.Ledger),
        next.Order is null ? Order
            : Order is null ? next.Order
            : throw new InvalidOperationException("A decision makes at most one order."),
        Events.AddRange(next.Events),
        Notices.AddRange(next.Notices),
        Actions.AddRange(next.Actions))
    {
        Grants = Grants.AddRange(next.Grants),
        Payment = next.Payment ?? Payment,
        MethodRefunds = MethodRefunds.AddRange(next.MethodRefunds),
        MethodDeclinedHard = MethodDeclinedHard || next.MethodDeclinedHard,
    };
}

/// <summary>
/// A decision's result: the new state of the instances it touched and of the account, each
/// instance's next due event under that account, and the effects.
/// </summary>
/// <remarks>
/// The next due events are computed once, here, when the decision is made: storage keeps them as the
/// due pointers and the engine queues by them. The members cannot be replaced with <c>with</c>, so
/// an instance or account never travels with a pointer computed for another state.
/// </remarks>
public sealed record Change
{
    private Change(ImmutableArray<Instance> instances, ImmutableArray<DueEvent?> nextDue, Account account, Effects effects)
    {
        Instances = instances;
        NextDue = nextDue;
        Account = account;
        Effects = effects;
    }

    /// <summary>A change of the account alone (a top-up, a coupon, usage alarms): no instance, so no due pointer moves.</summary>
    public Change(Account account, Effects effects)
        : this([], [], account, effects)
    {
    }

    /// <summary>
    /// The change of <paramref name="instances"/>, each with its next event (<see cref="Schedule.Next"/>)
    /// under <paramref name="account"/>.
    /// </summary>
    public static Change Of(Rules rules, ImmutableArray<Instance> instances, Account account, Effects effects)
    {
        var next = ImmutableArray.CreateBuilder<DueEvent?>(instances.Length);
        foreach (var instance in instances) next.Add(Schedule.Next(rules, instance, account));
        return new Change(instances, next.MoveToImmutable(), account, effects);
    }

    /// <summary>The change of one instance, with its next event under <paramref name="account"/>.</summary>
    public static Change Of(Rules rules, Instance instance, Account account, Effects effects) =>
        new([instance], [Schedule.Next(rules, instance, account)], account, effects);

    public ImmutableArray<Instance> Instances { get; }

    /// <summary>
    /// <c>NextDue[i]</c> is the next event of <c>Instances[i]</c> under <see cref="Account"/>; null when nothing
    /// more happens on its own.
    /// </summary>
    public ImmutableArray<DueEvent?> NextDue { get; }

    public Account Account { get; }

    public Effects Effects { get; }

    /// <summary>The one instance of a single-instance decision.</summary>
    public Instance Instance =>
        Instances.Length == 1 ? Instances[0] : throw new InvalidOperationException($"This change touched {Instances.Length} instances.");
}
