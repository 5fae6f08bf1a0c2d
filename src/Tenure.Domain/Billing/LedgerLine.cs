using NodaTime;
using Tenure.Domain.Instances;

namespace Tenure.Domain.Billing;

/// <summary>A ledger row as billing records read it (R7.4): signed minor units; a coupon row names its coupon.</summary>
public sealed record LedgerLine(
    long Id, Instant At, LedgerKind Kind, long Amount, string? InstanceId, string? OrderId, string? CouponId, string Memo)
{
    /// <summary>Cash rows move the balance; coupon rows move a coupon's remainder only (R7.4).</summary>
    public bool IsCash => CouponId is null;
}
