using Tenure.Domain.Catalog;

namespace Tenure.Domain.Tests;

/// <summary>The SPEC appendix as shipped in <c>catalog/default.json</c>, and the loader's errors.</summary>
public sealed class CatalogTests
{
    private static readonly ProductCatalog Default = CatalogLoader.Default;

    private const string Valid = """
        {
          "currency": "USD",
          "products": [
            {
              "code": "p",
              "name": "P",
              "purchasePeriods": [1],
              "manualPeriods": [1],
              "editions": [
                { "code": "e", "chargeTypes": ["subscription"], "specs": [ { "code": "s", "monthlyPrice": 100 } ] }
              ]
            }
          ]
        }
        """;

    [Fact]
    public void Appendix_the_catalog_sells_five_products_in_usd()
    {
        Assert.Equal("USD", Default.Currency);
        Assert.Equal(["ecs", "mqtt", "rocketmq", "oss-package", "event-ticket"], Default.Products.Select(p => p.Code));
    }

    [Fact]
    public void Appendix_editions_and_their_charge_types()
    {
        Assert.Equal(
            [
                "ecs/default: Subscription, Payg",
                "mqtt/basic: Subscription",
                "mqtt/platinum: Subscription",
                "rocketmq/standard: Payg",
                "rocketmq/platinum: Subscription",
                "oss-package/default: Subscription",
                "event-ticket/default: Subscription",
            ],
            Default.Products.SelectMany(p => p.Editions.Select(e => $"{p.Code}/{e.Code}: {string.Join(", ", e.ChargeTypes)}")));
    }

    [Fact]
    public void Appendix_specs_and_monthly_prices()
    {
        Assert.Equal(
            [
                ("ecs", "ecs.small", 1_000L),
                ("ecs", "ecs.medium", 2_000L),
                ("ecs", "ecs.large", 4_000L),
                ("mqtt", "mqtt.basic.1k", 5_000L),
                ("mqtt", "mqtt.basic.5k", 20_000L),
                ("mqtt", "mqtt.platinum.50k", 200_000L),
                ("mqtt", "mqtt.platinum.100k", 350_000L),
                ("rocketmq", "rocketmq.platinum.2k", 300_000L),
                ("oss-package", "oss.500g", 1_000L),
                ("event-ticket", "ticket", 5_000L),
            ],
            Default.Products.SelectMany(p => p.Editions.SelectMany(e => e.Specs
                .Where(s => s.MonthlyPrice is not null)
                .Select(s => (p.Code, s.Code, s.MonthlyPrice!.Value)))));
    }

    [Fact]
    public void Appendix_rocketmq_standard_costs_20_an_hour_and_has_no_monthly_price()
    {
        var standard = Assert.Single(Default.Get("rocketmq").FindEdition("standard")!.Specs);

        Assert.Equal("rocketmq.standard", standard.Code);
        Assert.Equal(20, standard.HourlyPrice);
        Assert.Null(standard.MonthlyPrice);
    }

    [Fact]
    public void Appendix_mqtt_basic_upgrades_at_once_and_platinum_after_review()
    {
        var mqtt = Default.Get("mqtt");

        Assert.Equal(UpgradeMode.Immediate, mqtt.FindEdition("basic")!.Upgrade);
        Assert.Equal(UpgradeMode.Review, mqtt.FindEdition("platinum")!.Upgrade);
    }

    [Fact]
    public void Appendix_mqtt_limits()
    {
        Assert.Equal(
            [
                ("mqtt.basic.1k", new Limits(1_000, 5_000, 1_000)),
                ("mqtt.basic.5k", new Limits(5_000, 25_000, 5_000)),
                ("mqtt.platinum.50k", new Limits(50_000, 250_000, 50_000)),
                ("mqtt.platinum.100k", new Limits(100_000, 500_000, 100_000)),
            ],
            Default.Get("mqtt").Editions.SelectMany(e => e.Specs).Select(s => (s.Code, s.Limits!)));
        Assert.All(Default.Products.Where(p => p.Code != "mqtt").SelectMany(p => p.Editions).SelectMany(e => e.Specs),
            s => Assert.Null(s.Limits));
    }

    [Fact]
    public void Appendix_ecs_component_prices()
    {
        Assert.Equal(
            new ComponentPrices(BandwidthPerMbpsMonth: 100, TrafficPerMonth: 0, DataDiskSubscriptionPerGbMonth: 5, DataDiskPaygPerMonth: 0),
            Default.Get("ecs").Components);
        Assert.All(Default.Products.Where(p => p.Code != "ecs"), p => Assert.Null(p.Components));
    }

    [Fact]
    public void Appendix_renewal_policies_of_the_renewable_products()
    {
        foreach (var code in new[] { "ecs", "mqtt", "rocketmq", "oss-package" })
        {
            var product = Default.Get(code);
            Assert.True(product.Renewable, code);
            Assert.Equal([1, 2, 3, 6, 12], product.AutoRenewPeriods);
            Assert.Equal([-3, -1, 0, 6, 14], product.AutoRenewAttemptDays);
            Assert.Equal(15, product.AutoRenewGraceDays);
            Assert.Equal(0, product.StopDelayDays);
            Assert.Equal([7, 3, 1], product.ReminderDays);
            Assert.Equal(10, product.YearPriceMonths);
        }

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 24, 36], Default.Get("ecs").ManualPeriods);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 12], Default.Get("mqtt").ManualPeriods);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 12], Default.Get("rocketmq").ManualPeriods);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 12], Default.Get("oss-package").ManualPeriods);
    }

    [Fact]
    public void Appendix_the_event_ticket_is_not_renewable()
    {
        var ticket = Default.Get("event-ticket");

        Assert.False(ticket.Renewable);
        Assert.Empty(ticket.ManualPeriods);
        Assert.Empty(ticket.AutoRenewPeriods);
        Assert.Equal([7], ticket.ReminderDays);
        Assert.Equal(0, ticket.StopDelayDays);
    }

    [Fact]
    public void Appendix_retention_and_release_on_stop()
    {
        Assert.Equal(
            [("ecs", 15, false), ("mqtt", 7, false), ("rocketmq", 7, false), ("oss-package", 0, true), ("event-ticket", 0, false)],
            Default.Products.Select(p => (p.Code, p.RetentionDays, p.ReleaseOnStop)));
    }

    [Fact]
    public void Appendix_conveniences_per_product()
    {
        Assert.Equal(
            [
                ("ecs", false, true, (int?)15, true, false),
                ("mqtt", true, false, null, false, false),
                ("rocketmq", true, false, null, false, true),
                ("oss-package", true, false, null, false, false),
            ],
            Default.Products.Where(p => p.Renewable).Select(p => (p.Code, p.BatchWithOtherProducts, p.UnifiedExpiry,
                p.RenewDowngradeWindowDays, p.PaygToSubscriptionInPlace, p.Unsubscribe)));
        Assert.False(Default.Get("event-ticket").UnifiedExpiry);
        Assert.Null(Default.Get("event-ticket").RenewDowngradeWindowDays);
        Assert.False(Default.Get("event-ticket").Unsubscribe);
    }

    [Fact]
    public void Appendix_spec_and_edition_changes()
    {
        Assert.Equal(
            [
                ("ecs", SpecChangePolicy.UpAndDown),
                ("mqtt", SpecChangePolicy.UpAndDown),
                ("rocketmq", SpecChangePolicy.None),
                ("oss-package", SpecChangePolicy.None),
                ("event-ticket", SpecChangePolicy.None),
            ],
            Default.Products.Select(p => (p.Code, p.SpecChange)));
        Assert.Equal(
            ["rocketmq/standard → platinum"],
            Default.Products.SelectMany(p => p.Editions.SelectMany(e => e.InPlaceChangeTo.Select(t => $"{p.Code}/{e.Code} → {t}"))));
    }

    [Fact]
    public void Appendix_post_expiration_actions()
    {
        Assert.Equal([PostExpirationAction.Stop, PostExpirationAction.DowngradeToStandard], Default.Get("rocketmq").PostExpirationActions);
        Assert.All(Default.Products.Where(p => p.Code != "rocketmq"),
            p => Assert.Equal([PostExpirationAction.Stop], p.PostExpirationActions));
    }

    [Fact]
    public void Appendix_a_minimal_catalog_parses()
    {
        var catalog = CatalogLoader.Parse(Valid, "mini.json");

        Assert.Equal(100, catalog.Get("p").FindEdition("e")!.FindSpec("s")!.MonthlyPrice);
    }

    [Theory]
    [InlineData("\"monthlyPrice\": 100", "\"monthlyPrice\": -1", "$.products[0].editions[0].specs[0].monthlyPrice")]
    [InlineData("\"name\": \"P\",", "\"name\": \"P\", \"colour\": \"red\",", "$.products[0].colour")]
    [InlineData("\"monthlyPrice\": 100", "\"monthlyPrice\": \"ten\"", "$.products[0].editions[0].specs[0].monthlyPrice")]
    [InlineData("[\"subscription\"]", "[\"prepaid\"]", "$.products[0].editions[0].chargeTypes[0]")]
    [InlineData(
        "{ \"code\": \"s\", \"monthlyPrice\": 100 }",
        "{ \"code\": \"s\", \"monthlyPrice\": 100 }, { \"code\": \"s\", \"monthlyPrice\": 200 }",
        "$.products[0].editions[0].specs[0].code")] // names the first of the duplicates
    [InlineData("\"currency\": \"USD\"", "\"currency\": \"usd\"", "$.currency")]
    [InlineData("\"purchasePeriods\": [1]", "\"purchasePeriods\": [0]", "$.products[0].purchasePeriods")]
    public void Appendix_a_bad_field_is_named_with_the_file(string valid, string bad, string field)
    {
        var json = Valid.Replace(valid, bad, StringComparison.Ordinal);
        Assert.NotEqual(Valid, json);

        var error = Assert.Throws<CatalogException>(() => CatalogLoader.Parse(json, "catalog/bad.json"));

        Assert.Equal("catalog/bad.json", error.File);
        Assert.Equal(field, error.Field);
        Assert.StartsWith($"catalog/bad.json: {field}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Appendix_a_missing_required_field_names_the_object_and_the_field()
    {
        var json = Valid.Replace("\"name\": \"P\",", string.Empty, StringComparison.Ordinal);

        var error = Assert.Throws<CatalogException>(() => CatalogLoader.Parse(json, "catalog/bad.json"));

        Assert.Equal("$.products[0]", error.Field);
        Assert.StartsWith("catalog/bad.json: $.products[0]: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("'name'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Appendix_a_file_that_fails_to_load_is_named_by_its_path()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tenure-catalog-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, Valid.Replace("\"monthlyPrice\": 100", "\"monthlyPrice\": -1", StringComparison.Ordinal));
        try
        {
            var error = Assert.Throws<CatalogException>(() => CatalogLoader.LoadFile(path));

            Assert.StartsWith($"{path}: $.products[0].editions[0].specs[0].monthlyPrice: ", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
