using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tenure.Api.Tests;

/// <summary>R8.10 over real HTTP: every action <c>GET /v1/instances/{id}</c> offers is accepted when it is requested.</summary>
public sealed class ActionsApiTests(Server server) : IClassFixture<Server>
{
    /// <summary>Twins bought together, on a frozen clock, so each offered choice is tried on an instance of its own.</summary>
    private const int Twins = 45;

    private readonly HttpClient _operator = server.Client();

    /// <summary>One request an offered action stands for: method, path under the instance, body.</summary>
    private sealed record Probe(string What, HttpMethod Method, string Path, object? Body);

    [Theory]
    [InlineData("ecs", "ecs.medium", "subscription", "2019-03-20T02:00:00Z")] // inside the renew-and-downgrade window
    [InlineData("ecs", "ecs.small", "payg", "2019-03-01T02:00:00Z")]
    [InlineData("mqtt", "mqtt.basic.1k", "subscription", "2019-03-01T02:00:00Z")]
    [InlineData("mqtt", "mqtt.platinum.50k", "subscription", "2019-03-01T02:00:00Z")]
    [InlineData("mqtt", "mqtt.basic.1k", "subscription", "2019-04-03T02:00:00Z")] // stopped since its expiry
    [InlineData("rocketmq", "rocketmq.standard", "payg", "2019-03-01T02:00:00Z")]
    [InlineData("rocketmq", "rocketmq.platinum.2k", "subscription", "2019-03-01T02:00:00Z")]
    [InlineData("oss-package", "oss.500g", "subscription", "2019-03-01T02:00:00Z")]
    public async Task R8_10_every_offered_action_is_accepted_when_requested(
        string product, string spec, string chargeType, string askedAt)
    {
        var clockId = (await _operator.Post("/v1/test-clocks", new { frozenTime = "2019-03-01T02:00:00Z" })).Body.Str("id");
        var account = await _operator.Post("/v1/accounts", new { name = "Actions", email = "a@example.com", testClockId = clockId });
        Assert.Equal(201, (await _operator.Post($"/v1/accounts/{account.Body.Str("id")}/top-ups", new { amount = 1_000_000_000 })).Status);
        var client = server.Client(account.Body.Str("apiKey"));
        object? components = product == "ecs"
            ? new
            {
                bandwidth = new { chargeType = "byBandwidth", mbps = 5 },
                dataDisks = new[] { new { id = "d-1", sizeGb = 100, chargeType = "subscription" } },
            }
            : null;
        var twins = new List<string>();
        for (var i = 0; i < Twins; i++)
        {
            var bought = await client.Post("/v1/instances", new
            {
                product, region = "cn-hangzhou", spec, chargeType, periodMonths = chargeType == "payg" ? (int?)null : 1, components,
            });
            Assert.True(bought.Status == 201, bought.Body?.ToJsonString());
            twins.Add(bought.Body.Str("id"));
        }

        if (askedAt != "2019-03-01T02:00:00Z")
        {
            Assert.Equal(200, (await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to = askedAt })).Status);
        }

        var got = await client.Get($"/v1/instances/{twins[0]}");
        Assert.Equal(200, got.Status);
        Assert.Equal(askedAt.StartsWith("2019-04", StringComparison.Ordinal) ? "stopped" : "running", got.Body.Str("status"));
        var actions = got.Body!["actions"]!;

        // The console reads the same JSON into its DTO.
        var options = new JsonSerializerOptions();
        Json.Configure(options);
        Assert.NotNull(got.Body.Deserialize<InstanceDto>(options)?.Actions);

        var probes = Probes(actions).ToList();
        Assert.NotEmpty(probes);
        Assert.True(probes.Count <= Twins, $"{probes.Count} probes for {Twins} twins");
        foreach (var (probe, id) in probes.Zip(twins))
        {
            var answer = await client.Send(probe.Method, $"/v1/instances/{id}/{probe.Path}", probe.Body);
            Assert.True(answer.Status is 200 or 201 or 202,
                $"{product} {spec}: offered {probe.What}, refused {answer.Status} {answer.Body?.ToJsonString()}");
        }
    }

    [Fact]
    public async Task R8_10_instance_lists_leave_actions_out()
    {
        var clockId = (await _operator.Post("/v1/test-clocks", new { frozenTime = "2019-03-01T02:00:00Z" })).Body.Str("id");
        var account = await _operator.Post("/v1/accounts", new { name = "Actions", email = "a@example.com", testClockId = clockId });
        await _operator.Post($"/v1/accounts/{account.Body.Str("id")}/top-ups", new { amount = 100_000 });
        var client = server.Client(account.Body.Str("apiKey"));
        var bought = await client.Post("/v1/instances",
            new { product = "mqtt", region = "cn-hangzhou", spec = "mqtt.basic.1k", chargeType = "subscription", periodMonths = 1 });
        var id = bought.Body.Str("id");

        var list = await client.Get("/v1/instances");

        Assert.Null(list.Body!["items"]![0]!.AsObject()["actions"]);
        Assert.Equal("[1,2,3,6,12]", (await client.Get($"/v1/instances/{id}")).Body.Str("actions.autoRenewPeriods"));
    }

    /// <summary>Every choice offered, each as the request a form would send.</summary>
    private static IEnumerable<Probe> Probes(JsonNode actions)
    {
        foreach (var months in Ints(actions["renew"]?["periods"]))
        {
            yield return new($"renew {months}", HttpMethod.Post, "renew", new { periodMonths = months });
        }

        foreach (var mode in Strings(actions["renewalModes"]).Where(m => m != "auto"))
        {
            yield return new($"mode {mode}", HttpMethod.Put, "renewal", new { mode });
        }

        foreach (var months in Ints(actions["autoRenewPeriods"]))
        {
            yield return new($"auto {months}", HttpMethod.Put, "renewal", new { mode = "auto", autoRenewMonths = months });
        }

        foreach (var spec in Strings(actions["specChange"]?["specs"]))
        {
            yield return new($"spec {spec}", HttpMethod.Post, "spec-change", new { spec });
        }

        if (actions["renewDowngrade"] is { } downgrade)
        {
            var periods = Ints(downgrade["periods"]).ToList();
            var choices = new List<(string What, Func<int, object> Body)>();
            foreach (var s in Strings(downgrade["specs"])) choices.Add(($"spec {s}", m => new { periodMonths = m, spec = s }));
            foreach (var b in downgrade["bandwidth"]!.AsArray())
            {
                var bandwidth = new { chargeType = b!["chargeType"]!.ToString(), mbps = b["maxMbps"]?.GetValue<int>() ?? 1 };
                choices.Add(($"bandwidth {b.ToJsonString()}", m => new { periodMonths = m, bandwidth }));
            }

            foreach (var d in Strings(downgrade["dataDisks"]))
            {
                choices.Add(($"disk {d}", m => new { periodMonths = m, dataDisks = new[] { new { id = d, chargeType = "payg" } } }));
            }

            Assert.NotEmpty(periods);
            Assert.NotEmpty(choices);
            foreach (var (what, body) in choices)
            {
                yield return new($"renew-downgrade {what}", HttpMethod.Post, "renew-downgrade", body(periods[0]));
            }

            foreach (var m in periods.Skip(1))
            {
                yield return new($"renew-downgrade {m} months", HttpMethod.Post, "renew-downgrade", choices[0].Body(m));
            }
        }

        if (actions["edition"] is { } edition)
        {
            var (editions, periods) = (Strings(edition["editions"]).ToList(), Ints(edition["periods"]).ToList());
            foreach (var e in editions)
            {
                yield return new($"edition {e}", HttpMethod.Post, "edition", new { edition = e, periodMonths = periods[0] });
            }

            foreach (var m in periods.Skip(1))
            {
                yield return new($"edition {m} months", HttpMethod.Post, "edition", new { edition = editions[0], periodMonths = m });
            }
        }

        foreach (var c in Strings(actions["chargeTypes"]))
        {
            var body = new { chargeType = c, periodMonths = c == "subscription" ? (int?)1 : null };
            yield return new($"charge type {c}", HttpMethod.Post, "charge-type", body);
        }

        foreach (var a in Strings(actions["postExpirationActions"]))
        {
            yield return new($"post-expiration {a}", HttpMethod.Put, "post-expiration-action", new { action = a });
        }

        if (actions["unsubscribe"]!.GetValue<bool>()) yield return new("unsubscribe", HttpMethod.Post, "unsubscribe", null);
    }

    private static IEnumerable<int> Ints(JsonNode? array) => array?.AsArray().Select(n => n!.GetValue<int>()) ?? [];

    private static IEnumerable<string> Strings(JsonNode? array) => array?.AsArray().Select(n => n!.ToString()) ?? [];
}
