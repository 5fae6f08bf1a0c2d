using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Storage;

namespace Tenure.Api;

/// <summary>A list page: <c>{items, nextCursor}</c>.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

public sealed record AccountDto(
    string Id, string Name, string Email, string? Phone, string Currency, long Balance, bool NoStopOnExpiry, string? TestClockId,
    IReadOnlyList<CouponDto> Coupons, string? ApiKey = null)
{
    /// <summary>R7.8: the payment method on file (its label and status, never its token), or null.</summary>
    public PaymentMethodDto? PaymentMethod { get; init; }
    /// <summary>R9.6: the language the account's notices are worded in.</summary>
    public string Locale { get; init; } = Domain.Accounts.Locales.Default;

    public static AccountDto From(AccountRow row, IReadOnlyList<CouponDto> coupons, string? apiKey = null) =>
        new(row.Id, row.Name, row.Email, row.Phone, row.Currency, row.Balance, row.NoStopOnExpiry != 0,
            row.ClockId == Session.SystemClock ? null : row.ClockId, coupons, apiKey)
        {
            PaymentMethod = PaymentMethodDto.From(row.PaymentMethod),
            Locale = row.Locale,
        };
}

public sealed record CouponDto(string Id, long Amount, long Remaining, Instant ExpiresAt, string? Product, string Currency);

public sealed record RenewalDto(RenewalMode Mode, int? AutoRenewMonths);

public sealed record NextEventDto(string Kind, Instant At)
{
    /// <summary>An event kind as the API names it: camelCase.</summary>
    public static string KindName(EventKind kind) => char.ToLowerInvariant(kind.ToString()[0]) + kind.ToString()[1..];
}

public sealed record InstanceDto(
    string Id, string AccountId, string Product, string Region, string Edition, string Spec, ChargeType ChargeType, string Endpoint,
    InstanceStatus Status, bool Expired, Instant CreatedAt, Instant? ExpiresAt, int? DaysLeft, RenewalDto Renewal,
    PostExpirationAction PostExpirationAction,
    PostReleaseAction PostReleaseAction, PendingChange? PendingChange, Components Components, NextEventDto? NextEvent)
{
    /// <summary>R8.10: what the instance accepts now; only <c>GET /v1/instances/{id}</c> decides it, lists leave it out.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public PossibleActions? Actions { get; init; }

    /// <summary>R7.10: a payment for the instance is in flight; it is not stopped or released meanwhile.</summary>
    public bool PaymentPending { get; init; }

    /// <summary>
    /// R2, R7.8: on the answer of a purchase or a paid plan change (R6) only, the order it made and what coupons, balance
    /// and the payment method paid of it.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public PaidOrderDto? Order { get; init; }

    public static InstanceDto From(Rules rules, Instance i, Domain.Accounts.Account account, Instant now)
    {
        var next = Schedule.Next(rules, i, account);
        return new InstanceDto(
            i.Id.Value, i.AccountId.Value, i.Product, i.Region, i.Edition, i.Spec, i.ChargeType, $"{i.Id.Value}.{i.Region}.tenure.internal",
            i.Status, i.IsExpired(now), i.CreatedAt, i.ExpiresAt, i.ExpiresAt is { } e ? rules.Calendar.DaysBetween(now, e) : null,
            new RenewalDto(i.Mode, i.Mode == RenewalMode.Auto ? i.AutoRenewMonths : null),
            i.PostExpirationAction, i.PostReleaseAction, i.PendingChange, i.Components,
            next is { } n ? new NextEventDto(NextEventDto.KindName(n.Kind), n.At) : null)
        {
            PaymentPending = i.PaymentPending is not null,
        };
    }
}

/// <summary>The order a paid command made: its total and what coupons, balance and the payment method paid (R7.8).</summary>
public sealed record PaidOrderDto(string OrderId, long Total, long PaidByCoupons, long PaidByBalance, long PaidByPaymentMethod)
{
    /// <summary>The order a command's written change made, or null when it made none.</summary>
    public static PaidOrderDto? Of(Written w) =>
        w.Change.Effects.Order is { } order && w.OrderId is { } orderId
            ? new PaidOrderDto(orderId, order.Total, order.PaidByCoupons, order.PaidByBalance, order.PaidByMethod)
            : null;
}

/// <summary>Seed 003's renewal tabs: how many renewable instances the list's filters show in each renewal mode.</summary>
public sealed record RenewalCountsDto(long Manual, long Auto, long NoRenew);
