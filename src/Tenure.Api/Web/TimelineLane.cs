namespace Tenure.Api.Web;

/// <summary>
/// A row of the lifecycle picture: one kind of event, drawn in one colour (every colour has a
/// contrast of at least 4.5:1 on white, so its labels are readable text).
/// </summary>
public sealed record TimelineLane(string Name, string Colour)
{
    public static readonly TimelineLane Payments = new("Payments", "#1e7b34");
    public static readonly TimelineLane Failures = new("Failures", "#b3261e");
    public static readonly TimelineLane Notices = new("Notices", "#1d4ed8");
    public static readonly TimelineLane StopAndRelease = new("Stop and release", "#6d28d9");
    public static readonly TimelineLane Changes = new("Changes", "#4b5563");

    /// <summary>Top to bottom.</summary>
    public static readonly IReadOnlyList<TimelineLane> All = [Payments, Failures, Notices, StopAndRelease, Changes];

    /// <summary>
    /// The lane of a past (timeline) or planned (schedule) kind, and what one and several of it are called;
    /// a kind not listed is a change, named by its words.
    /// </summary>
    public static (TimelineLane Lane, string One, string Many) Of(string kind) => kind switch
    {
        "purchased" => (Payments, "purchase", "purchases"),
        "renewed" => (Payments, "renewal", "renewals"),
        "upgraded" => (Payments, "upgrade", "upgrades"),
        "editionChanged" => (Payments, "edition change", "edition changes"),
        "chargeTypeChanged" => (Payments, "billing change", "billing changes"),
        "autoRenewAttempt" => (Payments, "auto-renew attempt", "auto-renew attempts"),
        "paygCharge" => (Payments, "PAYG charge", "PAYG charges"),
        "autoRenewFailed" => (Failures, "failed auto-renewal", "failed auto-renewals"),
        "lowBalance" => (Failures, "low balance", "low-balance warnings"),
        "alarm" => (Failures, "usage alarm", "usage alarms"),
        "reminderSent" or "reminder" => (Notices, "reminder", "reminders"),
        "reminderSkipped" => (Notices, "reminder skipped", "reminders skipped"),
        "releaseWarningSent" or "releaseWarning" => (Notices, "release warning", "release warnings"),
        "releaseWarningSkipped" => (Notices, "warning skipped", "warnings skipped"),
        "expired" or "expire" => (StopAndRelease, "expiry", "expiries"),
        "stopped" or "stop" or "paygOverdueStop" => (StopAndRelease, "stop", "stops"),
        "started" => (StopAndRelease, "start", "starts"),
        "released" or "release" => (StopAndRelease, "release", "releases"),
        "convertedToPayg" or "convertToPayg" => (StopAndRelease, "to PAYG", "conversions to PAYG"),
        "unsubscribed" => (StopAndRelease, "unsubscribed", "unsubscriptions"),
        _ => (Changes, Show.Words(kind), Show.Words(kind) + "s"),
    };
}
