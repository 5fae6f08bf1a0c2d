using NodaTime;

namespace Tenure.Domain.Instances;

/// <summary>Why a notice was sent, where its kind alone does not say (R9.2).</summary>
public enum NoticeReason
{
    /// <summary>Stopped or released because the instance expired without renewal.</summary>
    Expired,

    /// <summary>Stopped because the account's balance stayed negative past the PAYG grace (R7.6).</summary>
    Overdue,

    /// <summary>Released when its retention after the stop ended (R5.3).</summary>
    RetentionEnded,

    /// <summary>Released at once because the customer unsubscribed (R8.4).</summary>
    Unsubscribed,

    /// <summary>Started again because it was renewed while stopped.</summary>
    Renewed,

    /// <summary>Started again because a top-up brought the balance back (R7.6).</summary>
    ToppedUp,
}

/// <summary>
/// R9.6: what a notice says, as data and no prose: the instance it is about, its product and spec, the instants and
/// amounts that matter to its kind. It is worded only when delivered, in the account's language, so every field is a
/// fact a template may show; a field a kind does not have is null.
/// </summary>
/// <param name="Product">The instance's product (<c>ecs</c>, <c>rds</c>, …).</param>
/// <param name="Spec">The spec it runs (for an upgrade: the one it runs now).</param>
/// <param name="RenewalMode">The renewal mode when the notice was made.</param>
/// <param name="AutoRenewMonths">The auto-renewal period, for an <c>auto</c> instance.</param>
/// <param name="ExpiresAt">The expiry the notice is about (for a renewal: the new one).</param>
public sealed record NoticeData(
    string Product,
    string Spec,
    RenewalMode RenewalMode,
    int? AutoRenewMonths,
    Instant? ExpiresAt)
{
    /// <summary>ExpiryReminder of an <c>auto</c> instance: when the first auto-renewal attempt is made (R4.3).</summary>
    public Instant? FirstAttemptAt { get; init; }

    /// <summary>AutoRenewFailed: the attempt's day relative to expiry (−3 for T−3, R4.3).</summary>
    public int? AttemptOffset { get; init; }

    /// <summary>AutoRenewFailed: no attempt follows this one in the cycle.</summary>
    public bool? LastAttempt { get; init; }

    /// <summary>AutoRenewFailed: the next attempt, when one follows.</summary>
    public Instant? NextAttemptAt { get; init; }

    /// <summary>ReleaseWarning: when the instance will be released (R9.3).</summary>
    public Instant? ReleaseAt { get; init; }

    /// <summary>The amount charged or due, in minor units of <see cref="Currency"/>.</summary>
    public long? Amount { get; init; }

    /// <summary>AutoRenewFailed and LowBalance: how much coupons and balance fall short (R9.5).</summary>
    public long? Shortfall { get; init; }

    /// <summary>LowBalance: how many auto-renewals of the account fall due within the next 7 days (R9.5).</summary>
    public int? Renewals { get; init; }

    public string? Currency { get; init; }

    /// <summary>Payment notices (R7.8–R7.11): the reason the payment method's issuer gave for declining.</summary>
    public string? DeclineReason { get; init; }

    /// <summary>
    /// R8.8: the order the decision that sent this notice made (a renewal's, an upgrade's), so a notice leads to it;
    /// filled in by storage, which names orders when it writes them.
    /// </summary>
    public string? OrderId { get; init; }

    /// <summary>Stopped, Started and Released: why.</summary>
    public NoticeReason? Reason { get; init; }

    /// <summary>Alarm (R11.2): the metric (<c>tps</c>, <c>subscriptions</c>, <c>connections</c>), its value and limit.</summary>
    public string? Metric { get; init; }

    public long? Value { get; init; }

    public long? Limit { get; init; }

    public int? ThresholdPercent { get; init; }

    /// <summary>The facts every notice of <paramref name="instance"/> starts from.</summary>
    public static NoticeData Of(Instance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return new(instance.Product, instance.Spec, instance.Mode, instance.Mode == RenewalMode.Auto ? instance.AutoRenewMonths : null,
            instance.ExpiresAt);
    }
}
