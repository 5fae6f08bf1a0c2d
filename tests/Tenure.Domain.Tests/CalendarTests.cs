using NodaTime;
using Tenure.Domain.Time;
using static Tenure.Domain.Tests.Given;

namespace Tenure.Domain.Tests;

public sealed class CalendarTests
{
    private static readonly BillingCalendar Shanghai = BillingCalendar.Default;

    [Fact]
    public void R1_1_default_billing_zone_is_Shanghai_and_instants_are_utc()
    {
        Assert.Equal("Asia/Shanghai", Given.Rules.Calendar.Zone.Id);
        var expiry = Shanghai.ExpiryOfPurchase(Local("2017-11-08 10:00"), 1);
        Assert.Equal(Instant.FromUtc(2017, 12, 8, 16, 0), expiry);
    }

    [Fact]
    public void R1_2_twelve_months_is_one_year()
    {
        Assert.Equal("2020-03-30 00:00", Show(Shanghai.Extend(Local("2019-03-30 00:00"), 12)));
        Assert.Equal("2020-03-31 00:00", Show(Shanghai.ExpiryOfPurchase(Local("2019-03-30 15:00"), 12)));
    }

    [Fact]
    public void R1_2_days_are_calendar_days_of_the_zone()
    {
        // 23:30 local on 03-29 and 00:30 local on 03-30 are an hour apart but one calendar day.
        Assert.Equal(1, Shanghai.DaysBetween(Local("2019-03-29 23:30"), Local("2019-03-30 00:30")));
        Assert.Equal("2019-04-13 08:00", Show(Shanghai.PlusDays(Local("2019-03-30 08:00"), 14)));
    }

    [Fact]
    public void R1_3_expiry_is_local_midnight_whatever_the_purchase_time()
    {
        foreach (var time in new[] { "2019-03-01 00:00", "2019-03-01 00:01", "2019-03-01 12:00", "2019-03-01 23:59" })
        {
            var expiry = Shanghai.ExpiryOfPurchase(Local(time), 1);
            Assert.Equal("2019-04-02 00:00", Show(expiry));
            Assert.Equal(new LocalDate(2019, 4, 2), Shanghai.DateOf(expiry));
        }
    }

    [Fact]
    public void R2_1_bought_2017_11_08_at_10_for_a_month_expires_2017_12_09_at_midnight()
    {
        Assert.Equal("2017-12-09 00:00", Show(Shanghai.ExpiryOfPurchase(Local("2017-11-08 10:00"), 1)));
    }

    [Fact]
    public void R2_2_adding_months_clamps_to_the_end_of_a_shorter_month()
    {
        Assert.Equal(new LocalDate(2019, 2, 28), BillingCalendar.AddMonths(new LocalDate(2019, 1, 31), 1));
        Assert.Equal(new LocalDate(2020, 2, 29), BillingCalendar.AddMonths(new LocalDate(2020, 1, 31), 1));
        Assert.Equal(new LocalDate(2019, 4, 30), BillingCalendar.AddMonths(new LocalDate(2019, 3, 31), 1));
        Assert.Equal("2019-03-01 00:00", Show(Shanghai.ExpiryOfPurchase(Local("2019-01-31 10:00"), 1)));
    }

    [Theory]
    [InlineData("2019-06-01", "2019-07-01", 30)]
    [InlineData("2019-05-21", "2019-06-21", 31)]
    [InlineData("2019-02-01", "2019-03-01", 28)]
    [InlineData("2020-02-01", "2020-03-01", 29)]
    public void R3_1_renewing_a_month_moves_expiry_to_the_same_day_next_month(string from, string to, int days)
    {
        var expiry = Local(from + " 00:00");
        var renewed = Shanghai.Extend(expiry, 1);
        Assert.Equal(to + " 00:00", Show(renewed));
        Assert.Equal(Duration.FromDays(days), renewed - expiry);
    }

    [Fact]
    public void R3_2_month_end_is_sticky_Jan_31_Feb_29_Mar_29()
    {
        var expiry = Local("2020-01-31 00:00");
        var seen = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            expiry = Shanghai.Extend(expiry, 1);
            seen.Add(Show(expiry));
        }

        Assert.Equal(["2020-02-29 00:00", "2020-03-29 00:00", "2020-04-29 00:00", "2020-05-29 00:00"], seen);
        Assert.Equal("2019-02-28 00:00", Show(Shanghai.Extend(Local("2019-01-31 00:00"), 1)));
    }

    [Fact]
    public void R3_2_May_31_renews_to_Jun_30_then_stays_on_the_30th_until_February()
    {
        var expiry = Local("2019-05-31 00:00");
        var seen = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            expiry = Shanghai.Extend(expiry, 1);
            seen.Add(Show(expiry)[..10]);
        }

        Assert.Equal(
            [
                "2019-06-30", "2019-07-30", "2019-08-30", "2019-09-30", "2019-10-30",
                "2019-11-30", "2019-12-30", "2020-01-30", "2020-02-29", "2020-03-29",
            ],
            seen);
    }

    [Fact]
    public void R1_5_New_York_gap_resolves_to_the_first_instant_after_it_and_overlap_to_the_earlier()
    {
        var ny = BillingCalendar.ForZone("America/New_York")!;
        // 2019-03-10 02:30 does not exist (02:00 → 03:00 EDT): the first instant after the gap is 03:00 EDT = 07:00Z.
        Assert.Equal(Instant.FromUtc(2019, 3, 10, 7, 0), ny.At(new LocalDate(2019, 3, 10), new LocalTime(2, 30)));
        // 2019-11-03 01:30 happens twice: the earlier is 01:30 EDT = 05:30Z.
        Assert.Equal(Instant.FromUtc(2019, 11, 3, 5, 30), ny.At(new LocalDate(2019, 11, 3), new LocalTime(1, 30)));
        // 08:00 reminders stay at 08:00 local across the change.
        Assert.Equal(Instant.FromUtc(2019, 3, 10, 12, 0), ny.At(new LocalDate(2019, 3, 10), new LocalTime(8, 0)));
        Assert.Equal(Instant.FromUtc(2019, 3, 9, 13, 0), ny.At(new LocalDate(2019, 3, 9), new LocalTime(8, 0)));
    }

    [Fact]
    public void R1_5_Sao_Paulo_midnight_in_a_gap_is_the_start_of_that_day()
    {
        var saoPaulo = BillingCalendar.ForZone("America/Sao_Paulo")!;
        // On 2018-11-04 clocks jumped from 00:00 to 01:00 (UTC-3 → UTC-2).
        var bought = saoPaulo.At(new LocalDate(2018, 10, 3), new LocalTime(10, 0));
        var expiry = saoPaulo.ExpiryOfPurchase(bought, 1);
        Assert.Equal(Instant.FromUtc(2018, 11, 4, 3, 0), expiry);
        Assert.Equal(new LocalDate(2018, 11, 4), saoPaulo.DateOf(expiry));
        Assert.Equal(new LocalTime(1, 0), saoPaulo.Local(expiry).TimeOfDay);
        Assert.Equal(Instant.FromUtc(2018, 12, 4, 2, 0), saoPaulo.Extend(expiry, 1));
    }

    [Fact]
    public void R1_5_any_IANA_zone_is_accepted_and_unknown_ones_are_not()
    {
        Assert.NotNull(BillingCalendar.ForZone("Europe/Berlin"));
        Assert.NotNull(BillingCalendar.ForZone("Pacific/Chatham"));
        Assert.Null(BillingCalendar.ForZone("Mars/Olympus"));
    }
}
