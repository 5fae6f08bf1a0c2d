using NodaTime;
using Tenure.Domain.Instances;

namespace Tenure.Domain.Billing;

/// <summary>R8.8: the period an order item paid for, as billing records show it.</summary>
public static class OrderPeriod
{
    /// <summary>
    /// Where the item's period ends: a PAYG hour one hour after it began (R7.6); an item that set an expiry
    /// (a purchase, renewal, plan change) at that expiry; otherwise where it began.
    /// </summary>
    public static Instant End(OrderKind kind, Instant start, Instant? newExpiresAt) =>
        kind == OrderKind.PaygHour ? start + Duration.FromHours(1) : newExpiresAt ?? start;
}
