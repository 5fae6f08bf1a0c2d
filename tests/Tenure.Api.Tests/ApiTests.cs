
namespace Tenure.Api.Tests;

/// <summary>The seeds' examples and the API's conventions, over real HTTP on loopback; run on SQLite and on PostgreSQL.</summary>
public abstract class ApiTests(Server server)
{
    private readonly HttpClient _operator = server.Client();

    /// <summary>A test clock frozen at a UTC instant and an account on it with a balance; returns the account's client and IDs.</summary>
    private async Task<(HttpClient Client, string AccountId, string ClockId)> Customer(string frozenUtc, long balance)
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        var clock = await _operator.Post("/v1/test-clocks", new { frozenTime = frozenUtc });
        Assert.Equal(201, clock.Status);
        var clockId = clock.Body.Str("id");
        var account = await _operator.Post("/v1/accounts", new { name = "Customer", email = "c@example.com", testClockId = clockId });
        Assert.Equal(201, account.Status);
        var accountId = account.Body.Str("id");
        if (balance > 0) Assert.Equal(201, (await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount = balance })).Status);
        return (server.Client(account.Body.Str("apiKey")), accountId, clockId);
    }

    private static object Ecs(int months, bool autoRenew = false) =>
        new { product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription", periodMonths = months, autoRenew };

    [Fact]
    public async Task R2_1_bought_2017_11_08_10_00_for_a_month_expires_2017_12_09_00_00_local()
    {
        var (client, _, _) = await Customer("2017-11-08T02:00:00Z", 5000);
        var bought = await client.Post("/v1/instances", Ecs(1));
        Assert.Equal(201, bought.Status);
        Assert.Equal("2017-12-08T16:00:00Z", bought.Body.Str("expiresAt"));
        Assert.Equal("manual", bought.Body.Str("renewal.mode"));
        var account = await client.Get("/v1/account");
        Assert.Equal("4000", account.Body.Str("balance"));
    }

    [Fact]
    public async Task R4_3_attempts_03_27_to_04_13_then_the_stop_on_04_14_through_a_test_clock()
    {
        var (client, _, clockId) = await Customer("2019-01-29T02:00:00Z", 2000);
        var bought = await client.Post("/v1/instances", Ecs(2, autoRenew: true));
        var id = bought.Body.Str("id");
        Assert.Equal("2019-03-29T16:00:00Z", bought.Body.Str("expiresAt"));
        var advanced = await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to = "2019-04-13T16:00:00Z" });
        Assert.Equal(200, advanced.Status);
        Assert.Equal("8", advanced.Body.Str("eventsProcessed"));

        var events = (await client.Get($"/v1/instances/{id}/events")).Body!["items"]!.AsArray();
        var lines = events.Select(e => $"{e!["at"]} {e["kind"]}").ToList();
        Assert.Equal(
        [
            "2019-01-29T02:00:00Z purchased", "2019-03-23T00:00:00Z reminderSent", "2019-03-23T00:00:00Z lowBalance",
            "2019-03-27T00:00:00Z autoRenewFailed", "2019-03-29T00:00:00Z autoRenewFailed", "2019-03-29T16:00:00Z expired",
            "2019-03-30T00:00:00Z autoRenewFailed", "2019-04-05T00:00:00Z autoRenewFailed", "2019-04-13T00:00:00Z autoRenewFailed",
            "2019-04-13T16:00:00Z stopped",
        ], lines);
        var instance = await client.Get($"/v1/instances/{id}");
        Assert.Equal(("stopped", "releaseWarning"), (instance.Body.Str("status"), instance.Body.Str("nextEvent.kind")));
        Assert.Equal("2019-04-27T16:00:00Z", instance.Body.Str("nextEvent.at"));
        var notices = (await client.Get("/v1/notifications")).Body!["items"]!.AsArray();
        Assert.Equal(
            [
                "expiryReminder", "lowBalance", "autoRenewFailed", "autoRenewFailed", "autoRenewFailed", "autoRenewFailed",
                "autoRenewFailed", "stopped",
            ],
            notices.Select(n => n!["kind"]!.ToString()));
        Assert.All(notices, n => Assert.Equal("[\"email\"]", n!["channels"]!.ToJsonString()));
        var firstPage = await client.Get($"/v1/instances/{id}/events?limit=4");
        Assert.Equal(4, firstPage.Body!["items"]!.AsArray().Count);
        var secondPage = await client.Get($"/v1/instances/{id}/events?limit=4&cursor={firstPage.Body.Str("nextCursor")}");
        var firstOfSecond = secondPage.Body!["items"]![0]!;
        Assert.Equal("2019-03-29T00:00:00Z autoRenewFailed", $"{firstOfSecond["at"]} {firstOfSecond["kind"]}");
        var notices2 = await client.Get("/v1/notifications?limit=3");
        Assert.Equal(3, notices2.Body!["items"]!.AsArray().Count);
        Assert.NotNull(notices2.Body!["nextCursor"]?.ToString());
    }

    [Fact]
    public async Task R3_2_Jan_31_renews_to_Feb_29_then_Mar_29()
    {
        var (client, _, _) = await Customer("2019-12-30T02:00:00Z", 10_000);
        var id = (await client.Post("/v1/instances", Ecs(1))).Body.Str("id");
        Assert.Equal("2020-01-30T16:00:00Z", (await client.Get($"/v1/instances/{id}")).Body.Str("expiresAt"));
        var quote = await client.Post("/v1/renewals/quote", new { items = new[] { new { instanceId = id, periodMonths = 1 } } });
        Assert.Equal(("2020-02-28T16:00:00Z", "1000"), (quote.Body!["items"]![0].Str("newExpiresAt"), quote.Body.Str("total")));
        var first = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 });
        Assert.Equal(200, first.Status);
        Assert.Equal("2020-02-28T16:00:00Z", first.Body.Str("newExpiresAt"));
        var second = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 });
        Assert.Equal("2020-03-28T16:00:00Z", second.Body.Str("newExpiresAt"));
        Assert.Equal(("1000", "0", "1000"),
            (second.Body.Str("amount"), second.Body.Str("paidByCoupons"), second.Body.Str("paidByBalance")));
        Assert.Equal("7000", (await client.Get("/v1/account")).Body.Str("balance"));
    }

    [Fact]
    public async Task R13_1_a_foreign_instance_is_not_found_and_operator_routes_are_forbidden()
    {
        var (alice, aliceId, _) = await Customer("2019-03-01T02:00:00Z", 5000);
        var (bob, _, _) = await Customer("2019-03-01T02:00:00Z", 5000);
        var id = (await alice.Post("/v1/instances", Ecs(1))).Body.Str("id");
        foreach (var probe in new[]
        {
            bob.Get($"/v1/instances/{id}"), bob.Get($"/v1/instances/{id}/events"),
            bob.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 }),
            bob.Send(HttpMethod.Put, $"/v1/instances/{id}/renewal", new { mode = "auto", autoRenewMonths = 1 }),
            bob.Post("/v1/renewals", new { items = new[] { new { instanceId = id, periodMonths = 1 } } }),
        })
        {
            var (status, body, _) = await probe;
            Assert.Equal(404, status);
            Assert.Equal("not-found", body.Str("code"));
        }

        Assert.Equal(403, (await bob.Get($"/v1/accounts/{aliceId}")).Status);
        Assert.Equal(403, (await bob.Post("/v1/test-clocks", new { frozenTime = "2019-03-01T00:00:00Z" })).Status);
        Assert.Equal(401, (await server.Client(null).Get("/v1/instances")).Status);
        Assert.Equal(401, (await server.Client("tnr_000000000000_00000000000000000000000000000000").Get("/v1/instances")).Status);
        Assert.Equal("4000", (await alice.Get("/v1/account")).Body.Str("balance"));
        Assert.Empty((await bob.Get("/v1/instances")).Body!["items"]!.AsArray());
    }

    [Fact]
    public async Task R13_2_a_retried_request_returns_the_first_result_and_a_different_body_is_refused()
    {
        var (client, _, _) = await Customer("2019-03-01T02:00:00Z", 5000);
        var first = await client.Post("/v1/instances", Ecs(1), idempotencyKey: "buy-1");
        var again = await client.Post("/v1/instances", Ecs(1), idempotencyKey: "buy-1");
        Assert.Equal((201, 201), (first.Status, again.Status));
        Assert.Equal(first.Body.Str("id"), again.Body.Str("id"));
        Assert.True(again.Response.Headers.Contains("Idempotent-Replayed"));
        var changed = await client.Post("/v1/instances", Ecs(2), idempotencyKey: "buy-1");
        Assert.Equal((422, "idempotency-key-reused"), (changed.Status, changed.Body.Str("code")));
        Assert.Single((await client.Get("/v1/instances")).Body!["items"]!.AsArray());
        Assert.Equal("4000", (await client.Get("/v1/account")).Body.Str("balance"));

        var concurrent =
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.Post("/v1/instances", Ecs(1), idempotencyKey: "buy-2")));
        Assert.Single(concurrent.Select(c => c.Body.Str("id")).Distinct());
        Assert.Equal(2, (await client.Get("/v1/instances")).Body!["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task R7_4_concurrent_renewals_of_one_instance_each_charge_and_each_extend()
    {
        var (client, _, _) = await Customer("2019-03-01T02:00:00Z", 10_000);
        var id = (await client.Post("/v1/instances", Ecs(1))).Body.Str("id"); // expires 2019-04-02 00:00 local
        var renewals =
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 })));
        Assert.All(renewals, r => Assert.Equal(200, r.Status));
        Assert.Equal("2019-08-01T16:00:00Z", (await client.Get($"/v1/instances/{id}")).Body.Str("expiresAt"));
        Assert.Equal("5000", (await client.Get("/v1/account")).Body.Str("balance"));
        Assert.Equal(4, renewals.Select(r => r.Body.Str("orderId")).Distinct().Count());
        Assert.Empty(Storage.Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R13_2_a_key_whose_first_request_was_malformed_is_free_for_the_corrected_retry()
    {
        var (client, _, _) = await Customer("2019-03-01T02:00:00Z", 5000);
        var (status, _, _) = await client.Send(HttpMethod.Post, "/v1/instances", rawJson: "{", idempotencyKey: "fix-me");
        Assert.Equal(400, status);
        var retried = await client.Post("/v1/instances", Ecs(1), idempotencyKey: "fix-me");
        Assert.Equal(201, retried.Status);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("{\"product\":\"ecs\",\"region\":\"r\",\"spec\":\"ecs.small\",\"chargeType\":\"subscription\",\"periodMonths\":\"one\"}")]
    [InlineData("{\"product\":\"ecs\",\"region\":\"r\",\"spec\":\"ecs.small\",\"chargeType\":\"lease\",\"periodMonths\":1}")]
    [InlineData("{\"product\":\"ecs\",\"region\":\"r\",\"spec\":\"ecs.small\",\"chargeType\":\"subscription\","
        + "\"periodMonths\":99999999999}")]
    [InlineData("{\"product\":\"ecs\",\"region\":\"r\",\"spec\":\"ecs.small\",\"chargeType\":\"subscription\","
        + "\"periodMonths\":1,\"surprise\":true}")]
    [InlineData("{\"product\":\"ecs\",\"region\":\"r\",\"spec\":\"ecs.small\",\"chargeType\":\"subscription\",\"periodMonths\":-1}")]
    [InlineData("{\"product\":\"ecs\",\"region\":\"r\",\"spec\":\"ecs.small\",\"chargeType\":0,\"periodMonths\":1}")]
    [InlineData("{\"product\":null,\"region\":\"r\",\"spec\":\"ecs.small\",\"chargeType\":\"subscription\",\"periodMonths\":1}")]
    [InlineData("{\"product\":\"tractor\",\"region\":\"r\",\"spec\":\"ecs.small\",\"chargeType\":\"subscription\",\"periodMonths\":1}")]
    public async Task Bad_input_gets_400_problem_json_and_changes_nothing(string json)
    {
        var (client, _, _) = await Customer("2019-03-01T02:00:00Z", 5000);
        var (status, body, response) = await client.Send(HttpMethod.Post, "/v1/instances", rawJson: json);
        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("validation", body.Str("code"));
        Assert.Empty((await client.Get("/v1/instances")).Body!["items"]!.AsArray());
        Assert.Equal("5000", (await client.Get("/v1/account")).Body.Str("balance"));
    }

    [Fact]
    public async Task R2_3_insufficient_funds_is_402_and_creates_nothing()
    {
        var (client, _, _) = await Customer("2019-03-01T02:00:00Z", 999);
        var (status, body, _) = await client.Post("/v1/instances", Ecs(1));
        Assert.Equal((402, "insufficient-funds"), (status, body.Str("code")));
        Assert.Empty((await client.Get("/v1/instances")).Body!["items"]!.AsArray());
    }

    [Fact]
    public async Task R8_1_the_renewal_list_filters_and_exports_csv()
    {
        var (client, _, _) = await Customer("2019-03-01T02:00:00Z", 100_000);
        await client.Post("/v1/instances", Ecs(1));
        await client.Post("/v1/instances", Ecs(3, autoRenew: true));
        await client.Post("/v1/instances",
            new { product = "rocketmq", region = "cn-hangzhou", spec = "rocketmq.standard", chargeType = "payg" });
        var auto = await client.Get("/v1/instances?renewable=true&renewalMode=auto");
        Assert.Equal("2019-06-01T16:00:00Z", Assert.Single(auto.Body!["items"]!.AsArray())!.Str("expiresAt"));
        Assert.Equal(2, (await client.Get("/v1/instances?renewable=true")).Body!["items"]!.AsArray().Count);
        Assert.Single((await client.Get("/v1/instances?renewable=true&expiresWithinDays=32")).Body!["items"]!.AsArray());
        Assert.Equal(400, (await client.Get("/v1/instances?renewalMode=sometimes")).Status);
        var first = await client.Get("/v1/instances?limit=2");
        Assert.Equal(2, first.Body!["items"]!.AsArray().Count);
        var rest = await client.Get($"/v1/instances?limit=2&cursor={first.Body.Str("nextCursor")}");
        Assert.Single(rest.Body!["items"]!.AsArray());
        Assert.Null(rest.Body!["nextCursor"]);
        Assert.Single((await client.Get("/v1/instances?status=running&renewalMode=auto")).Body!["items"]!.AsArray());

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/instances?renewable=true");
        request.Headers.Accept.ParseAdd("text/csv");
        using var csv = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var lines = (await csv.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))
            .Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("instanceId,product,spec,region,status,expiresAt,daysLeft,renewalMode,autoRenewMonths", lines[0]);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public async Task R8_1_expiresWithinDays_counts_from_each_account_clock_pendingChange_filters_and_pages_run_in_SQL()
    {
        // A's clock is at 2019-03-01 10:00 local, B's a day later: a month bought then expires 32 days later (04-02, 04-03).
        var (a, accountA, _) = await Customer("2019-03-01T02:00:00Z", 2_000_000);
        var (b, _, _) = await Customer("2019-03-02T02:00:00Z", 10_000);
        async Task<string> Buy(HttpClient client, object body) => (await client.Post("/v1/instances", body)).Body.Str("id");
        var manual1 = await Buy(a, Ecs(1));
        var auto = await Buy(a, Ecs(3, autoRenew: true));
        var manual2 = await Buy(a, Ecs(1));
        var upgraded = await Buy(a, new
        {
            product = "mqtt", region = "cn-hangzhou", spec = "mqtt.platinum.50k", chargeType = "subscription",
            periodMonths = 1,
        });
        var review = await a.Post($"/v1/instances/{upgraded}/spec-change", new { spec = "mqtt.platinum.100k" });
        Assert.Equal(202, review.Status); // R6.2: paid, waiting for the operator: a pending change
        var other = await Buy(b, Ecs(1));
        async Task<List<string>> Ids(HttpClient client, string query) =>
            [.. (await client.Get($"/v1/instances?{query}")).Body!["items"]!.AsArray().Select(i => i!.Str("id"))];

        Assert.Equal([manual1, manual2, upgraded], await Ids(a, "renewable=true&expiresWithinDays=32"));
        Assert.Empty(await Ids(a, "renewable=true&expiresWithinDays=31"));
        Assert.Equal([manual1, manual2, upgraded], await Ids(_operator, $"accountId={accountA}&expiresWithinDays=32"));
        string[] ecs = [manual1, auto, manual2, other]; // the operator's list has other tests' instances too
        var everyone = await Ids(_operator, "product=ecs&expiresWithinDays=32&limit=500"); // each row against its own account's clock
        Assert.Equal([manual1, manual2, other], everyone.Where(id => ecs.Contains(id)));
        Assert.DoesNotContain(await Ids(_operator, "product=ecs&expiresWithinDays=31&limit=500"), id => ecs.Contains(id));

        Assert.Equal([upgraded], await Ids(a, "pendingChange=true"));
        Assert.Equal([manual1, auto, manual2], await Ids(a, "renewable=true&pendingChange=false"));

        // The manual tab, two at a time: the auto instance between manual1 and manual2 does not shorten a page.
        var first = await a.Get("/v1/instances?renewable=true&renewalMode=manual&limit=2");
        Assert.Equal([manual1, manual2], first.Body!["items"]!.AsArray().Select(i => i!.Str("id")));
        var rest = await a.Get($"/v1/instances?renewable=true&renewalMode=manual&limit=2&cursor={first.Body.Str("nextCursor")}");
        Assert.Equal([upgraded], rest.Body!["items"]!.AsArray().Select(i => i!.Str("id")));
        Assert.Null(rest.Body!["nextCursor"]);

        // R8.6: the operator's export gives each row the days left from its own account's now.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/instances?renewable=true&product=ecs&expiresWithinDays=32");
        request.Headers.Accept.ParseAdd("text/csv");
        using var csv = await _operator.SendAsync(request, TestContext.Current.CancellationToken);
        var rows = (await csv.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))
            .Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal([$"{manual1} 32", $"{manual2} 32", $"{other} 32"],
            rows.Select(r => r.Split(',')).Where(c => ecs.Contains(c[0])).Select(c => $"{c[0]} {c[6]}"));
    }

    [Fact]
    public async Task R7_3_coupons_pay_first_and_the_error_codes_of_renewal()
    {
        var (client, accountId, clockId) = await Customer("2019-03-01T02:00:00Z", 10_000);
        var coupon = await _operator.Post($"/v1/accounts/{accountId}/coupons",
            new { amount = 600, expiresAt = "2019-12-31T16:00:00Z", product = "ecs" });
        Assert.Equal((201, "600"), (coupon.Status, coupon.Body.Str("remaining")));
        var id = (await client.Post("/v1/instances", Ecs(1))).Body.Str("id");
        Assert.Equal("9600", (await client.Get("/v1/account")).Body.Str("balance"));
        Assert.Equal("0", (await client.Get("/v1/account")).Body!["coupons"]![0].Str("remaining"));

        var period = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 10 });
        Assert.Equal((422, "invalid-period"), (period.Status, period.Body.Str("code")));
        var payg = (await client.Post("/v1/instances",
            new { product = "rocketmq", region = "cn-hangzhou", spec = "rocketmq.standard", chargeType = "payg" })).Body.Str("id");
        var notRenewable = await client.Post($"/v1/instances/{payg}/renew", new { periodMonths = 1 });
        Assert.Equal((422, "not-renewable"), (notRenewable.Status, notRenewable.Body.Str("code")));

        // Past expiry (2019-04-02 00:00 local) the ECS instance stops;
        // auto-renew can no longer be enabled, and 15 days later it is released.
        await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to = "2019-04-05T00:00:00Z" });
        var closed = await client.Send(HttpMethod.Put, $"/v1/instances/{id}/renewal", new { mode = "auto", autoRenewMonths = 1 });
        Assert.Equal((422, "renewal-window-closed"), (closed.Status, closed.Body.Str("code")));
        await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to = "2019-04-16T16:00:00Z" });
        var released = await client.Get($"/v1/instances/{id}");
        Assert.Equal("released", released.Body.Str("status"));
        var tail = (await client.Get($"/v1/instances/{id}/events")).Body!["items"]!.AsArray()
            .TakeLast(3)
            .Select(e => $"{e!["at"]} {e["kind"]}");
        Assert.Equal(["2019-04-01T16:00:00Z stopped", "2019-04-15T16:00:00Z releaseWarningSent", "2019-04-16T16:00:00Z released"], tail);
    }

    [Fact]
    public async Task R4_7_batch_settings_R6_4_renew_downgrade_and_account_settings()
    {
        var (client, accountId, _) = await Customer("2019-03-20T02:00:00Z", 100_000);
        var medium = new { product = "ecs", region = "cn-hangzhou", spec = "ecs.medium", chargeType = "subscription", periodMonths = 1 };
        var a = (await client.Post("/v1/instances", medium)).Body.Str("id");
        var b = (await client.Post("/v1/instances", Ecs(1))).Body.Str("id");
        var settings = await client.Send(HttpMethod.Put, "/v1/renewals/settings",
            new { instanceIds = new[] { a, b }, mode = "auto", autoRenewMonths = 3 });
        Assert.Equal(200, settings.Status);
        Assert.All(settings.Body!["items"]!.AsArray(), i => Assert.Equal("3", i.Str("renewal.autoRenewMonths")));

        // Expires 2019-04-21 00:00 local; the window opened 04-06 — on 03-20 it is closed.
        var early = await client.Post($"/v1/instances/{a}/renew-downgrade", new { periodMonths = 1, spec = "ecs.small" });
        Assert.Equal((422, "renewal-window-closed"), (early.Status, early.Body.Str("code")));

        var webhook = await client.Send(HttpMethod.Put, "/v1/account/webhook",
            new { url = "https://hooks.example.com/tenure", secret = "0123456789abcdef" });
        Assert.Equal(200, webhook.Status);
        var contacts = await client.Send(HttpMethod.Put, "/v1/account/contacts",
            new { email = "new@example.com", phone = "+8613800000001" });
        Assert.Equal(("new@example.com", "+8613800000001"), (contacts.Body.Str("email"), contacts.Body.Str("phone")));
        var release = await client.Send(HttpMethod.Put, $"/v1/instances/{b}/post-release-action", new { action = "retainMetadata" });
        Assert.Equal("retainMetadata", release.Body.Str("postReleaseAction"));
        await Customer("2019-03-20T02:00:00Z", 0); // a second account, so that a page of one has a next page whatever ran before
        var page = await _operator.Get($"/v1/accounts?limit=1");
        Assert.Single(page.Body!["items"]!.AsArray());
        Assert.NotNull(page.Body!["nextCursor"]?.ToString());
        Assert.Equal(accountId, (await _operator.Get($"/v1/accounts/{accountId}")).Body.Str("id"));
    }

    [Fact]
    public async Task R8_2_ecs_cannot_be_batched_with_other_products_and_a_batch_is_one_order()
    {
        var (client, _, _) = await Customer("2019-03-01T02:00:00Z", 100_000);
        var ecs = (await client.Post("/v1/instances", Ecs(1))).Body.Str("id");
        var basic = new { product = "mqtt", region = "cn-hangzhou", spec = "mqtt.basic.1k", chargeType = "subscription", periodMonths = 1 };
        var mqtt = (await client.Post("/v1/instances", basic)).Body.Str("id");
        var mixed = await client.Post("/v1/renewals",
            new { items = new[] { new { instanceId = ecs, periodMonths = 1 }, new { instanceId = mqtt, periodMonths = 1 } } });
        Assert.Equal((422, "batch-mixes-products"), (mixed.Status, mixed.Body.Str("code")));
        var ecs2 = (await client.Post("/v1/instances", Ecs(2))).Body.Str("id");
        var batch = await client.Post("/v1/renewals",
            new { items = new[] { new { instanceId = ecs, periodMonths = 1 }, new { instanceId = ecs2, periodMonths = 12 } } });
        Assert.Equal(200, batch.Status);
        Assert.Equal("11000", batch.Body.Str("total"));
        Assert.Equal(["2019-05-01T16:00:00Z", "2020-05-01T16:00:00Z"],
            batch.Body!["items"]!.AsArray().Select(i => i!["newExpiresAt"]!.ToString()));
    }
}

public sealed class SqliteApiTests(Server server) : ApiTests(server), IClassFixture<Server>;

public sealed class PostgresApiTests(PostgresServer server) : ApiTests(server), IClassFixture<PostgresServer>;
