using NodaTime;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Renewals;
using Tenure.Domain.Time;
using static Tenure.Domain.Tests.Given;

namespace Tenure.Domain.Tests;

public sealed class RenewalListTests
{
    private static readonly Instance Manual = Expiring("ecs", "ecs.small", "2019-03-30", id: "i-manual");
    private static readonly Instance Auto =
        Expiring("mqtt", "mqtt.basic.1k", "2019-04-20", RenewalMode.Auto, id: "i-auto", autoRenewMonths: 3);
    private static readonly Instance NoRenew =
        Expiring("ecs", "ecs.large", "2019-05-30", RenewalMode.NoRenew, id: "i-norenew") with { Region = "eu-central-1" };
    private static readonly Instance Released =
        Expiring("ecs", "ecs.small", "2019-03-01", id: "i-released") with { Status = InstanceStatus.Released };
    private static readonly Instance Ticket = Expiring("event-ticket", "ticket", "2019-03-30", id: "i-ticket");
    private static readonly Instance Payg = Bought("ecs", "ecs.small", "2019-03-01 10:00", null, id: "i-payg", chargeType: ChargeType.Payg);
    private static readonly Instance[] All = [Manual, Auto, NoRenew, Released, Ticket, Payg];

    private static string[] Listed(InstanceFilter filter) =>
        [.. All.Where(i => (filter with { Renewable = true }).Matches(Given.Rules, i, Local("2019-03-20 10:00"))).Select(i => i.Id.Value)];

    [Fact]
    public void R8_1_the_list_shows_renewable_unreleased_instances_with_the_three_tabs_and_filters()
    {
        Assert.Equal(["i-manual", "i-auto", "i-norenew"], Listed(new InstanceFilter()));
        Assert.Equal(["i-manual"], Listed(new InstanceFilter { Mode = RenewalMode.Manual }));
        Assert.Equal(["i-auto"], Listed(new InstanceFilter { Mode = RenewalMode.Auto }));
        Assert.Equal(["i-norenew"], Listed(new InstanceFilter { Mode = RenewalMode.NoRenew }));
        Assert.Equal(["i-manual", "i-norenew"], Listed(new InstanceFilter { Product = "ecs" }));
        Assert.Equal(["i-norenew"], Listed(new InstanceFilter { Region = "eu-central-1" }));
        Assert.Equal(["i-manual"], Listed(new InstanceFilter { ExpiresWithinDays = 10 }));
        Assert.Equal(["i-manual", "i-auto"], Listed(new InstanceFilter { ExpiresWithinDays = 31 }));
        Assert.Empty(Listed(new InstanceFilter { Status = InstanceStatus.Stopped }));
    }

    [Theory]
    [InlineData("Asia/Shanghai")]
    [InlineData("America/Sao_Paulo")] // days that begin at 01:00 (2018-11-04) and days of 25 hours (2019-02-16)
    [InlineData("Europe/London")]
    [InlineData("Asia/Tehran")] // clocks back at 24:00 (2018-09-21), forward at 00:00 (2019-03-22)
    public void R8_1_expires_within_N_days_is_at_most_N_calendar_days_from_every_hour_of_a_year_of_zone_changes(string zone)
    {
        var rules = Given.Rules with { Calendar = BillingCalendar.ForZone(zone)! };
        var calendar = rules.Calendar;
        var end = calendar.StartOf(new LocalDate(2019, 4, 5));
        for (var now = calendar.StartOf(new LocalDate(2018, 9, 15)); now < end; now += Duration.FromMinutes(30))
        {
            foreach (var days in new[] { 0, 1, 3 })
            {
                var filter = new InstanceFilter { ExpiresWithinDays = days };
                for (var date = calendar.DateOf(now).PlusDays(-1); date <= calendar.DateOf(now).PlusDays(days + 2); date = date.PlusDays(1))
                {
                    var expiry = calendar.StartOf(date);
                    Assert.Equal(calendar.DaysBetween(now, expiry) <= days, filter.Matches(rules, Manual with { ExpiresAt = expiry }, now));
                }
            }
        }
    }

    [Fact]
    public void R8_6_the_renewal_list_exports_as_csv()
    {
        var now = Local("2019-03-20 10:00");
        var csv = RenewalList.ToCsv(Given.Rules, [(Manual, now), (Auto with { Region = "cn,\"north\"" }, now)]);
        Assert.Equal(
            "instanceId,product,spec,region,status,expiresAt,daysLeft,renewalMode,autoRenewMonths\r\n" +
            "i-manual,ecs,ecs.small,cn-hangzhou,running,2019-03-30 00:00,10,manual,\r\n" +
            "i-auto,mqtt,mqtt.basic.1k,\"cn,\"\"north\"\"\",running,2019-04-20 00:00,31,auto,3\r\n",
            csv);
    }
}
