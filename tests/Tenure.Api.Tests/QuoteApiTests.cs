namespace Tenure.Api.Tests;

/// <summary>R13.4 "No charge without a price" over real HTTP: quotes move nothing, and a stale quote charges nothing.</summary>
public abstract class QuoteApiTests(Server server)
{
    private readonly HttpClient _operator = server.Client();

    private async Task<HttpClient> Customer(long balance)
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        var clockId = (await _operator.Post("/v1/test-clocks", new { frozenTime = "2019-03-01T02:00:00Z" })).Body.Str("id");
        var account = await _operator.Post("/v1/accounts", new { name = "Customer", email = "c@example.com", testClockId = clockId });
        Assert.Equal(201, (await _operator.Post($"/v1/accounts/{account.Body.Str("id")}/top-ups", new { amount = balance })).Status);
        return server.Client(account.Body.Str("apiKey"));
    }

    private static async Task<string> Buy(HttpClient client, string product, string spec)
    {
        var body = new { product, region = "cn-hangzhou", spec, chargeType = "subscription", periodMonths = 1 };
        var bought = await client.Post("/v1/instances", body);
        Assert.Equal(201, bought.Status);
        return bought.Body.Str("id");
    }

    /// <summary>A quote's amount (named <paramref name="amount"/>), what coupons and balance cover of it, and the rest.</summary>
    private static (string Amount, string Covered, string Shortfall) Coverage(System.Text.Json.Nodes.JsonNode? quote, string amount) =>
        (quote.Str(amount), quote.Str("covered"), quote.Str("shortfall"));

    private static async Task<string> Balance(HttpClient client) => (await client.Get("/v1/account")).Body.Str("balance");

    [Fact]
    public async Task R13_4_a_50_usd_purchase_quote_for_an_account_holding_40_usd_shows_shortfall_1000_and_buys_nothing()
    {
        var client = await Customer(4000);
        var quote = await client.Post("/v1/instances",
            new { product = "mqtt", region = "cn-hangzhou", spec = "mqtt.basic.1k", chargeType = "subscription", periodMonths = 1,
                quoteOnly = true });
        Assert.Equal(200, quote.Status);
        Assert.Equal(("5000", "4000", "1000", "USD"),
            (quote.Body.Str("amount"), quote.Body.Str("covered"), quote.Body.Str("shortfall"), quote.Body.Str("currency")));
        Assert.StartsWith("q_", quote.Body.Str("quoteId"), StringComparison.Ordinal);
        Assert.Equal("2019-04-01T16:00:00Z", quote.Body.Str("newExpiresAt"));
        Assert.Equal("4000", await Balance(client));
        Assert.Empty((await client.Get("/v1/instances")).Body!["items"]!.AsArray());
    }

    [Fact]
    public async Task R13_4_a_renewal_paid_with_a_quote_id_after_another_client_renewed_is_409_quote_stale_and_charges_nothing()
    {
        var client = await Customer(100_000);
        var id = await Buy(client, "ecs", "ecs.small");
        var quote = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1, quoteOnly = true });
        Assert.Equal((200, ("1000", "1000", "0")), (quote.Status, Coverage(quote.Body, "amount")));
        Assert.Equal("99000", await Balance(client));
        Assert.Equal(200, (await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 })).Status);
        var expiry = (await client.Get($"/v1/instances/{id}")).Body.Str("expiresAt");
        var stale = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1, quoteId = quote.Body.Str("quoteId") });
        Assert.Equal((409, "quote-stale"), (stale.Status, stale.Body.Str("code")));
        Assert.Equal("98000", await Balance(client));
        Assert.Equal(expiry, (await client.Get($"/v1/instances/{id}")).Body.Str("expiresAt"));
    }

    [Fact]
    public async Task R13_4_a_renewal_paid_with_a_fresh_quote_id_pays_the_quote_and_reaches_its_expiry()
    {
        var client = await Customer(100_000);
        var id = await Buy(client, "ecs", "ecs.small");
        var quote = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 2, quoteOnly = true });
        var paid = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 2, quoteId = quote.Body.Str("quoteId") });
        Assert.Equal((200, quote.Body.Str("amount"), quote.Body.Str("newExpiresAt")),
            (paid.Status, paid.Body.Str("amount"), paid.Body.Str("newExpiresAt")));
        Assert.Equal((99000 - long.Parse(quote.Body.Str("amount"))).ToString(), await Balance(client));
    }

    [Fact]
    public async Task R13_4_a_spec_change_quote_shows_the_price_and_its_quote_id_pays_exactly_that()
    {
        // Bought 2019-03-01 10:00 local (expires 04-02, d = 32 days): small → medium ceil(1000 × 32 / 30) = 1067.
        var client = await Customer(100_000);
        var id = await Buy(client, "ecs", "ecs.small");
        var quote = await client.Post($"/v1/instances/{id}/spec-change", new { spec = "ecs.medium", quoteOnly = true });
        Assert.Equal((200, "1067"), (quote.Status, quote.Body.Str("amount")));
        Assert.Equal(("99000", "ecs.small"), (await Balance(client), (await client.Get($"/v1/instances/{id}")).Body.Str("spec")));
        var paid = await client.Post($"/v1/instances/{id}/spec-change", new { spec = "ecs.medium", quoteId = quote.Body.Str("quoteId") });
        Assert.Equal((200, "ecs.medium"), (paid.Status, paid.Body.Str("spec")));
        Assert.Equal("97933", await Balance(client));
    }

    [Fact]
    public async Task R13_4_a_batch_quote_carries_its_quote_id_and_coverage_and_a_stale_one_renews_nothing()
    {
        var client = await Customer(2500);
        var id = await Buy(client, "ecs", "ecs.small");
        var items = new[] { new { instanceId = id, periodMonths = 2 } };
        var quote = await client.Post("/v1/renewals/quote", new { items });
        Assert.Equal((200, ("2000", "1500", "500")), (quote.Status, Coverage(quote.Body, "total")));
        await _operator.Post($"/v1/accounts/{(await client.Get("/v1/account")).Body.Str("id")}/top-ups", new { amount = 10_000 });
        Assert.Equal(200, (await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 })).Status);
        var stale = await client.Post("/v1/renewals", new { items, quoteId = quote.Body.Str("quoteId") });
        Assert.Equal((409, "quote-stale"), (stale.Status, stale.Body.Str("code")));
        Assert.Equal("10500", await Balance(client));
    }

    [Fact]
    public async Task R13_4_a_unified_expiry_quote_id_pays_and_the_same_id_after_it_is_stale()
    {
        var client = await Customer(100_000);
        var id = await Buy(client, "ecs", "ecs.small");
        var quote = await client.Post("/v1/renewals/unify-expiry", new { instanceIds = new[] { id }, dayOfMonth = 15, quoteOnly = true });
        Assert.Equal((200, ("434", "434", "0")), (quote.Status, Coverage(quote.Body, "total")));
        var body = new { instanceIds = new[] { id }, dayOfMonth = 15, quoteId = quote.Body.Str("quoteId") };
        Assert.Equal(200, (await client.Post("/v1/renewals/unify-expiry", body)).Status);
        Assert.Equal("98566", await Balance(client));
        var again = await client.Post("/v1/renewals/unify-expiry", body);
        Assert.Equal((409, "quote-stale"), (again.Status, again.Body.Str("code")));
        Assert.Equal("98566", await Balance(client));
    }

    [Fact]
    public async Task R13_4_a_quote_refuses_what_the_payment_would_refuse_and_changes_nothing()
    {
        var client = await Customer(100_000);
        var id = await Buy(client, "ecs", "ecs.small");
        var quote = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 10, quoteOnly = true });
        Assert.Equal((422, "invalid-period"), (quote.Status, quote.Body.Str("code")));
        var edition = await client.Post($"/v1/instances/{id}/edition", new { edition = "default", periodMonths = 1, quoteOnly = true });
        Assert.True(edition.Status >= 400 && edition.Status < 500, edition.Body?.ToJsonString());
        Assert.Equal("99000", await Balance(client));
    }
}

public sealed class SqliteQuoteApiTests(Server server) : QuoteApiTests(server), IClassFixture<Server>;

public sealed class PostgresQuoteApiTests(PostgresServer server) : QuoteApiTests(server), IClassFixture<PostgresServer>;
