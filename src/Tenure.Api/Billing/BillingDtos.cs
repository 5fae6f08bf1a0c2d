using NodaTime;
using Tenure.Domain.Billing;
using Tenure.Storage;

namespace Tenure.Api;

public sealed record OrderItemDto(string InstanceId, string Kind, Instant PeriodStart, Instant PeriodEnd, long Amount);

/// <summary>A refund given back on an order (R8.4): the ledger line that holds it.</summary>
public sealed record RefundDto(long Id, Instant At, long Amount);

/// <summary>R8.8: an order, what paid it (coupons, balance, payment method) and what was refunded of it.</summary>
public sealed record OrderDto(
    string Id, string AccountId, Instant At, string Kind, long Total, long PaidByCoupons, long PaidByBalance, long PaidByPaymentMethod,
    long Refunded, string Currency, IReadOnlyList<OrderItemDto> Items, IReadOnlyList<RefundDto> Refunds)
{
    public static OrderDto From(OrderRecord o, string currency) =>
        new(o.Id, o.AccountId, o.At, Names.Camel(o.Kind.ToString()), o.Total, o.PaidByCoupons, o.PaidByBalance, o.PaidByMethod,
            o.Refunded, currency,
            [.. o.Items.Select(i => new OrderItemDto(i.InstanceId, Names.Camel(i.Kind.ToString()), i.PeriodStart, i.PeriodEnd, i.Amount))],
            [.. o.Refunds.Select(r => new RefundDto(r.Id, r.At, r.Amount))]);
}

/// <summary>R8.8: a ledger line with the balance after it; a coupon line leaves the balance as it was.</summary>
public sealed record LedgerLineDto(
    long Id, Instant At, string Kind, long Amount, long BalanceAfter, string? OrderId, string? CouponId, string? InstanceId, string Memo,
        string Currency)
{
    public static LedgerLineDto From(LedgerLine l, long balanceAfter, string currency) =>
        new(l.Id, l.At, Names.Camel(l.Kind.ToString()), l.Amount, balanceAfter, l.OrderId, l.CouponId, l.InstanceId, l.Memo, currency);
}

/// <summary>R8.8: a month of the billing zone: opening balance + the entries = closing balance.</summary>
public sealed record StatementDto(
    string Month, Instant From, Instant To, string TimeZone, long OpeningBalance, long ClosingBalance, string Currency,
        IReadOnlyList<LedgerLineDto> Entries);

public sealed record CostOrderDto(string OrderId, Instant At, string Kind, long Amount, long Refunded);

public sealed record PaygDayDto(LocalDate Date, int Hours, long Amount);

/// <summary>R8.8: what an instance cost: per order, PAYG hours per local day, and the total net of refunds.</summary>
public sealed record InstanceCostDto(string InstanceId, long Total, string Currency, IReadOnlyList<CostOrderDto> Orders,
    IReadOnlyList<PaygDayDto> PaygDays);

internal static class Names
{
    /// <summary>An enum name as the API spells it: <c>PaygHour</c> → <c>paygHour</c>.</summary>
    public static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
