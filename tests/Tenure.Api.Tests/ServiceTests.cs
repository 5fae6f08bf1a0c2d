namespace Tenure.Api.Tests;

/// <summary>Health, readiness, metrics, the OpenAPI document and the rate limiter.</summary>
public sealed class ServiceTests(Server server) : IClassFixture<Server>
{
    [Fact]
    public async Task Health_readiness_metrics_and_the_OpenAPI_document_are_served()
    {
        var anonymous = server.Client(null);
        Assert.Equal("ok", (await anonymous.Get("/healthz")).Body.Str("status"));
        Assert.Equal("ready", (await anonymous.Get("/readyz")).Body.Str("status"));
        var openApi = await anonymous.Get("/openapi/v1.json");
        Assert.Equal(200, openApi.Status);
        var paths = openApi.Body!["paths"]!.AsObject().Select(p => p.Key).ToList();
        foreach (var path in new[]
        {
            "/v1/instances", "/v1/instances/{id}/renew", "/v1/renewals/quote", "/v1/test-clocks/{id}/advance", "/v1/renewals/unify-expiry",
        })
        {
            Assert.Contains(path, paths);
        }

        var reference = await anonymous.GetStringAsync(new Uri("/reference", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Contains("/openapi/v1.json", reference, StringComparison.Ordinal);

        await server.Client().Get("/v1/products");
        var metrics = await anonymous.GetStringAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Contains("tenure_due_backlog", metrics, StringComparison.Ordinal);
        Assert.Contains("tenure_engine_lag_seconds", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task R13_1_products_are_open_to_every_key()
    {
        var products = await server.Client().Get("/v1/products");
        Assert.Equal(["ecs", "mqtt", "rocketmq", "oss-package", "event-ticket"],
            products.Body!["items"]!.AsArray().Select(p => p!["code"]!.ToString()));
    }

    [Fact]
    public async Task R4_6_a_command_first_runs_the_events_the_engine_has_not_reached()
    {
        // System clock (faked) 2026-11-23 08:00 local; a month's ECS on
        // auto-renew expires 2026-12-24 00:00 local, first attempt 12-21 08:00.
        var account = await server.Client().Post("/v1/accounts", new { name = "Late", email = "late@example.com" });
        await server.Client().Post($"/v1/accounts/{account.Body.Str("id")}/top-ups", new { amount = 5000 });
        var client = server.Client(account.Body.Str("apiKey"));
        var id = (await client.Post("/v1/instances", new
        {
            product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription", periodMonths = 1, autoRenew = true,
        })).Body.Str("id");
        Assert.Equal("2026-12-23T16:00:00Z", (await client.Get($"/v1/instances/{id}")).Body.Str("expiresAt"));

        // The engine is not running: at 12-21 09:00 local the T-7 reminder and the T-3 attempt are due but not done.
        server.Clock.Reset(NodaTime.Instant.FromUtc(2026, 12, 21, 1, 0));
        var manual = await client.Send(HttpMethod.Put, $"/v1/instances/{id}/renewal", new { mode = "manual" });
        Assert.Equal(200, manual.Status);
        Assert.Equal("2027-01-23T16:00:00Z", manual.Body.Str("expiresAt"));
        var kinds = (await client.Get($"/v1/instances/{id}/events")).Body!["items"]!.AsArray().Select(e => e!["kind"]!.ToString());
        Assert.Equal(["purchased", "reminderSkipped", "renewed", "renewalModeChanged"], kinds);
    }
}

/// <summary>R13.3: the rate limits, per principal for signed-in callers and per address for failed authentication.</summary>
public sealed class RateLimitTests(LimitedServer server) : IClassFixture<LimitedServer>
{
    [Fact]
    public async Task R13_3_random_wrong_keys_get_429_after_the_failure_budget_while_other_addresses_go_on()
    {
        using var guesser = server.ClientFrom("127.0.0.2", key: null);
        var answers = new List<(int Status, string? Code)>();
        for (var i = 0; i < 12; i++)
        {
            guesser.DefaultRequestHeaders.Authorization = new("Bearer", $"tnr_{i:x12}_{Guid.NewGuid():N}");
            var (status, body, _) = await guesser.Get("/v1/products");
            answers.Add((status, body?["code"]?.ToString()));
        }

        // Five failures are allowed (LimitedServer); then the address is refused before any key is checked
        // (one token a minute comes back, at a moment the limiter's timer picks: at most one more 401).
        Assert.Equal(Enumerable.Repeat(401, 5), answers.Take(5).Select(a => a.Status));
        Assert.All(answers.Skip(5), a => Assert.True(a == (429, "rate-limited") || a.Status == 401, $"{a}"));
        Assert.True(answers.Skip(5).Count(a => a.Status == 401) <= 1, string.Join(", ", answers));
        Assert.Equal(200, (await server.Client().Get("/v1/products")).Status);
    }

    [Fact]
    public async Task R13_3_extra_spaces_after_Bearer_do_not_multiply_the_budget()
    {
        var key = (await server.Client().Post("/v1/accounts", new { name = "Spaces", email = "spaces@example.com" })).Body.Str("apiKey");
        using var client = server.Client(null);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var passed = 0;
        for (var i = 0; i < 30; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/products");
            var header = (i % 2 == 0 ? "bearer" : "Bearer") + new string(' ', 1 + i) + key + new string(' ', i % 3);
            request.Headers.TryAddWithoutValidation("Authorization", header);
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.True((int)response.StatusCode is 200 or 429, $"status {(int)response.StatusCode}");
            if ((int)response.StatusCode == 200) passed++;
        }

        // One account, one budget: a burst of 5 and 1 a second, however the header is spelled.
        Assert.InRange(passed, 5, 5 + (int)Math.Ceiling(started.Elapsed.TotalSeconds));
    }

    [Fact]
    public async Task R13_3_a_keyless_flood_leaves_healthz_readyz_and_metrics_up()
    {
        using var flood = server.ClientFrom("127.0.0.4", key: null);
        var api = new List<int>();
        var pages = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            api.Add((await flood.Get("/v1/products")).Status);
            using var page = await flood.GetAsync(new Uri("/reference", UriKind.Relative), TestContext.Current.CancellationToken);
            pages.Add((int)page.StatusCode);
        }

        Assert.Contains(429, api);
        Assert.Contains(429, pages);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(200, (await flood.Get("/healthz")).Status);
            Assert.Equal(200, (await flood.Get("/readyz")).Status);
            using var metrics = await flood.GetAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
            Assert.Equal(200, (int)metrics.StatusCode);
        }
    }
}
