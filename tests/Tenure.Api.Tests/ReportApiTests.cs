using System.Text.Json.Nodes;

namespace Tenure.Api.Tests;

/// <summary>
/// R8.9, the renewal report, hand-computed over instances the engine took through a test clock: auto-renew attempts that
/// fail for lack of balance, a top-up before T+6, a stopped instance renewed by hand, a stop and a release.
/// </summary>
public abstract class ReportApiTests(Server server)
{
    private readonly HttpClient _operator = server.Client();

    private async Task<(string ClockId, string AccountId, HttpClient Client)> Customer(string clockId, long balance)
    {
        var account = await _operator.Post("/v1/accounts", new { name = "Customer", email = "c@example.com", testClockId = clockId });
        await TopUp(account.Body.Str("id"), balance);
        return (clockId, account.Body.Str("id"), server.Client(account.Body.Str("apiKey")));
    }

    private async Task TopUp(string accountId, long amount) =>
        Assert.Equal(201, (await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount })).Status);

    private static async Task<string> Buy(HttpClient client, string product, string spec, bool auto)
    {
        var bought = await client.Post(
            "/v1/instances", new { product, region = "cn-hangzhou", spec, chargeType = "subscription", periodMonths = 1 });
        Assert.Equal(201, bought.Status);
        var id = bought.Body.Str("id");
        if (auto)
        {
            var set = await client.Send(HttpMethod.Put, $"/v1/instances/{id}/renewal", new { mode = "auto", autoRenewMonths = 1 });
            Assert.Equal(200, set.Status);
        }
        return id;
    }

    private async Task Advance(string clockId, string to) =>
        Assert.Equal(200, (await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to })).Status);

    /// <summary>
    /// Ten ECS and MQTT instances bought 2019-03-01 10:00 local (Asia/Shanghai) for a month expire 2019-04-02 00:00 local.
    /// Account A (5 auto, topped up 13,000) pays 5,000 for them, renews all five at T-3 (03-30 08:00) and keeps 3,000;
    /// account B (2 auto, 0 left) fails at T-3, T-1 and T, tops up 2,000 on 04-04 and is renewed at T+6 (04-08 08:00);
    /// account C (manual) lets one ECS stop at expiry and renews it by hand on 04-04, lets another stay stopped, and its
    /// MQTT instance stops and is released 7 days later (04-09). On 04-12 the report of [04-01, 05-03) is then:
    /// due 10, renewed 8 (7 automatically: 5 at T-3, 2 at T+6; 1 by hand), stopped 1, released 1, rate 0.8, revenue
    /// 8 × 1,000; and still to come on 05-02 the seven auto renewals (7,000), of which A's 3,000 covers three.
    /// </summary>
    private async Task<string> TenInstancesThroughTheEngine()
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        var clockId = (await _operator.Post("/v1/test-clocks", new { frozenTime = "2019-03-01T02:00:00Z" })).Body.Str("id");
        var (_, _, a) = await Customer(clockId, 13_000);
        var (_, b, bClient) = await Customer(clockId, 2_000);
        var (_, c, cClient) = await Customer(clockId, 7_000);
        for (var i = 0; i < 5; i++) await Buy(a, "ecs", "ecs.small", auto: true);
        for (var i = 0; i < 2; i++) await Buy(bClient, "ecs", "ecs.small", auto: true);
        var rescued = await Buy(cClient, "ecs", "ecs.small", auto: false);
        await Buy(cClient, "ecs", "ecs.small", auto: false);
        await Buy(cClient, "mqtt", "mqtt.basic.1k", auto: false);

        await Advance(clockId, "2019-04-04T02:00:00Z");
        await TopUp(b, 2_000);
        await TopUp(c, 1_000);
        Assert.Equal(200, (await cClient.Post($"/v1/instances/{rescued}/renew", new { periodMonths = 1 })).Status);
        await Advance(clockId, "2019-04-12T02:00:00Z");
        return clockId;
    }

    private static string Figures(JsonNode? report)
    {
        var copy = report!.DeepClone().AsObject();
        copy.Remove("testClockId");
        return copy.ToJsonString();
    }

    [Fact]
    public async Task R8_9_ten_due_eight_renewed_five_at_T_minus_3_two_at_T_plus_6_one_by_hand_rate_0_8_and_what_is_still_to_come()
    {
        var clockId = await TenInstancesThroughTheEngine();
        var report = await _operator.Get($"/v1/reports/renewals?from=2019-04-01&to=2019-05-03&testClockId={clockId}");
        Assert.Equal(200, report.Status);
        Assert.Equal(
            """
            {"from":"2019-04-01","to":"2019-05-03","due":10,"renewed":8,"renewedManually":1,"renewedAutomatically":7,
            "byAttemptDay":{"-3":5,"-1":0,"0":0,"6":2,"14":0},"stopped":1,"released":1,"renewalRate":0.8,"revenue":8000,
            "upcoming":[{"date":"2019-05-02","count":7,"amount":7000,"covered":3}],"currency":"USD"}
            """.ReplaceLineEndings(string.Empty),
            Figures(report.Body));

        // The product filter: only the MQTT instance, released.
        var mqtt = await _operator.Get($"/v1/reports/renewals?from=2019-04-01&to=2019-05-03&product=mqtt&testClockId={clockId}");
        Assert.Equal(
            """
            {"from":"2019-04-01","to":"2019-05-03","due":1,"renewed":0,"renewedManually":0,"renewedAutomatically":0,
            "byAttemptDay":{"-3":0,"-1":0,"0":0,"6":0,"14":0},"stopped":0,"released":1,"renewalRate":0,"revenue":0,
            "upcoming":[],"currency":"USD"}
            """.ReplaceLineEndings(string.Empty),
            Figures(mqtt.Body));

        // A span that ends before the cycles came due counts none of them; one that starts after lists only what is to come.
        var march = await _operator.Get($"/v1/reports/renewals?from=2019-03-01&to=2019-04-02&testClockId={clockId}");
        Assert.Equal(("0", "[]"), (march.Body.Str("due"), march.Body.Str("upcoming")));
        var may = await _operator.Get($"/v1/reports/renewals?from=2019-05-02&to=2019-05-03&testClockId={clockId}");
        Assert.Equal(("0", "7"), (may.Body.Str("due"), may.Body!["upcoming"]![0].Str("count")));
    }

    [Fact]
    public async Task R8_9_the_report_is_the_operators_and_bad_spans_are_400_problems()
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        var clockId = (await _operator.Post("/v1/test-clocks", new { frozenTime = "2019-03-01T02:00:00Z" })).Body.Str("id");
        var (_, _, client) = await Customer(clockId, 1_000);
        var refused = await client.Get("/v1/reports/renewals?from=2019-04-01&to=2019-05-01");
        Assert.Equal((403, "forbidden"), (refused.Status, refused.Body.Str("code")));
        foreach (var (query, field) in new[]
        {
            ("to=2019-05-01", "from"), ("from=2019-04-01", "to"), ("from=2019-13-01&to=2019-05-01", "from"),
            ("from=2019-04-01&to=2019-04-01", "to"), ("from=2019-01-01&to=2020-01-03", "to"),
            ("from=2019-04-01&to=2019-05-01&product=nope", "product"),
            ("from=2019-04-01&to=2019-05-01&testClockId=clk-missing", "testClockId"),
        })
        {
            var bad = await _operator.Get($"/v1/reports/renewals?{query}");
            Assert.Equal((400, "validation"), (bad.Status, bad.Body.Str("code")));
            Assert.NotNull(bad.Body!["errors"]![field]);
        }

        // A leap year's 366 days is the longest span.
        Assert.Equal(200, (await _operator.Get($"/v1/reports/renewals?from=2020-01-01&to=2021-01-01&testClockId={clockId}")).Status);
    }
}

public sealed class SqliteReportApiTests(Server server) : ReportApiTests(server), IClassFixture<Server>;

public sealed class PostgresReportApiTests(PostgresServer server) : ReportApiTests(server), IClassFixture<PostgresServer>;
