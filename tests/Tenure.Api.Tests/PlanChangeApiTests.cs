namespace Tenure.Api.Tests;

/// <summary>Plan changes, unified expiry, unsubscription, usage alarms and forecast over real HTTP.</summary>
public sealed class PlanChangeApiTests(Server server) : IClassFixture<Server>
{
    private readonly HttpClient _operator = server.Client();

    private async Task<HttpClient> Customer(string frozenUtc, long balance)
    {
        var clockId = (await _operator.Post("/v1/test-clocks", new { frozenTime = frozenUtc })).Body.Str("id");
        var account = await _operator.Post("/v1/accounts", new { name = "Customer", email = "c@example.com", testClockId = clockId });
        await _operator.Post($"/v1/accounts/{account.Body.Str("id")}/top-ups", new { amount = balance });
        return server.Client(account.Body.Str("apiKey"));
    }

    private static async Task<string> Buy(HttpClient client, string product, string spec, int? months, string chargeType = "subscription")
    {
        var bought = await client.Post("/v1/instances", new { product, region = "cn-hangzhou", spec, chargeType, periodMonths = months });
        Assert.Equal(201, bought.Status);
        return bought.Body.Str("id");
    }

    [Fact]
    public async Task R6_2_a_reviewed_upgrade_is_paid_answers_202_and_the_operator_completes_it()
    {
        // Bought 2019-03-01 10:00 for a month (expires 04-02); upgraded 03-01: d = 32 days → ceil(150000 × 32 / 30) = 160000.
        var client = await Customer("2019-03-01T02:00:00Z", 1_000_000);
        var id = await Buy(client, "mqtt", "mqtt.platinum.50k", 1);
        var asked = await client.Post($"/v1/instances/{id}/spec-change", new { spec = "mqtt.platinum.100k" });
        Assert.Equal(202, asked.Status);
        Assert.Equal(("mqtt.platinum.50k", "mqtt.platinum.100k"), (asked.Body.Str("spec"), asked.Body.Str("pendingChange.spec")));
        Assert.Equal("640000", (await client.Get("/v1/account")).Body.Str("balance"));
        Assert.Equal(403, (await client.Post($"/v1/instances/{id}/upgrade/complete")).Status);
        var done = await _operator.Post($"/v1/instances/{id}/upgrade/complete");
        Assert.Equal((200, "mqtt.platinum.100k"), (done.Status, done.Body.Str("spec")));
        var notices = (await client.Get("/v1/notifications")).Body!["items"]!.AsArray();
        Assert.Contains("upgradeCompleted", notices.Select(n => n!["kind"]!.ToString()));
        var cross = await client.Post($"/v1/instances/{id}/spec-change", new { spec = "mqtt.basic.1k" });
        Assert.Equal((422, "cross-edition-change"), (cross.Status, cross.Body.Str("code")));
    }

    [Fact]
    public async Task R8_3_unified_expiry_quotes_then_extends_to_the_day()
    {
        var client = await Customer("2019-03-01T02:00:00Z", 100_000);
        var a = await Buy(client, "ecs", "ecs.small", 1); // expires 2019-04-02
        var quote = await client.Post("/v1/renewals/unify-expiry", new { instanceIds = new[] { a }, dayOfMonth = 15, quoteOnly = true });
        // ceil(1000 × 13 / 30)
        Assert.Equal(("2019-04-14T16:00:00Z", "434"), (quote.Body!["items"]![0].Str("newExpiresAt"), quote.Body.Str("total")));
        Assert.Equal("99000", (await client.Get("/v1/account")).Body.Str("balance"));
        var done = await client.Post("/v1/renewals/unify-expiry", new { instanceIds = new[] { a }, dayOfMonth = 15 });
        Assert.Equal(200, done.Status);
        Assert.Equal("2019-04-14T16:00:00Z", (await client.Get($"/v1/instances/{a}")).Body.Str("expiresAt"));
        Assert.Equal("98566", (await client.Get("/v1/account")).Body.Str("balance"));
        Assert.Equal(400, (await client.Post("/v1/renewals/unify-expiry", new { instanceIds = new[] { a }, dayOfMonth = 31 })).Status);
    }

    [Fact]
    public async Task R8_4_unsubscribing_refunds_the_unused_cash_and_releases()
    {
        // Bought 2019-03-01 10:00 (expires 04-02, D = 32), unsubscribed 03-10 15:00 (U = 22): floor(300000 × 22 / 32) = 206250.
        var clockId = (await _operator.Post("/v1/test-clocks", new { frozenTime = "2019-03-01T02:00:00Z" })).Body.Str("id");
        var account = await _operator.Post("/v1/accounts", new { name = "C", email = "c@example.com", testClockId = clockId });
        await _operator.Post($"/v1/accounts/{account.Body.Str("id")}/top-ups", new { amount = 300_000 });
        var client = server.Client(account.Body.Str("apiKey"));
        var id = await Buy(client, "rocketmq", "rocketmq.platinum.2k", 1);
        await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to = "2019-03-10T07:00:00Z" });
        var done = await client.Post($"/v1/instances/{id}/unsubscribe");
        Assert.Equal((200, "206250", "released"), (done.Status, done.Body.Str("refund"), done.Body.Str("instance.status")));
        Assert.Equal("206250", (await client.Get("/v1/account")).Body.Str("balance"));
        var again = await client.Post($"/v1/instances/{id}/unsubscribe");
        Assert.Equal((409, "invalid-state"), (again.Status, again.Body.Str("code")));
    }

    [Fact]
    public async Task R8_4_renewed_ahead_on_03_05_and_unsubscribed_04_10_refunds_the_current_cycle_210000_not_203225()
    {
        // SPEC R8.4's example: the renewal adds the cycle 04-02 → 05-02 (300,000 cash); on 04-10 10:00 D = 30, U = 21.
        var clockId = (await _operator.Post("/v1/test-clocks", new { frozenTime = "2019-03-01T02:00:00Z" })).Body.Str("id");
        var account = await _operator.Post("/v1/accounts", new { name = "C", email = "c@example.com", testClockId = clockId });
        await _operator.Post($"/v1/accounts/{account.Body.Str("id")}/top-ups", new { amount = 600_000 });
        var client = server.Client(account.Body.Str("apiKey"));
        var id = await Buy(client, "rocketmq", "rocketmq.platinum.2k", 1);
        Assert.Equal(200, (await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to = "2019-03-05T01:00:00Z" })).Status);
        var renewed = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 });
        Assert.Equal("2019-05-01T16:00:00Z", renewed.Body.Str("newExpiresAt"));
        Assert.Equal(200, (await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to = "2019-04-10T02:00:00Z" })).Status);
        var done = await client.Post($"/v1/instances/{id}/unsubscribe");
        Assert.Equal((200, "210000"), (done.Status, done.Body.Str("refund")));
        Assert.Equal("210000", (await client.Get("/v1/account")).Body.Str("balance"));
        Assert.Empty(Storage.Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R8_4_unsubscribed_before_the_paid_ahead_cycle_starts_refunds_that_cycle_whole()
    {
        // 03-10 15:00: the first cycle refunds floor(300000 × 22 / 32) = 206250, the cycle from 04-02 its 300000 whole.
        var clockId = (await _operator.Post("/v1/test-clocks", new { frozenTime = "2019-03-01T02:00:00Z" })).Body.Str("id");
        var account = await _operator.Post("/v1/accounts", new { name = "C", email = "c@example.com", testClockId = clockId });
        await _operator.Post($"/v1/accounts/{account.Body.Str("id")}/top-ups", new { amount = 600_000 });
        var client = server.Client(account.Body.Str("apiKey"));
        var id = await Buy(client, "rocketmq", "rocketmq.platinum.2k", 1);
        Assert.Equal(200, (await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 })).Status);
        Assert.Equal(200, (await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to = "2019-03-10T07:00:00Z" })).Status);
        var done = await client.Post($"/v1/instances/{id}/unsubscribe");
        Assert.Equal((200, "506250"), (done.Status, done.Body.Str("refund")));
        Assert.Equal("506250", (await client.Get("/v1/account")).Body.Str("balance"));
        Assert.Empty(Storage.Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R6_8_mqtt_billing_switch_needs_a_migration_and_R6_6_rocketmq_changes_edition_in_place()
    {
        var client = await Customer("2019-03-01T02:00:00Z", 1_000_000);
        var mqtt = await Buy(client, "mqtt", "mqtt.basic.1k", 1);
        var refused = await client.Post($"/v1/instances/{mqtt}/charge-type", new { chargeType = "payg" });
        Assert.Equal((422, "migration-required"), (refused.Status, refused.Body.Str("code")));
        var standard = await Buy(client, "rocketmq", "rocketmq.standard", null, "payg");
        var platinum = await client.Post($"/v1/instances/{standard}/edition", new { edition = "platinum", periodMonths = 1 });
        Assert.Equal(
            (200, standard, "platinum", "subscription"),
            (platinum.Status, platinum.Body.Str("id"), platinum.Body.Str("edition"), platinum.Body.Str("chargeType")));
        var back = await client.Post($"/v1/instances/{standard}/edition", new { edition = "standard", periodMonths = 1 });
        Assert.Equal((422, "edition-change-not-allowed"), (back.Status, back.Body.Str("code")));
        var action = await client.Send(HttpMethod.Put, $"/v1/instances/{standard}/post-expiration-action",
            new { action = "downgradeToStandard" });
        Assert.Equal((200, "downgradeToStandard"), (action.Status, action.Body.Str("postExpirationAction")));
        var ecs = await Buy(client, "ecs", "ecs.small", 1);
        var notOffered = await client.Send(HttpMethod.Put, $"/v1/instances/{ecs}/post-expiration-action",
            new { action = "downgradeToStandard" });
        Assert.Equal((400, "validation"), (notOffered.Status, notOffered.Body.Str("code")));
    }

    [Fact]
    public async Task R11_2_a_sample_over_70_percent_raises_one_alarm_per_hour_and_R8_7_forecast_shows_the_shortfall()
    {
        var client = await Customer("2019-03-01T02:00:00Z", 5000);
        var id = await Buy(client, "mqtt", "mqtt.basic.1k", 1);
        var first = await client.Post($"/v1/instances/{id}/usage",
            new { samples = new[] { new { at = "2019-03-01T02:10:00Z", tps = 701, subscriptions = 10, connections = 700 } } });
        Assert.Equal("tps", Assert.Single(first.Body!["alarms"]!.AsArray())!.Str("metric"));
        var within = await client.Post($"/v1/instances/{id}/usage",
            new { samples = new[] { new { at = "2019-03-01T02:50:00Z", tps = 900, subscriptions = 10, connections = 10 } } });
        Assert.Empty(within.Body!["alarms"]!.AsArray());
        var stats = await client.Get($"/v1/instances/{id}/usage?from=2019-03-01T02:00:00Z&to=2019-03-01T03:00:00Z&step=3600");
        var bucket = stats.Body!["buckets"]![0];
        Assert.Equal(("701", "800", "900"), (bucket.Str("tps.min"), bucket.Str("tps.avg"), bucket.Str("tps.max")));
        var off = await client.Send(HttpMethod.Put, $"/v1/instances/{id}/alarms",
            new { tps = new { thresholdPercent = 95, enabled = true } });
        Assert.Equal(200, off.Status);

        await client.Send(HttpMethod.Put, $"/v1/instances/{id}/renewal", new { mode = "auto", autoRenewMonths = 1 });
        var forecast = await client.Get("/v1/renewals/forecast?days=40");
        Assert.Equal(("5000", "false", "5000"), (forecast.Body.Str("total"), forecast.Body.Str("covered"), forecast.Body.Str("shortfall")));
        Assert.Equal("2019-03-30T00:00:00Z", forecast.Body!["items"]![0].Str("at"));
    }
}
