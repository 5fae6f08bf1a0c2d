using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Catalog;

namespace Tenure.Domain.Instances;

/// <summary>R5.1: Running, Stopped, Released (final).</summary>
public enum InstanceStatus
{
    Running,
    Stopped,
    Released,
}

/// <summary>R4.1: the one renewal mode of a subscription instance.</summary>
public enum RenewalMode
{
    Manual,
    Auto,
    NoRenew,
}

/// <summary>Why an instance is stopped: it expired, or its PAYG account was overdue (R7.6).</summary>
public enum StopCause
{
    Expiry,
    Overdue,
}

public enum BandwidthBilling
{
    ByBandwidth,
    ByTraffic,
}

/// <summary>ECS public bandwidth: paid per Mbps under bandwidth billing; a peak only under traffic billing.</summary>
public sealed record Bandwidth(BandwidthBilling ChargeType, int Mbps);

/// <summary>An ECS data disk, on subscription or PAYG.</summary>
public sealed record DataDisk(string Id, int SizeGb, ChargeType ChargeType);

/// <summary>R6.5: a temporary bandwidth upgrade, which a renewal does not carry on.</summary>
public sealed record TemporaryBandwidth(int Mbps, Instant Until);

/// <summary>ECS components; their monthly prices add to the instance type's (appendix).</summary>
public sealed record Components(Bandwidth? Bandwidth, ImmutableList<DataDisk> DataDisks, TemporaryBandwidth? TemporaryUpgrade = null)
{
    public static Components None { get; } = new(null, []);
}

public enum PendingChangeKind
{
    /// <summary>R6.2: paid, waiting for an operator.</summary>
    ReviewedUpgrade,

    /// <summary>R6.4: a configuration that applies from the new cycle.</summary>
    RenewDowngrade,
}

/// <summary>A change that was paid for and has not taken effect yet.</summary>
public sealed record PendingChange(PendingChangeKind Kind, string Spec, Components? Components, Instant RequestedAt, Instant? EffectiveAt);

/// <summary>R11.2: one metric's alarm: a percent of the spec's limit and an on/off switch.</summary>
public sealed record AlarmSetting(int ThresholdPercent, bool Enabled)
{
    public static AlarmSetting Default { get; } = new(70, true);
}

public sealed record AlarmSettings(AlarmSetting Tps, AlarmSetting Subscriptions, AlarmSetting Connections)
{
    public static AlarmSettings Default { get; } = new(AlarmSetting.Default, AlarmSetting.Default, AlarmSetting.Default);
}

/// <summary>
/// How far an instance's schedule has been worked through: every planned event at or before
/// this (instant, kind) has been handled or passed. Events at one instant run in kind order.
/// </summary>
public readonly record struct Progress(Instant At, int Rank) : IComparable<Progress>
{
    /// <summary>Before every event at <paramref name="at"/>: what a command at that instant leaves due.</summary>
    public static Progress Before(Instant at) => new(at, -1);

    public static Progress After(DueEvent due) => new(due.At, (int)due.Kind);

    public int CompareTo(Progress other) => (At, Rank).CompareTo((other.At, other.Rank));

    public static bool operator <(Progress a, Progress b) => a.CompareTo(b) < 0;

    public static bool operator >(Progress a, Progress b) => a.CompareTo(b) > 0;

    public static bool operator <=(Progress a, Progress b) => a.CompareTo(b) <= 0;

    public static bool operator >=(Progress a, Progress b) => a.CompareTo(b) >= 0;

    public static Progress Max(Progress a, Progress b) => a >= b ? a : b;
}

/// <summary>
/// The lifecycle events that fall due at an instant. The order of the members is the order
/// in which events at the same instant run.
/// </summary>
public enum EventKind
{
    ApplyChange,
    Expire,
    Reminder,
    AutoRenewAttempt,
    ReleaseWarning,
    Stop,
    ConvertToPayg,
    Release,
    PaygCharge,
    PaygOverdueStop,
}

/// <summary>The single next thing that happens to an instance: <c>(kind, at)</c>.</summary>
public readonly record struct DueEvent(EventKind Kind, Instant At) : IComparable<DueEvent>
{
    public int CompareTo(DueEvent other) => Progress.After(this).CompareTo(Progress.After(other));
}

/// <summary>A prepaid (subscription) or PAYG instance and everything its lifecycle depends on.</summary>
public sealed record Instance
{
    public required InstanceId Id { get; init; }

    public required AccountId AccountId { get; init; }

    public required string Product { get; init; }

    public required string Region { get; init; }

    public required string Edition { get; init; }

    public required string Spec { get; init; }

    public required ChargeType ChargeType { get; init; }

    public InstanceStatus Status { get; init; } = InstanceStatus.Running;

    public required Instant CreatedAt { get; init; }

    /// <summary>Local midnight in the billing zone (R1.3); null for PAYG (R2.5).</summary>
    public Instant? ExpiresAt { get; init; }

    public RenewalMode Mode { get; init; } = RenewalMode.Manual;

    /// <summary>R2.4: the auto-renew period, set at purchase and changed by the customer.</summary>
    public int AutoRenewMonths { get; init; } = 1;

    public PostExpirationAction PostExpirationAction { get; init; } = PostExpirationAction.Stop;

    /// <summary>R8.5: what happens to the instance's resources at release.</summary>
    public PostReleaseAction PostReleaseAction { get; init; } = PostReleaseAction.DeleteResources;

    public PendingChange? PendingChange { get; init; }

    public Components Components { get; init; } = Components.None;

    /// <summary>The first instant of the current paid cycle.</summary>
    public required Instant CycleStart { get; init; }

    /// <summary>R8.4: what the current cycle's charge took from the cash balance (the refundable part).</summary>
    public long CycleCash { get; init; }

    /// <summary>R7.11, R8.4: what the payment method paid of the current cycle (refunded to the method, not the balance).</summary>
    public long CycleMethod { get; init; }

    /// <summary>
    /// R8.4: the paid cycles after the one that starts at <see cref="CycleStart"/>, oldest first: renewals made
    /// before expiry add one each instead of merging into the running cycle. The last one ends at the expiry.
    /// </summary>
    public ImmutableArray<PaidCycle> AheadCycles { get; init; } = [];

    public Instant? StoppedAt { get; init; }

    public StopCause? StopCause { get; init; }

    public Instant? ReleasedAt { get; init; }

    /// <summary>R7.6: PAYG hours are charged up to this instant.</summary>
    public Instant? PaygBilledThrough { get; init; }

    public required Progress Progress { get; init; }

    public AlarmSettings Alarms { get; init; } = AlarmSettings.Default;

    /// <summary>R7.10: the auto-renew payment in flight; while set the instance is not stopped or released.</summary>
    public PendingPayment? PaymentPending { get; init; }

    public bool IsSubscription => ChargeType == ChargeType.Subscription;

    /// <summary>R5.1: expired but still running (auto-renew grace, delayed stop, no-stop agreement).</summary>
    public bool IsExpired(Instant now) => IsSubscription && Status == InstanceStatus.Running && ExpiresAt <= now;

    /// <summary>The expiry of a subscription instance; throws for PAYG, which has none.</summary>
    public Instant Expiry => ExpiresAt ?? throw new InvalidOperationException($"Instance {Id} is PAYG and has no expiry.");
}

/// <summary>
/// R7.10: an auto-renew payment asked of the gateway and not answered yet: the payment-method part, since when, and the
/// attempt's day offset from the expiry (R4.3), which its result completes, and the start of the cycle it pays.
/// </summary>
public sealed record PendingPayment(long Amount, Instant Since, int DayOffset, Instant PeriodStart)
{
    /// <summary>R7.9: for a command's payment, what the command applies once it succeeded; null for an auto-renew attempt's.</summary>
    public PaymentIntent? Intent { get; init; }
}

/// <summary>
/// R7.9: the intent of a command that asked for a payment, as data: a manual renewal of <paramref name="Months"/> for
/// <paramref name="Total"/>, or with <see cref="Items"/> a batch renewal (R7.5) or a unified expiry (R8.3). Its result is
/// decided again by the command's own decision, which must still cost the same.
/// </summary>
public sealed record PaymentIntent(OrderKind Kind, int Months, long Total)
{
    /// <summary>A batch's items in the batch's order; empty for one instance.</summary>
    public ImmutableArray<IntentItem> Items { get; init; } = [];

    /// <summary>R6.2: for an upgrade (<see cref="OrderKind.Upgrade"/>), the spec it moves to.</summary>
    public string? Spec { get; init; }

    /// <summary>
    /// R6.2: for an upgrade, the expiry whose remaining days it pays; its payment pays from the request, not a cycle, so
    /// that a renewal from that expiry is another cycle's payment (R7.11).
    /// </summary>
    public Instant? Until { get; init; }

    /// <summary>R8.3: for a unified expiry (<see cref="OrderKind.UnifyExpiry"/>), the day of the month its items move to.</summary>
    public int DayOfMonth { get; init; }

    /// <summary>R6.4: for a renew-and-downgrade (<see cref="OrderKind.RenewDowngrade"/>), what it asked for.</summary>
    public PlanChanges.DowngradeRequest? Downgrade { get; init; }

    /// <summary>
    /// R6.6: for an edition change (<see cref="OrderKind.EditionChange"/>), the edition it moves to; a switch to subscription
    /// (<see cref="OrderKind.ChargeTypeChange"/>, R6.8) needs only <see cref="PaymentIntent.Months"/>.
    /// </summary>
    public string? Edition { get; init; }
}

/// <summary>One instance of a batch's intent: its months, the cycle it pays from, and the payment method's share of its price.</summary>
public sealed record IntentItem(InstanceId InstanceId, int Months, Instant PeriodStart, long FromMethod);

/// <summary>R8.5: the post-release action.</summary>
public enum PostReleaseAction
{
    /// <summary>The seeds' default: topics and groups are deleted with the instance.</summary>
    DeleteResources,
    /// <summary>(Tenure) The instance goes, its metadata (topics, groups) is kept for a new instance.</summary>
    RetainMetadata,
}
