using System.Text;

namespace Tenure.Api.Tests;

/// <summary>
/// Issue 11, section 3: input that once changed state or answered 5xx. Each test is named after what broke;
/// over real HTTP on loopback, on SQLite and on PostgreSQL.
/// </summary>
public abstract class InputTests(Server server)
{
    private readonly HttpClient _operator = server.Client();

    private async Task<(HttpClient Client, string AccountId, string ClockId)> Customer(string frozenUtc, long balance)
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        var clock = await _operator.Post("/v1/test-clocks", new { frozenTime = frozenUtc });
        Assert.Equal(201, clock.Status);
        var account = await _operator.Post("/v1/accounts",
            new { name = "Customer", email = "c@example.com", testClockId = clock.Body.Str("id") });
        Assert.Equal(201, account.Status);
        var accountId = account.Body.Str("id");
        if (balance > 0) Assert.Equal(201, (await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount = balance })).Status);
        return (server.Client(account.Body.Str("apiKey")), accountId, clock.Body.Str("id"));
    }

    private static object Ecs(int months, bool autoRenew = false) =>
        new { product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription", periodMonths = months, autoRenew };

    private static void Validation(
        (int Status, System.Text.Json.Nodes.JsonNode? Body, HttpResponseMessage Response) answer, int status = 400)
    {
        Assert.Equal(status, answer.Status);
        Assert.Equal("application/problem+json", answer.Response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_empty_renewal_body_no_longer_turns_auto_renew_off()
    {
        var (client, _, _) = await Customer("2019-03-01T02:00:00Z", 10_000);
        var id = (await client.Post("/v1/instances", Ecs(1, autoRenew: true))).Body.Str("id");
        Validation(await client.Send(HttpMethod.Put, $"/v1/instances/{id}/renewal", rawJson: "{}"));
        Assert.Equal("auto", (await client.Get($"/v1/instances/{id}")).Body.Str("renewal.mode"));
    }

    [Fact]
    public async Task An_empty_body_no_longer_resets_the_post_expiration_and_post_release_actions()
    {
        var (client, _, _) = await Customer("2019-03-01T02:00:00Z", 1_000_000);
        var id = (await client.Post("/v1/instances", new
        {
            product = "rocketmq", region = "cn-hangzhou", edition = "platinum", spec = "rocketmq.platinum.2k", chargeType = "subscription",
            periodMonths = 1,
        })).Body.Str("id");
        Assert.Equal(200, (await client.Send(HttpMethod.Put, $"/v1/instances/{id}/post-expiration-action",
            new { action = "downgradeToStandard" })).Status);
        Assert.Equal(200, (await client.Send(HttpMethod.Put, $"/v1/instances/{id}/post-release-action",
            new { action = "retainMetadata" })).Status);
        Validation(await client.Send(HttpMethod.Put, $"/v1/instances/{id}/post-expiration-action", rawJson: "{}"));
        Validation(await client.Send(HttpMethod.Put, $"/v1/instances/{id}/post-release-action", rawJson: "{}"));
        var instance = await client.Get($"/v1/instances/{id}");
        Assert.Equal(("downgradeToStandard", "retainMetadata"),
            (instance.Body.Str("postExpirationAction"), instance.Body.Str("postReleaseAction")));
    }

    [Fact]
    public async Task An_empty_test_clock_body_no_longer_makes_a_1970_clock()
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        var before = (await _operator.Get("/v1/test-clocks")).Body!["items"]!.AsArray().Count;
        Validation(await _operator.Send(HttpMethod.Post, "/v1/test-clocks", rawJson: "{}"));
        Assert.Equal(before, (await _operator.Get("/v1/test-clocks")).Body!["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task A_property_given_twice_or_in_another_case_is_refused_not_charged_twice()
    {
        var (client, accountId, _) = await Customer("2019-03-01T02:00:00Z", 10_000);
        var id = (await client.Post("/v1/instances", Ecs(1))).Body.Str("id");
        var balance = (await client.Get("/v1/account")).Body.Str("balance");
        var twice = await client.Send(HttpMethod.Post, $"/v1/instances/{id}/renew", rawJson: """{"periodMonths":1,"PeriodMonths":2}""");
        Validation(twice);
        Validation(await client.Send(HttpMethod.Post, $"/v1/instances/{id}/renew", rawJson: """{"periodMonths":1,"periodMonths":2}"""));
        Validation(await client.Send(HttpMethod.Post, $"/v1/instances/{id}/renew", rawJson: """{"PeriodMonths":2}"""));
        Assert.Equal(balance, (await _operator.Get($"/v1/accounts/{accountId}")).Body.Str("balance"));
    }

    [Fact]
    public async Task A_usage_sample_at_9999_12_31_is_refused_and_later_alarms_still_answer()
    {
        var (client, _, _) = await Customer("2019-03-01T02:00:00Z", 1_000_000);
        var id = (await client.Post("/v1/instances",
                new { product = "mqtt", region = "cn-hangzhou", spec = "mqtt.basic.1k", chargeType = "subscription", periodMonths = 1 }))
            .Body.Str("id");
        var far = await client.Post($"/v1/instances/{id}/usage",
            new { samples = new[] { new { at = "9999-12-31T00:00:00Z", tps = 999_999, subscriptions = 0, connections = 0 } } });
        Validation(far);
        Assert.Equal("samples[0].at", far.Body!["errors"]!.AsObject().Single().Key.Replace("$.", "", StringComparison.Ordinal));
        var later = await client.Post($"/v1/instances/{id}/usage",
            new { samples = new[] { new { at = "2019-03-01T03:00:00Z", tps = 999_999, subscriptions = 0, connections = 0 } } });
        Assert.Equal(200, later.Status);
        Assert.Single(later.Body!["alarms"]!.AsArray());
        Assert.Equal(200, (await client.Get($"/v1/instances/{id}/usage?from=2019-03-01T00:00:00Z&to=2019-03-02T00:00:00Z")).Status);
        Validation(await client.Get($"/v1/instances/{id}/usage?from=9999-12-30T00:00:00Z&to=9999-12-31T00:00:00Z"));
    }

    [Fact]
    public async Task Instants_before_1970_or_from_2200_are_refused_everywhere()
    {
        var (_, accountId, clockId) = await Customer("2019-03-01T02:00:00Z", 0);
        Validation(await _operator.Post("/v1/test-clocks", new { frozenTime = "1969-12-31T23:59:59Z" }));
        Validation(await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to = "2200-01-01T00:00:00Z" }));
        Validation(await _operator.Post($"/v1/accounts/{accountId}/coupons", new { amount = 100, expiresAt = "9999-12-31T00:00:00Z" }));
        Assert.Empty((await _operator.Get($"/v1/accounts/{accountId}")).Body!["coupons"]!.AsArray());
    }

    [Fact]
    public async Task Empty_contacts_answer_400_not_500()
    {
        var (client, _, _) = await Customer("2019-03-01T02:00:00Z", 0);
        Validation(await client.Send(HttpMethod.Put, "/v1/account/contacts", rawJson: "{}"));
        Assert.Equal("c@example.com", (await client.Get("/v1/account")).Body.Str("email"));
    }

    [Fact]
    public async Task An_account_without_an_email_answers_400_not_500()
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        Validation(await _operator.Send(HttpMethod.Post, "/v1/accounts", rawJson: """{"name":"x"}"""));
    }

    [Fact]
    public async Task A_1_MB_email_or_a_201_character_name_is_refused()
    {
        var (client, _, _) = await Customer("2019-03-01T02:00:00Z", 0);
        var huge = new string('a', 1 << 19) + "@example.com";
        Validation(await _operator.Post("/v1/accounts", new { name = "x", email = huge }));
        Validation(await _operator.Post("/v1/accounts", new { name = new string('n', 201), email = "c@example.com" }));
        Validation(await _operator.Post("/v1/accounts", new { name = "x", email = new string('a', 243) + "@example.com" }));
        Assert.Equal(201, (await _operator.Post("/v1/accounts",
            new { name = new string('n', 200), email = new string('a', 242) + "@example.com" })).Status);
        Validation(await client.Send(HttpMethod.Put, "/v1/account/contacts", new { email = huge }));
        Assert.Equal("c@example.com", (await client.Get("/v1/account")).Body.Str("email"));
    }

    [Fact]
    public async Task Sign_in_without_a_form_or_with_a_newline_or_non_ascii_key_answers_4xx_not_5xx()
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        using var browser = server.Client(key: null);
        var bare = await browser.PostAsync("/console/sign-in", null, TestContext.Current.CancellationToken);
        Assert.Equal(415, (int)bare.StatusCode);
        foreach (var key in new[] { "tnr_abc\ndef", "tnr_clé_secrète", "op-test-key\r\nX-Injected: 1" })
        {
            using var form = new FormUrlEncodedContent([new("key", key)]);
            var answer = await browser.PostAsync("/console/sign-in", form, TestContext.Current.CancellationToken);
            Assert.Equal(401, (int)answer.StatusCode);
        }
    }

    [Fact]
    public async Task Too_large_wrong_type_and_too_many_header_bytes_answer_413_415_431_as_problems()
    {
        var (client, _, _) = await Customer("2019-03-01T02:00:00Z", 0);
        // Expect: 100-continue, so that the 413 answered before the body is read does not race the upload.
        using var upload = new HttpRequestMessage(HttpMethod.Put, "/v1/account/contacts")
        {
            Content = new StringContent($$"""{"email":"{{new string('a', 2 << 20)}}@example.com"}""", Encoding.UTF8, "application/json"),
        };
        upload.Headers.ExpectContinue = true;
        var large = await client.SendAsync(upload, TestContext.Current.CancellationToken);
        Assert.Equal((413, "application/problem+json"), ((int)large.StatusCode, large.Content.Headers.ContentType?.MediaType));
        using var xml = new StringContent("<contacts/>", Encoding.UTF8, "application/xml");
        var wrongType = await client.PutAsync("/v1/account/contacts", xml, TestContext.Current.CancellationToken);
        Assert.Equal((415, "application/problem+json"), ((int)wrongType.StatusCode, wrongType.Content.Headers.ContentType?.MediaType));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/account");
        request.Headers.TryAddWithoutValidation("X-Padding", new string('p', 40 << 10));
        var headers = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal((431, "application/problem+json"), ((int)headers.StatusCode, headers.Content.Headers.ContentType?.MediaType));
    }

    [Fact]
    public async Task Limit_0_on_accounts_answers_400_like_every_list_instead_of_being_clamped()
    {
        var (client, _, _) = await Customer("2019-03-01T02:00:00Z", 10_000);
        var id = (await client.Post("/v1/instances", Ecs(1))).Body.Str("id");
        foreach (var list in new[] { "/v1/accounts", "/v1/instances", $"/v1/instances/{id}/events", "/v1/notifications" })
        {
            foreach (var limit in new[] { 0, 501 }) Validation(await _operator.Get($"{list}?limit={limit}"));
            Assert.Equal(200, (await _operator.Get($"{list}?limit=500")).Status);
        }
    }

    [Fact]
    public async Task Ten_years_of_a_payg_instance_in_one_advance_is_refused_with_422_and_runs_nothing()
    {
        var (client, _, clockId) = await Customer("2019-03-01T02:00:00Z", 10_000);
        var id = (await client.Post("/v1/instances",
            new { product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "payg" })).Body.Str("id");
        var events = (await client.Get($"/v1/instances/{id}/events")).Body!["items"]!.AsArray().Count;
        var tooFar = await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to = "2029-03-01T02:00:00Z" });
        Validation(tooFar, 422);
        Assert.Equal(("invalid-period", "to"), (tooFar.Body.Str("code"), tooFar.Body!["errors"]!.AsObject().Single().Key));
        Assert.Equal(events, (await client.Get($"/v1/instances/{id}/events")).Body!["items"]!.AsArray().Count);
        Assert.Equal("2019-03-01T02:00:00Z", (await _operator.Get($"/v1/test-clocks/{clockId}")).Body.Str("frozenTime"));
        Assert.Equal(200, (await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to = "2019-03-02T02:00:00Z" })).Status);
    }

    [Fact]
    public async Task A_test_clock_advance_refused_for_its_key_runs_no_event_ahead_of_the_clock()
    {
        // The advance ran the clock's batches before its command claimed the key: a refused request still charged PAYG hours.
        var (client, _, clockId) = await Customer("2019-03-01T02:00:00Z", 10_000);
        var id = (await client.Post("/v1/instances",
            new { product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "payg" })).Body.Str("id");
        async Task<(string Balance, int Events)> State() =>
            ((await client.Get("/v1/account")).Body.Str("balance"),
                (await client.Get($"/v1/instances/{id}/events")).Body!["items"]!.AsArray().Count);
        var advance = $"/v1/test-clocks/{clockId}/advance";
        Assert.Equal(200, (await _operator.Post(advance, new { to = "2019-03-01T05:00:00Z" }, idempotencyKey: "adv-1")).Status);
        var before = await State();

        Validation(await _operator.Post(advance, new { to = "2019-03-02T05:00:00Z" }, idempotencyKey: new string('k', 256)), 400);
        var reused = await _operator.Post(advance, new { to = "2019-03-02T05:00:00Z" }, idempotencyKey: "adv-1");
        Assert.Equal((422, "idempotency-key-reused"), (reused.Status, reused.Body.Str("code")));
        var replayed = await _operator.Post(advance, new { to = "2019-03-01T05:00:00Z" }, idempotencyKey: "adv-1");
        Assert.True(replayed.Response.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(before, await State());
        Assert.Equal("2019-03-01T05:00:00Z", (await _operator.Get($"/v1/test-clocks/{clockId}")).Body.Str("frozenTime"));
    }
}

public sealed class SqliteInputTests(Server server) : InputTests(server), IClassFixture<Server>;

public sealed class PostgresInputTests(PostgresServer server) : InputTests(server), IClassFixture<PostgresServer>;
