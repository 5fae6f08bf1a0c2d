using System.Collections.Immutable;
using Fluid.Values;
using NodaTime;
using Tenure.Domain.Instances;
using Tenure.Domain.Time;

namespace Tenure.Engine.Notices;

/// <summary>What a notice is about beside its data: its kind, account, instance and instant.</summary>
public sealed record NoticeSubject(NoticeKind Kind, string AccountId, string? InstanceId, Instant At);

/// <summary>
/// R9.6: the fields a template may name, each a fact of the notice worded for its locale (dates in the billing zone,
/// money with its currency). A field the notice does not have is nil, so <c>{% if lastAttempt %}</c> reads plainly.
/// </summary>
public static class NoticeFields
{
    /// <summary>Every field name, as templates write them.</summary>
    public static ImmutableArray<string> Names { get; } =
    [
        "kind", "accountId", "instanceId", "noticeAt", "product", "spec", "renewalMode", "autoRenewMonths", "expiresOn",
        "expiresAt", "firstAttemptAt", "attemptOffset", "attemptDay", "lastAttempt", "nextAttemptAt", "releaseAt", "amount",
        "shortfall", "renewals", "currency", "declineReason", "reason", "metric", "value", "limit", "thresholdPercent",
        "orderId",
    ];

    /// <summary>The values of every field for one notice, worded in <paramref name="locale"/>.</summary>
    public static Dictionary<string, FluidValue> Of(NoticeSubject notice, NoticeData data, string locale, BillingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(notice);
        ArgumentNullException.ThrowIfNull(data);
        string? Money(long? minor) => minor is { } m ? LocaleFormat.Money(m, data.Currency ?? string.Empty, locale) : null;
        string? When(Instant? at) => at is { } a ? LocaleFormat.DateTime(calendar, a, locale) : null;
        var values = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["kind"] = Camel(notice.Kind.ToString()),
            ["accountId"] = notice.AccountId,
            ["instanceId"] = notice.InstanceId,
            ["noticeAt"] = When(notice.At),
            ["product"] = data.Product,
            ["spec"] = data.Spec,
            ["renewalMode"] = Camel(data.RenewalMode.ToString()),
            ["autoRenewMonths"] = data.AutoRenewMonths,
            ["expiresOn"] = data.ExpiresAt is { } e ? LocaleFormat.Date(calendar, e, locale) : null,
            ["expiresAt"] = When(data.ExpiresAt),
            ["firstAttemptAt"] = When(data.FirstAttemptAt),
            ["attemptOffset"] = data.AttemptOffset,
            ["attemptDay"] = data.AttemptOffset is { } o ? $"T{o:+0;-0;+0}" : null,
            ["lastAttempt"] = data.LastAttempt,
            ["nextAttemptAt"] = When(data.NextAttemptAt),
            ["releaseAt"] = When(data.ReleaseAt),
            ["amount"] = Money(data.Amount),
            ["shortfall"] = Money(data.Shortfall),
            ["renewals"] = data.Renewals,
            ["currency"] = data.Currency,
            ["declineReason"] = data.DeclineReason,
            ["orderId"] = data.OrderId,
            ["reason"] = data.Reason is { } r ? Camel(r.ToString()) : null,
            ["metric"] = data.Metric,
            ["value"] = data.Value,
            ["limit"] = data.Limit,
            ["thresholdPercent"] = data.ThresholdPercent,
        };
        return values.ToDictionary(v => v.Key, v => Value(v.Value), StringComparer.Ordinal);
    }

    private static FluidValue Value(object? value) => value switch
    {
        null => NilValue.Instance,
        string s => new StringValue(s),
        bool b => BooleanValue.Create(b),
        int i => NumberValue.Create(i),
        long l => NumberValue.Create(l),
        _ => throw new InvalidOperationException($"A notice field of type {value.GetType().Name}."),
    };

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
