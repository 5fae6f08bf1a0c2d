using NodaTime;
using Tenure.Domain.Billing;
using Tenure.Domain.Instances;
using Tenure.Domain.Time;

namespace Tenure.Domain.Tests;

/// <summary>R8.8: statement months of the billing zone, statements that add up, and an instance's cost.</summary>
public sealed class BillingTests
{
    private static readonly BillingCalendar Shanghai = BillingCalendar.Default;

    [Fact]
    public void R8_8_sixty_days_of_PAYG_hours_read_as_sixty_local_days_of_24_hours()
    {
        // 1,440 hourly charges of 20 from 2019-02-28 16:00Z (03-01 00:00 local): 60 local days, 480 each, 28,800 in all.
        var start = Instant.FromUtc(2019, 2, 28, 16, 0);
        var hours = Enumerable.Range(0, 1440).Select(h => start + Duration.FromHours(h))
            .Select(at => new CostItem($"o-{at.ToUnixTimeSeconds()}", at + Duration.FromHours(1), OrderKind.PaygHour, at, 20, 0));
        var purchase = new CostItem("o-buy", start, OrderKind.Purchase, start, 1000, 400);
        var cost = InstanceCost.Of(Shanghai, hours.Append(purchase));
        Assert.Equal(60, cost.PaygDays.Length);
        Assert.All(cost.PaygDays, d => Assert.Equal((24, 480L), (d.Hours, d.Amount)));
        Assert.Equal((new LocalDate(2019, 3, 1), new LocalDate(2019, 4, 29)), (cost.PaygDays[0].Date, cost.PaygDays[^1].Date));
        Assert.Equal(["o-buy"], cost.Orders.Select(o => o.OrderId));
        Assert.Equal(28_800 + 1000 - 400, cost.Total);
    }

    [Fact]
    public void R8_8_a_statement_month_is_a_month_of_the_billing_zone_and_opening_plus_movements_is_closing()
    {
        Assert.Equal((Instant.FromUtc(2019, 1, 31, 16, 0), Instant.FromUtc(2019, 2, 28, 16, 0)), Statements.Span(Shanghai,
            new YearMonth(2019, 2)));
        Assert.Equal(new YearMonth(2019, 2), Statements.MonthOf(Shanghai, Instant.FromUtc(2019, 1, 31, 17, 0)));
        Assert.Equal(new YearMonth(2026, 3), Statements.ParseMonth("2026-03").Value);
        foreach (var bad in new[] { "2026-13", "2026-3", "26-03", "2026-03-01", "",
            "2200-01" }) Assert.False(Statements.ParseMonth(bad).IsSuccess, bad);
        LedgerLine Line(long id, long amount, string? coupon = null) =>
            new(id, Instant.FromUtc(2019, 2, 1, 0, 0), LedgerKind.Charge, amount, null, null, coupon, "m");
        var statement = Statements.Of(new YearMonth(2019, 2), 1300, [Line(1, 500), Line(2, -300, "cpn-1"), Line(3, -1000)]);
        Assert.Equal((1300L, -500L, 800L), (statement.Opening, statement.Movements, statement.Closing));
        Assert.Equal([1800L, 800L], statement.Lines.Select(l => l.BalanceAfter));
        Assert.Empty(StatementAudit.Check(Shanghai, "acc-1", 800, [Line(1, 500), Line(3, -1000), Line(4, 1300)]));
        Assert.Equal(["acc-1: the last statement closes at 800, the balance is 801"], StatementAudit.Check(Shanghai, "acc-1", 801,
            [Line(1, 500), Line(3, -1000), Line(4, 1300)]));
    }
}
