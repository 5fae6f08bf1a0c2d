using Microsoft.AspNetCore.Routing;

namespace Tenure.Api.Tests;

/// <summary>DESIGN.md, "One command path": every route that changes state goes through the command runner.</summary>
public sealed class CommandPathTests(Server server) : IClassFixture<Server>
{
    /// <summary>
    /// A body for each mutating route that passes the handler's own checks, so the request reaches
    /// the runner. A route missing here fails the test: a new route must show it uses the runner.
    /// </summary>
    private static readonly Dictionary<string, string?> Bodies = new(StringComparer.Ordinal)
    {
        ["POST /v1/test-clocks"] = """{"frozenTime":"2026-01-01T00:00:00Z"}""",
        ["POST /v1/test-clocks/{id}/advance"] = """{"to":"2026-01-02T00:00:00Z"}""",
        ["POST /v1/accounts"] = """{"name":"A","email":"a@example.com"}""",
        ["POST /v1/accounts/{id}/top-ups"] = """{"amount":100}""",
        ["POST /v1/accounts/{id}/coupons"] = """{"amount":100,"expiresAt":"2030-01-01T00:00:00Z"}""",
        ["POST /v1/accounts/{id}/keys"] = null,
        ["DELETE /v1/accounts/{id}/keys/{keyId}"] = null,
        ["POST /v1/instances"] =
            """{"product":"ecs","region":"cn-hangzhou","spec":"ecs.small","chargeType":"subscription","periodMonths":1}""",
        ["POST /v1/instances/{id}/renew"] = """{"periodMonths":1}""",
        ["PUT /v1/instances/{id}/renewal"] = """{"mode":"manual"}""",
        ["POST /v1/renewals/quote"] = """{"items":[{"instanceId":"i-x","periodMonths":1}]}""",
        ["POST /v1/renewals/"] = """{"items":[{"instanceId":"i-x","periodMonths":1}]}""",
        ["PUT /v1/renewals/settings"] = """{"instanceIds":["i-x"],"mode":"manual"}""",
        ["POST /v1/renewals/unify-expiry"] = """{"instanceIds":["i-x"],"dayOfMonth":1}""",
        ["POST /v1/instances/{id}/spec-change"] = """{"spec":"ecs.medium"}""",
        ["POST /v1/instances/{id}/upgrade/complete"] = null,
        ["POST /v1/instances/{id}/renew-downgrade"] = """{"periodMonths":1}""",
        ["POST /v1/instances/{id}/edition"] = """{"edition":"platinum","periodMonths":1}""",
        ["POST /v1/instances/{id}/charge-type"] = """{"chargeType":"subscription","periodMonths":1}""",
        ["PUT /v1/instances/{id}/post-expiration-action"] = """{"action":"stop"}""",
        ["PUT /v1/instances/{id}/post-release-action"] = """{"action":"deleteResources"}""",
        ["POST /v1/instances/{id}/unsubscribe"] = null,
        ["POST /v1/instances/{id}/usage"] = """{"samples":[{"at":"2026-01-01T00:00:00Z","tps":1,"subscriptions":1,"connections":1}]}""",
        ["PUT /v1/instances/{id}/alarms"] = "{}",
        ["PUT /v1/account/webhook"] = """{"url":"https://example.com/hook","secret":"0123456789abcdef"}""",
        ["PUT /v1/account/contacts"] = """{"email":"b@example.com"}""",
        ["POST /v1/account/webhook/test"] = null,
        ["PUT /v1/accounts/{id}/payment-method"] = """{"token":"tok_visa","label":"Visa •••• 4242"}""",
        ["DELETE /v1/accounts/{id}/payment-method"] = null,
        ["POST /v1/payments/{id}/result"] = """{"status":"succeeded"}""",
        ["PUT /v1/account/locale"] = """{"locale":"zh-Hant"}""",
        ["PUT /v1/notice-templates/{kind}/{locale}"] = """{"subject":"s","html":"h","text":"t","sms":"m"}""",
        ["DELETE /v1/notice-templates/{kind}/{locale}"] = null,
        ["POST /v1/notice-templates/{kind}/{locale}/preview"] = "{}",
    };

    /// <summary>Routes that need the operator key; the others are called with an account key.</summary>
    private static bool OperatorOnly(string route) =>
        route.Contains("/v1/test-clocks", StringComparison.Ordinal) || route.Contains("/v1/accounts", StringComparison.Ordinal)
        || route.EndsWith("/upgrade/complete", StringComparison.Ordinal)
        || route.Contains("/v1/notice-templates", StringComparison.Ordinal);

    [Fact]
    public async Task Every_mutating_route_reaches_the_command_runner()
    {
        var routes = server.Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
                .Select(m => (Method: m, Pattern: "/" + e.RoutePattern.RawText!.TrimStart('/'))))
            .Where(r => r.Method is "POST" or "PUT" or "DELETE" or "PATCH" && r.Pattern.StartsWith("/v1/", StringComparison.Ordinal))
            .Select(r => $"{r.Method} {r.Pattern}").Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(routes);
        Assert.DoesNotContain(routes, r => !Bodies.ContainsKey(r));

        using var op = server.Client();
        var clock = (await op.Post("/v1/test-clocks", new { frozenTime = "2025-01-01T00:00:00Z" })).Body.Str("id");
        var account = (await op.Post("/v1/accounts", new { name = "Runner", email = "r@example.com" })).Body;
        using var customer = server.Client(account.Str("apiKey"));
        var tooLong = new string('k', 256);
        foreach (var route in routes)
        {
            var space = route.IndexOf(' ', StringComparison.Ordinal);
            var (method, pattern) = (route[..space], route[(space + 1)..]);
            var path = pattern.Replace("/test-clocks/{id}", $"/test-clocks/{clock}", StringComparison.Ordinal)
                .Replace("/accounts/{id}", $"/accounts/{account.Str("id")}", StringComparison.Ordinal)
                .Replace("{id}", "i-x", StringComparison.Ordinal)
                .Replace("{kind}/{locale}", "stopped/ja", StringComparison.Ordinal);
            var client = OperatorOnly(route) ? op : customer;
            var (status, body, _) =
                await client.Send(new HttpMethod(method), path, rawJson: Bodies[route] ?? "{}", idempotencyKey: tooLong);
            // Only the runner reads the Idempotency-Key, and it refuses a key this long before anything else.
            Assert.True(status == 400 && body?["errors"]?["Idempotency-Key"] is not null,
                $"{route} answered {status} {body?.ToJsonString()} without the runner");
        }
    }
}
