using NodaTime;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.Time;

namespace Tenure.Engine.Notices;

/// <summary>
/// R9.6: the sample a template preview is worded from when the operator gives none — the seeds' example: an ECS
/// instance on auto-renewal expiring 2019-03-30, its first attempt at 2019-03-27 08:00, failing 35.00 short.
/// </summary>
public static class NoticeSamples
{
    public const string InstanceId = "i-bp1sample";

    public static NoticeSubject Subject(NoticeKind kind, BillingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        return new NoticeSubject(kind, "acc-sample", InstanceId, calendar.At(new LocalDate(2019, 3, 27), Schedule.NoticeTime));
    }

    public static NoticeData Data(NoticeKind kind, BillingCalendar calendar, string currency)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        var expiry = calendar.StartOf(new LocalDate(2019, 3, 30));
        return new NoticeData("ecs", "ecs.g6.large", RenewalMode.Auto, 1, expiry)
        {
            FirstAttemptAt = calendar.At(new LocalDate(2019, 3, 27), Schedule.NoticeTime),
            AttemptOffset = -3,
            LastAttempt = false,
            NextAttemptAt = calendar.At(new LocalDate(2019, 3, 29), Schedule.NoticeTime),
            ReleaseAt = calendar.StartOf(new LocalDate(2019, 4, 30)),
            Amount = 12_000,
            Shortfall = 3_500,
            Renewals = 2,
            Currency = currency,
            Reason = kind switch
            {
                NoticeKind.Stopped => NoticeReason.Expired,
                NoticeKind.Started => NoticeReason.Renewed,
                NoticeKind.Released => NoticeReason.RetentionEnded,
                _ => null,
            },
            DeclineReason = kind is NoticeKind.PaymentDeclined or NoticeKind.PaymentMethodNeedsUpdate ? "card expired" : null,
            Metric = "tps",
            Value = 850,
            Limit = 1_000,
            ThresholdPercent = 70,
        };
    }
}
