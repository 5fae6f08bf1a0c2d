using Tenure.Domain.Money;
using Tenure.Domain.Renewals;

namespace Tenure.Domain.Tests;

/// <summary>R13.4: what a quote says it covers, and when its ID stops matching.</summary>
public sealed class QuoteTests
{
    [Fact]
    public void R13_4_coverage_counts_the_products_coupons_then_the_balance_and_the_rest_is_the_exact_shortfall()
    {
        var ecs = Given.Coupon("c-ecs", 1000, "2019-05-01 00:00", product: "ecs");
        var account = Given.Account(2500, coupons: [ecs, Given.Coupon("c-mqtt", 700, "2019-05-01 00:00", product: "mqtt")]);
        Assert.Equal(new Coverage(3500, 1500), Coverage.Of(account, 5000, "ecs", Given.Local("2019-03-10 00:00")));
        Assert.Equal(new Coverage(900, 0), Coverage.Of(account, 900, "ecs", Given.Local("2019-03-10 00:00")));
        Assert.Equal(new Coverage(2500, 2500), Coverage.Of(account, 5000, "ecs", Given.Local("2019-06-10 00:00")));
    }

    [Fact]
    public void R13_4_a_quote_id_changes_with_the_instance_and_with_the_amount_and_not_otherwise()
    {
        var instance = Given.Bought("ecs", "ecs.small", "2019-03-01 10:00", 1);
        var now = Given.Local("2019-03-10 00:00");
        var renewed = Renewal.Renew(Given.Rules, instance, Given.Account(10_000), 1, now).Value;
        var id = QuoteIds.Of([instance], 1000, renewed.Instances);
        Assert.Equal(id, QuoteIds.Of([instance], 1000, renewed.Instances));
        Assert.NotEqual(id, QuoteIds.Of([instance], 1001, renewed.Instances));
        Assert.NotEqual(id, QuoteIds.Of([renewed.Instance], 1000, renewed.Instances));
        Assert.NotEqual(id, QuoteIds.Of([instance with { Spec = "ecs.medium" }], 1000, renewed.Instances));
    }
}
