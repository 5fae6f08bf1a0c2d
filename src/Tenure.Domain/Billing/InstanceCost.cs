using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Instances;
using Tenure.Domain.Time;

namespace Tenure.Domain.Billing;

/// <summary>One instance's part of an order, as its cost is summed: when, what kind, how much, and what was refunded of it.</summary>
public sealed record CostItem(string OrderId, Instant At, OrderKind Kind, Instant PeriodStart, long Amount, long Refunded);

/// <summary>A day's PAYG hours of one instance, in the billing zone.</summary>
public sealed record PaygDay(LocalDate Date, int Hours, long Amount);

/// <summary>R8.8: what an instance cost: each order but PAYG hours, the hours grouped by local day, and the total net of refunds.</summary>
public sealed record InstanceCostSummary(ImmutableArray<CostItem> Orders, ImmutableArray<PaygDay> PaygDays, long Total);

public static class InstanceCost
{
    /// <summary>
    /// Sums an instance's order items: PAYG hours by the local day their hour began (1,440 hourly charges read as 60
    /// days), every other order on its own; the total is what was charged less what was refunded.
    /// </summary>
    public static InstanceCostSummary Of(BillingCalendar calendar, IEnumerable<CostItem> items)
    {
        var all = items.OrderBy(i => i.At).ThenBy(i => i.OrderId, StringComparer.Ordinal).ToList();
        var days = all.Where(i => i.Kind == OrderKind.PaygHour)
            .GroupBy(i => calendar.DateOf(i.PeriodStart))
            .Select(g => new PaygDay(g.Key, g.Count(), g.Sum(i => i.Amount)))
            .OrderBy(d => d.Date);
        var total = all.Sum(i => checked(i.Amount - i.Refunded));
        return new InstanceCostSummary([.. all.Where(i => i.Kind != OrderKind.PaygHour)], [.. days], total);
    }
}
