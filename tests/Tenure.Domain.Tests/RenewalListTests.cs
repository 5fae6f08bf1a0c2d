using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Renewals;
using static Tenure.Domain.Tests.Given;

namespace Tenure.Domain.Tests;

public sealed class RenewalListTests
{
    private static readonly Instance Manual = Expiring("ecs", "ecs.small", "2019-03-30", id: "i-manual");
    private static readonly Instance Auto = Expiring("mqtt", "mqtt.basic.1k", "2019-04-20", RenewalMode.Auto, id: "i-auto", autoRenewMonths: 3);
    private static readonly Instance NoRenew = Expiring("ecs", "ecs.large", "2019-05-30", RenewalMode.NoRenew, id: "i-norenew") with { Region = "eu-central-1" };
    private static readonly Instance Released = Expiring("ecs", "ecs.small", "2019-03-01", id: "i-released") with { Status = InstanceStatus.Released };
    private static readonly Instance Ticket = Expiring("event-ticket", "ticket", "2019-03-30", id: "i-ticket");
    private static readonly Instance Payg = Bought("ecs", "ecs.small", "2019-03-01 10:00", null, id: "i-payg", chargeType: ChargeType.Payg);
    private static readonly Instance[] All = [Manual, Auto, NoRenew, Released, Ticket, Payg];

    private static string[] Listed(RenewalFilter filter) =>
        [.. All.Where(i => RenewalList.Shows(Given.Rules, i, filter, Local("2019-03-20 10:00"))).Select(i => i.Id.Value)];

    [Fact]
    public void R8_1_the_list_shows_renewable_unreleased_instances_with_the_three_tabs_and_filters()
    {
        Assert.Equal(["i-manual", "i-auto", "i-norenew"], Listed(new RenewalFilter()));
        Assert.Equal(["i-manual"], Listed(new RenewalFilter(Mode: RenewalMode.Manual)));
        Assert.Equal(["i-auto"], Listed(new RenewalFilter(Mode: RenewalMode.Auto)));
        Assert.Equal(["i-norenew"], Listed(new RenewalFilter(Mode: RenewalMode.NoRenew)));
        Assert.Equal(["i-manual", "i-norenew"], Listed(new RenewalFilter(Product: "ecs")));
        Assert.Equal(["i-norenew"], Listed(new RenewalFilter(Region: "eu-central-1")));
        Assert.Equal(["i-manual"], Listed(new RenewalFilter(ExpiresWithinDays: 10)));
        Assert.Equal(["i-manual", "i-auto"], Listed(new RenewalFilter(ExpiresWithinDays: 31)));
        Assert.Empty(Listed(new RenewalFilter(Status: InstanceStatus.Stopped)));
    }

    [Fact]
    public void R8_6_the_renewal_list_exports_as_csv()
    {
        var csv = RenewalList.ToCsv(Given.Rules, [Manual, Auto with { Region = "cn,\"north\"" }], Local("2019-03-20 10:00"));
        Assert.Equal(
            "instanceId,product,spec,region,status,expiresAt,daysLeft,renewalMode,autoRenewMonths\r\n" +
            "i-manual,ecs,ecs.small,cn-hangzhou,running,2019-03-30 00:00,10,manual,\r\n" +
            "i-auto,mqtt,mqtt.basic.1k,\"cn,\"\"north\"\"\",running,2019-04-20 00:00,31,auto,3\r\n",
            csv);
    }
}
