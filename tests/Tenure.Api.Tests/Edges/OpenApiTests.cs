namespace Tenure.Api.Tests.Edges;

/// <summary>
/// Issue 11, "The OpenAPI document tells the truth": real requests on every operation, each answer checked against the
/// document; on SQLite and on PostgreSQL.
/// </summary>
public abstract class OpenApiTests(Server server)
{
    private readonly HttpClient _operator = server.Client();

    private async Task<(ContractCalls Calls, string ClockId, string AccountId, HttpClient Client)> Start(
        string frozenUtc = "2019-03-01T02:00:00Z")
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        var calls = new ContractCalls(await OpenApiContract.LoadAsync(_operator));
        var clock = await calls.Send(_operator, "POST", "/v1/test-clocks", $$"""{"frozenTime":"{{frozenUtc}}"}""");
        var body = $$"""{"name":"Contract","email":"c@example.com","testClockId":"{{clock.Json.Str("id")}}"}""";
        var account = await calls.Send(_operator, "POST", "/v1/accounts", body);
        await calls.Send(_operator, "POST", $"/v1/accounts/{account.Json.Str("id")}/top-ups", """{"amount":5000000}""");
        return (calls, clock.Json.Str("id"), account.Json.Str("id"), server.Client(account.Json.Str("apiKey")));
    }

    private static async Task<string> Buy(
        ContractCalls calls, HttpClient client, string product, string spec, string chargeType = "subscription", int? months = 1)
    {
        var period = months is null ? string.Empty : $",\"periodMonths\":{months}";
        var body = $$"""{"product":"{{product}}","region":"cn-hangzhou","spec":"{{spec}}","chargeType":"{{chargeType}}"{{period}}}""";
        var bought = await calls.Send(client, "POST", "/v1/instances", body);
        Assert.True(bought.Status == 201, bought.Text);
        return bought.Json.Str("id");
    }

    [Fact]
    public async Task Every_operation_answers_as_its_document_says_for_requests_that_succeed_and_that_fail()
    {
        var (calls, clockId, accountId, client) = await Start();
        var other = await calls.Send(_operator, "POST", "/v1/accounts", """{"name":"Other","email":"o@example.com"}""");
        using var stranger = server.Client(other.Json.Str("apiKey"));
        var foreign = await Buy(calls, stranger, "ecs", "ecs.small", months: null, chargeType: "payg");
        async Task Call(HttpClient who, string method, string path, string? json = null, string? accept = null) =>
            await calls.Send(who, method, path, json, accept: accept);

        await Call(_operator, "GET", "/healthz");
        await Call(_operator, "GET", "/readyz");
        await Call(client, "GET", "/v1/products");
        await Call(server.Client(null), "GET", "/v1/products");
        await Call(_operator, "POST", "/v1/test-clocks", """{"frozenTime":"1900-01-01T00:00:00Z"}""");
        await Call(_operator, "GET", "/v1/test-clocks");
        await Call(client, "GET", "/v1/test-clocks");
        await Call(_operator, "GET", $"/v1/test-clocks/{clockId}");
        await Call(_operator, "GET", "/v1/test-clocks/clk-missing");
        await Call(_operator, "POST", "/v1/accounts", """{"name":"","email":"x"}""");
        await Call(_operator, "GET", "/v1/accounts?limit=2");
        await Call(client, "GET", "/v1/accounts");
        await Call(_operator, "GET", $"/v1/accounts/{accountId}");
        await Call(_operator, "GET", "/v1/accounts/acc-missing");
        await Call(_operator, "POST", $"/v1/accounts/{accountId}/top-ups", """{"amount":-5}""");
        await Call(_operator, "POST", $"/v1/accounts/{accountId}/coupons", """{"amount":1000,"expiresAt":"2030-01-01T00:00:00Z"}""");
        await Call(client, "POST", $"/v1/accounts/{accountId}/coupons", """{"amount":1000,"expiresAt":"2030-01-01T00:00:00Z"}""");
        await Call(client, "GET", "/v1/account");
        await Call(_operator, "GET", "/v1/account");

        var medium = await Buy(calls, client, "ecs", "ecs.medium");
        var small = await Buy(calls, client, "ecs", "ecs.small");
        var payg = await Buy(calls, client, "ecs", "ecs.small", "payg", null);
        var mqtt = await Buy(calls, client, "mqtt", "mqtt.platinum.50k");
        var standard = await Buy(calls, client, "rocketmq", "rocketmq.standard", "payg", null);
        var platinum = await Buy(calls, client, "rocketmq", "rocketmq.platinum.2k");
        await Call(client, "POST", "/v1/instances",
            """{"product":"nope","region":"cn-hangzhou","spec":"x","chargeType":"subscription","periodMonths":1}""");
        await Call(client, "POST", "/v1/instances",
            """
            {"product":"ecs","region":"cn-hangzhou","spec":"ecs.small","chargeType":"subscription","periodMonths":1,"quoteOnly":true}
            """);
        await Call(client, "GET", "/v1/instances?limit=3");
        await Call(client, "GET", "/v1/instances?renewable=true", accept: "text/csv");
        await Call(client, "GET", "/v1/instances?limit=0");
        await Call(client, "GET", $"/v1/instances/{payg}");
        await Call(client, "GET", $"/v1/instances/{foreign}");
        await Call(client, "GET", $"/v1/instances/{small}/events?limit=2");
        await Call(client, "GET", $"/v1/instances/{small}/events?limit=0");
        await Call(client, "GET", $"/v1/instances/{payg}/schedule");
        await Call(client, "GET", $"/v1/instances/{foreign}/schedule");
        await Call(client, "POST", $"/v1/instances/{small}/renew", """{"periodMonths":1,"quoteOnly":true}""");
        await Call(client, "POST", $"/v1/instances/{small}/renew", """{"periodMonths":1,"quoteId":"q_stale"}""");
        await Call(client, "POST", $"/v1/instances/{small}/renew", """{"periodMonths":1}""");
        await Call(client, "POST", $"/v1/instances/{small}/renew", """{"periodMonths":0}""");
        await Call(client, "PUT", $"/v1/instances/{small}/renewal", """{"mode":"auto","autoRenewMonths":1}""");
        await Call(client, "PUT", $"/v1/instances/{small}/renewal", """{"mode":"weekly"}""");
        await Call(client, "GET", "/v1/notifications?limit=2");
        await Call(client, "GET", "/v1/notifications?limit=0");
        await Call(client, "POST", "/v1/renewals/quote", $$"""{"items":[{"instanceId":"{{small}}","periodMonths":1}]}""");
        await Call(client, "POST", "/v1/renewals/quote", """{"items":[]}""");
        await Call(client, "POST", "/v1/renewals", $$"""{"items":[{"instanceId":"{{small}}","periodMonths":1}]}""");
        await Call(client, "POST", "/v1/renewals", $$"""{"items":[{"instanceId":"{{foreign}}","periodMonths":1}]}""");
        await Call(client, "PUT", "/v1/renewals/settings", $$"""{"instanceIds":["{{small}}"],"mode":"manual"}""");
        await Call(client, "PUT", "/v1/renewals/settings", """{"instanceIds":[],"mode":"manual"}""");
        await Call(client, "POST", "/v1/renewals/unify-expiry", $$"""{"instanceIds":["{{small}}"],"dayOfMonth":15,"quoteOnly":true}""");
        await Call(client, "POST", "/v1/renewals/unify-expiry", $$"""{"instanceIds":["{{small}}"],"dayOfMonth":31}""");
        await Call(client, "POST", $"/v1/instances/{mqtt}/spec-change", """{"spec":"mqtt.platinum.100k"}""");
        await Call(client, "POST", $"/v1/instances/{small}/spec-change", """{"spec":"ecs.large","quoteOnly":true}""");
        await Call(client, "POST", $"/v1/instances/{small}/spec-change", """{"spec":"ecs.large"}""");
        await Call(client, "POST", $"/v1/instances/{mqtt}/spec-change", """{"spec":"mqtt.basic.1k"}""");
        await Call(client, "POST", $"/v1/instances/{mqtt}/upgrade/complete");
        await Call(_operator, "POST", $"/v1/instances/{mqtt}/upgrade/complete");
        await Call(client, "POST", $"/v1/instances/{medium}/renew-downgrade", """{"periodMonths":1,"spec":"ecs.small"}""");
        await Call(client, "POST", $"/v1/instances/{standard}/edition", """{"edition":"platinum","periodMonths":1,"quoteOnly":true}""");
        await Call(client, "POST", $"/v1/instances/{standard}/edition", """{"edition":"platinum","periodMonths":1}""");
        await Call(client, "POST", $"/v1/instances/{standard}/edition", """{"edition":"standard","periodMonths":1}""");
        await Call(client, "POST", $"/v1/instances/{payg}/charge-type", """{"chargeType":"subscription","periodMonths":1}""");
        await Call(client, "POST", $"/v1/instances/{mqtt}/charge-type", """{"chargeType":"payg"}""");
        await Call(client, "PUT", $"/v1/instances/{small}/post-expiration-action", """{"action":"stop"}""");
        await Call(client, "PUT", $"/v1/instances/{small}/post-expiration-action", """{"action":"explode"}""");
        await Call(client, "PUT", $"/v1/instances/{small}/post-release-action", """{"action":"retainMetadata"}""");
        await Call(client, "PUT", $"/v1/instances/{small}/post-release-action", """{"action":7}""");
        await Call(client, "POST", $"/v1/instances/{platinum}/unsubscribe");
        await Call(client, "POST", $"/v1/instances/{platinum}/unsubscribe");
        await Call(client, "POST", $"/v1/instances/{mqtt}/usage",
            """{"samples":[{"at":"2019-03-01T02:10:00Z","tps":701,"subscriptions":10,"connections":700}]}""");
        await Call(client, "POST", $"/v1/instances/{mqtt}/usage", """{"samples":[]}""");
        await Call(client, "GET", $"/v1/instances/{mqtt}/usage?from=2019-03-01T02:00:00Z&to=2019-03-01T03:00:00Z&step=3600");
        await Call(client, "GET", $"/v1/instances/{mqtt}/usage?step=1");
        await Call(client, "PUT", $"/v1/instances/{mqtt}/alarms", """{"tps":{"thresholdPercent":95,"enabled":true}}""");
        await Call(client, "PUT", $"/v1/instances/{foreign}/alarms", """{"tps":{"thresholdPercent":95,"enabled":true}}""");
        await Call(client, "GET", "/v1/renewals/forecast?days=40");
        await Call(client, "GET", "/v1/renewals/forecast?days=0");
        await Call(client, "GET", "/v1/renewals/counts?product=ecs");
        await Call(client, "GET", "/v1/renewals/counts?status=asleep");
        await Call(client, "PUT", "/v1/account/webhook", """{"url":"https://hooks.example.com/tenure","secret":"0123456789abcdef"}""");
        await Call(client, "PUT", "/v1/account/webhook", """{"url":"ftp://x","secret":"0123456789abcdef"}""");
        await Call(client, "GET", "/v1/account/webhook/deliveries?limit=2");
        await Call(client, "GET", "/v1/account/webhook/deliveries?limit=0");
        await Call(client, "POST", "/v1/account/webhook/test");
        await Call(_operator, "POST", "/v1/account/webhook/test");
        var key = await calls.Send(_operator, "POST", $"/v1/accounts/{accountId}/keys");
        await Call(_operator, "POST", "/v1/accounts/acc-missing/keys");
        await Call(_operator, "GET", $"/v1/accounts/{accountId}/keys");
        await Call(_operator, "GET", "/v1/accounts/acc-missing/keys");
        await Call(_operator, "DELETE", $"/v1/accounts/{accountId}/keys/{key.Json.Str("id")}");
        await Call(_operator, "DELETE", $"/v1/accounts/{accountId}/keys/key-missing");
        await Call(client, "PUT", "/v1/account/contacts", """{"email":"new@example.com","phone":"+8613800000001"}""");
        await Call(client, "PUT", "/v1/account/contacts", """{"email":"nope"}""");
        await Call(client, "PUT", "/v1/account/locale", """{"locale":"ja"}""");
        await Call(client, "PUT", "/v1/account/locale", """{"locale":"fr"}""");
        await Call(_operator, "GET", "/v1/notice-templates");
        await Call(client, "GET", "/v1/notice-templates");
        await Call(_operator, "GET", "/v1/notice-templates/expiryReminder/ja");
        await Call(_operator, "GET", "/v1/notice-templates/nope/ja");
        await Call(_operator, "PUT", "/v1/notice-templates/stopped/en",
            """{"subject":"{{ instanceId }} stopped","html":"<p>x</p>","text":"x","sms":"x"}""");
        await Call(_operator, "PUT", "/v1/notice-templates/stopped/en", """{"subject":"{{ nope }}","html":"x","text":"x","sms":"x"}""");
        await Call(_operator, "POST", "/v1/notice-templates/stopped/en/preview", "{}");
        await Call(_operator, "POST", "/v1/notice-templates/stopped/en/preview",
            """{"template":{"subject":"{% if","html":"","text":"","sms":""}}""");
        await Call(_operator, "DELETE", "/v1/notice-templates/stopped/en");
        await Call(_operator, "DELETE", "/v1/notice-templates/stopped/fr");
        await Call(_operator, "POST", $"/v1/test-clocks/{clockId}/advance", """{"to":"2300-01-01T00:00:00Z"}""");
        // ecs.medium expires 2019-04-02 00:00 local; its renew-and-downgrade window (15 days) is open on 03-20.
        await Call(_operator, "POST", $"/v1/test-clocks/{clockId}/advance", """{"to":"2019-03-20T02:00:00Z"}""");
        await Call(client, "POST", $"/v1/instances/{medium}/renew-downgrade", """{"periodMonths":1,"spec":"ecs.small","quoteOnly":true}""");
        await Call(client, "POST", $"/v1/instances/{medium}/renew-downgrade", """{"periodMonths":1,"spec":"ecs.small"}""");
        var order = (await calls.Send(client, "GET", "/v1/orders?limit=2")).Json!["items"]![0].Str("id");
        await Call(client, "GET", "/v1/orders?kind=gift");
        await Call(client, "GET", $"/v1/orders/{order}");
        await Call(client, "GET", "/v1/orders/o-missing");
        await Call(client, "GET", $"/v1/orders/{order}/receipt");
        await Call(client, "GET", $"/v1/orders/{order}/receipt", accept: "text/html");
        await Call(client, "GET", "/v1/orders/o-missing/receipt");
        await Call(client, "GET", "/v1/account/ledger?limit=2");
        await Call(client, "GET", "/v1/account/ledger", accept: "text/csv");
        await Call(client, "GET", "/v1/account/ledger?limit=0");
        await Call(_operator, "GET", "/v1/account/ledger?accountId=acc-missing");
        await Call(client, "GET", "/v1/account/statements/2019-03");
        await Call(client, "GET", "/v1/account/statements/2019-03", accept: "text/csv");
        await Call(client, "GET", "/v1/account/statements/2019-03", accept: "application/pdf");
        await Call(client, "GET", "/v1/account/statements/2019-13");
        await Call(client, "GET", $"/v1/instances/{small}/costs");
        await Call(client, "GET", $"/v1/instances/{foreign}/costs");
        await PayByCard(calls, clockId);
        await Call(_operator, "GET", $"/v1/reports/renewals?from=2019-03-01&to=2019-05-01&testClockId={clockId}");
        await Call(_operator, "GET", "/v1/reports/renewals?from=2019-05-01&to=2019-03-01");
        await Call(client, "GET", "/v1/reports/renewals?from=2019-03-01&to=2019-05-01");

        Assert.Empty(calls.Failures);
        Assert.Empty(calls.Unexercised());
    }

    /// <summary>
    /// R7.9: the payment routes. The server has no gateway, so the auto-renewal's card payment stays pending until
    /// the result is posted, signed, as the gateway would (2019-03-20 10:00 local + 1 month: T-3 is 04-18 08:00 local).
    /// </summary>
    private async Task PayByCard(ContractCalls calls, string clockId)
    {
        var payer = await calls.Send(_operator, "POST", "/v1/accounts",
            $$"""{"name":"Payer","email":"p@example.com","testClockId":"{{clockId}}"}""");
        var payerId = payer.Json.Str("id");
        await calls.Send(_operator, "POST", $"/v1/accounts/{payerId}/top-ups", """{"amount":1000}""");
        using var client = server.Client(payer.Json.Str("apiKey"));
        await calls.Send(client, "POST", "/v1/instances",
            """{"product":"ecs","region":"cn-hangzhou","spec":"ecs.small","chargeType":"subscription","periodMonths":""" +
            """1,"autoRenew":true}""");
        await calls.Send(_operator, "PUT", $"/v1/accounts/{payerId}/payment-method", """{"token":"tok_visa","label":"Visa 4242"}""");
        await calls.Send(_operator, "PUT", $"/v1/accounts/{payerId}/payment-method", """{"token":"","label":"Visa 4242"}""");
        await calls.Send(_operator, "POST", $"/v1/test-clocks/{clockId}/advance", """{"to":"2019-04-18T00:00:00Z"}""");
        var payments = await calls.Send(client, "GET", "/v1/payments?limit=2");
        await calls.Send(client, "GET", "/v1/payments?limit=0");
        const string result = """{"status":"succeeded","reference":"ch_1"}""";
        var timestamp = server.Clock.GetCurrentInstant().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var gateway = server.Client(null);
        gateway.DefaultRequestHeaders.Add(Tenure.Engine.Delivery.Dispatcher.TimestampHeader, timestamp);
        gateway.DefaultRequestHeaders.Add(Tenure.Engine.Delivery.Dispatcher.SignatureHeader,
            Tenure.Engine.Delivery.Dispatcher.Sign(Server.PaymentSecret, timestamp, result));
        var paid = await calls.Send(gateway, "POST", $"/v1/payments/{payments.Json!["items"]![0].Str("id")}/result", result);
        Assert.Equal("succeeded", paid.Json.Str("status"));
        await calls.Send(server.Client(null), "POST", "/v1/payments/pay-missing/result", result);
        // A manual renewal the card pays: with no gateway to call it answers 202 and its payment stays pending.
        var instance = payments.Json!["items"]![0].Str("instanceId");
        var pending = await calls.Send(client, "POST", $"/v1/instances/{instance}/renew", """{"periodMonths":1}""");
        Assert.Equal(202, pending.Status);
        Assert.Equal("pending", (await calls.Send(client, "GET", $"/v1/payments/{pending.Json.Str("paymentId")}")).Json.Str("status"));
        await calls.Send(client, "GET", "/v1/payments/pay-missing");
        // R2: a purchase the card pays answers 202 too, and its instance is 404 until the payment succeeded.
        var buying = await calls.Send(client, "POST", "/v1/instances",
            """{"product":"ecs","region":"cn-hangzhou","spec":"ecs.small","chargeType":"subscription","periodMonths":1}""");
        Assert.Equal(202, buying.Status);
        var awaited = (await calls.Send(client, "GET", $"/v1/payments/{buying.Json.Str("paymentId")}")).Json.Str("instanceId");
        Assert.Equal(404, (await calls.Send(client, "GET", $"/v1/instances/{awaited}")).Status);
        await calls.Send(_operator, "DELETE", $"/v1/accounts/{payerId}/payment-method");
        await calls.Send(_operator, "DELETE", "/v1/accounts/acc-missing/payment-method");
    }

    [Fact]
    public async Task A_PAYG_instance_with_no_expiry_matches_its_own_schema()
    {
        // The document wrote Instant? as oneOf [null, {}], which a null matches twice.
        var (calls, _, _, client) = await Start();
        var payg = await Buy(calls, client, "ecs", "ecs.small", "payg", null);
        var read = await calls.Send(client, "GET", $"/v1/instances/{payg}");
        Assert.Null(read.Json!["expiresAt"]);
        var instant = calls.Contract.Document["components"]!["schemas"]!["Instant"]!;
        Assert.Equal("""{"type":"string","format":"date-time"}""", instant.ToJsonString());
        Assert.Empty(calls.Failures);
    }

    [Fact]
    public async Task A_replayed_201_keeps_its_Location()
    {
        var (calls, _, _, client) = await Start();
        const string body = """{"product":"ecs","region":"cn-hangzhou","spec":"ecs.small","chargeType":"subscription","periodMonths":1}""";
        var key = $"buy-{Guid.NewGuid():N}";
        var first = await calls.Send(client, "POST", "/v1/instances", body, key);
        var replay = await calls.Send(client, "POST", "/v1/instances", body, key);
        Assert.Equal((201, 201), (first.Status, replay.Status));
        Assert.Equal($"/v1/instances/{first.Json.Str("id")}", first.Response.Headers.Location?.OriginalString);
        Assert.Equal(first.Response.Headers.Location, replay.Response.Headers.Location);
        Assert.Equal("true", replay.Response.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(first.Text, replay.Text);
        Assert.Empty(calls.Failures);
    }

    [Fact]
    public async Task The_document_lists_spec_change_202_and_the_problems_of_every_v1_operation()
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        var contract = await OpenApiContract.LoadAsync(_operator);
        var specChange = contract.Find("POST", "/v1/instances/i-x/spec-change")!;
        Assert.Equal(["200", "202"], specChange.Node["responses"]!.AsObject().Select(r => r.Key).Where(k => k.StartsWith('2')).Order());
        var buy = contract.Find("POST", "/v1/instances")!;
        Assert.Equal(["200", "201", "202"], buy.Node["responses"]!.AsObject().Select(r => r.Key).Where(k => k.StartsWith('2')).Order());
        Assert.DoesNotContain(contract.Operations, o => o.Path.StartsWith("/console", StringComparison.Ordinal));
        // The checker itself: an instance without its required members, or with an instant that is not one, is caught.
        var get = contract.Find("GET", "/v1/instances/i-x")!;
        Assert.NotNull(contract.Check(get, 200, "application/json", """{"id":"i-x"}""", hasLocation: false));
        Assert.NotNull(contract.Check(get, 404, "application/json", """{"code":"not-found"}""", hasLocation: false));
        Assert.NotNull(contract.Check(get, 500, "application/problem+json", "{}", hasLocation: false));
        foreach (var operation in contract.Operations.Where(o => o.Path.StartsWith("/v1/", StringComparison.Ordinal)))
        {
            var responses = operation.Node["responses"]!.AsObject();
            foreach (var status in new[] { "400", "401", "429" }) Assert.True(responses.ContainsKey(status), $"{operation} lacks {status}");
            Assert.All(responses.Where(r => r.Key[0] is '4' or '5'),
                r => Assert.NotNull(r.Value!["content"]?["application/problem+json"]?["schema"]));
        }
    }
}

public sealed class SqliteOpenApiTests(Server server) : OpenApiTests(server), IClassFixture<Server>;

public sealed class PostgresOpenApiTests(PostgresServer server) : OpenApiTests(server), IClassFixture<PostgresServer>;
