namespace Tenure.Api.Tests;

/// <summary>Every instance route probed with a foreign key, and every body route fed bad input: no 5xx, and nothing changes.</summary>
public sealed class SweepTests(Server server) : IClassFixture<Server>
{
    private static readonly (string Method, string Path, object? Body)[] InstanceRoutes =
    [
        ("GET", "/v1/instances/{id}", null),
        ("GET", "/v1/instances/{id}/events", null),
        ("POST", "/v1/instances/{id}/renew", new { periodMonths = 1 }),
        ("PUT", "/v1/instances/{id}/renewal", new { mode = "auto", autoRenewMonths = 1 }),
        ("POST", "/v1/instances/{id}/spec-change", new { spec = "ecs.large" }),
        ("POST", "/v1/instances/{id}/renew-downgrade", new { periodMonths = 1, spec = "ecs.small" }),
        ("POST", "/v1/instances/{id}/edition", new { edition = "default", periodMonths = 1 }),
        ("PUT", "/v1/instances/{id}/post-expiration-action", new { action = "stop" }),
        ("PUT", "/v1/instances/{id}/post-release-action", new { action = "retainMetadata" }),
        ("POST", "/v1/instances/{id}/unsubscribe", null),
        ("POST", "/v1/instances/{id}/charge-type", new { chargeType = "payg" }),
        ("POST", "/v1/instances/{id}/usage",
            new { samples = new[] { new { at = "2019-03-02T00:00:00Z", tps = 1, subscriptions = 1, connections = 1 } } }),
        ("GET", "/v1/instances/{id}/usage", null),
        ("PUT", "/v1/instances/{id}/alarms", new { tps = new { thresholdPercent = 50, enabled = true } }),
        ("POST", "/v1/renewals/quote", new { items = new[] { new { instanceId = "{id}", periodMonths = 1 } } }),
        ("POST", "/v1/renewals", new { items = new[] { new { instanceId = "{id}", periodMonths = 1 } } }),
        ("PUT", "/v1/renewals/settings", new { instanceIds = new[] { "{id}" }, mode = "noRenew" }),
        ("POST", "/v1/renewals/unify-expiry", new { instanceIds = new[] { "{id}" }, dayOfMonth = 10 }),
    ];

    private async Task<(HttpClient Client, string InstanceId)> Customer()
    {
        var clockId = (await server.Client().Post("/v1/test-clocks", new { frozenTime = "2019-03-01T02:00:00Z" })).Body.Str("id");
        var account = await server.Client().Post("/v1/accounts", new { name = "C", email = "c@example.com", testClockId = clockId });
        await server.Client().Post($"/v1/accounts/{account.Body.Str("id")}/top-ups", new { amount = 100_000 });
        var client = server.Client(account.Body.Str("apiKey"));
        var id = (await client.Post("/v1/instances", new
        {
            product = "ecs", region = "cn-hangzhou", spec = "ecs.medium", chargeType = "subscription", periodMonths = 1,
        })).Body.Str("id");
        return (client, id);
    }

    private static async Task<string> State(HttpClient client, string id) =>
        (await client.Get("/v1/account")).Body.Str("balance") + " " + (await client.Get($"/v1/instances/{id}")).Body!.ToJsonString() + " " +
        (await client.Get($"/v1/instances/{id}/events")).Body!.ToJsonString();

    private static Task<(int Status, System.Text.Json.Nodes.JsonNode? Body, HttpResponseMessage Response)> Call(
        HttpClient client, string method, string path, object? body, string id, string? raw = null)
    {
        var json = raw
            ?? (body is null ? null : System.Text.Json.JsonSerializer.Serialize(body).Replace("{id}", id, StringComparison.Ordinal));
        return client.Send(new HttpMethod(method), path.Replace("{id}", id, StringComparison.Ordinal), rawJson: json);
    }

    [Fact]
    public async Task R13_1_every_instance_route_answers_a_foreign_key_with_404_and_changes_nothing()
    {
        var (alice, id) = await Customer();
        var (bob, _) = await Customer();
        var before = await State(alice, id);
        foreach (var (method, path, body) in InstanceRoutes)
        {
            var (status, problem, _) = await Call(bob, method, path, body, id);
            Assert.True(status == 404 && problem.Str("code") == "not-found", $"{method} {path}: {status}");
        }

        Assert.Equal(before, await State(alice, id));
    }

    [Fact]
    public async Task Every_body_route_answers_malformed_or_mistyped_json_with_400_problem_json_and_changes_nothing()
    {
        var (client, id) = await Customer();
        var before = await State(client, id);
        foreach (var (method, path, body) in InstanceRoutes.Where(r => r.Body is not null))
        {
            foreach (var raw in new[] { "{", "[]", "{\"unexpected\":1}", "\"text\"", "{\"periodMonths\":1e400}" })
            {
                var (status, problem, response) = await Call(client, method, path, body, id, raw);
                Assert.True(status == 400, $"{method} {path} with {raw}: {status}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Equal("validation", problem.Str("code"));
            }
        }

        Assert.Equal(before, await State(client, id));
    }

    [Fact]
    public async Task Operator_routes_reject_bad_input_with_400()
    {
        var op = server.Client();
        foreach (var (path, raw) in new[]
        {
            ("/v1/test-clocks", "{\"frozenTime\":\"yesterday\"}"),
            ("/v1/test-clocks", "{\"frozenTime\":\"9999-12-20T00:00:00Z\"}"),
            ("/v1/accounts", "{\"name\":\"\",\"email\":\"x@example.com\"}"),
            ("/v1/accounts", "{\"name\":\"A\",\"email\":\"not-an-email\"}"),
            ("/v1/accounts", "{\"name\":\"A\",\"email\":\"a@example.com\",\"currency\":\"EUR\"}"),
            ("/v1/accounts", "{\"name\":\"A\",\"email\":\"a@example.com\",\"testClockId\":\"clk-none\"}"),
        })
        {
            var (status, problem, _) = await op.Send(HttpMethod.Post, path, rawJson: raw);
            Assert.True(status == 400 && problem.Str("code") == "validation", $"{path} {raw}: {status}");
        }

        var account = (await op.Post("/v1/accounts", new { name = "A", email = "a@example.com" })).Body.Str("id");
        foreach (var amount in new[] { 0L, -5L, long.MaxValue })
        {
            Assert.Equal(400, (await op.Post($"/v1/accounts/{account}/top-ups", new { amount })).Status);
        }

        Assert.Equal(404, (await op.Post("/v1/accounts/acc-none/top-ups", new { amount = 5 })).Status);
        Assert.Equal(404, (await op.Post("/v1/test-clocks/clk-none/advance", new { to = "2019-03-01T00:00:00Z" })).Status);
        Assert.Equal("0", (await op.Get($"/v1/accounts/{account}")).Body.Str("balance"));
    }
}
