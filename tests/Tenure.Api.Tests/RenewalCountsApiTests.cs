namespace Tenure.Api.Tests;

/// <summary>Seed 003's tab counts: <c>GET /v1/renewals/counts</c> counts what each renewal tab lists, under the same filters.</summary>
public sealed class RenewalCountsApiTests(Server server) : IClassFixture<Server>
{
    private readonly HttpClient _operator = server.Client();

    [Fact]
    public async Task Seed_003_tab_counts_match_the_renewal_lists_and_stay_inside_the_account()
    {
        var clockId = (await _operator.Post("/v1/test-clocks", new { frozenTime = "2019-03-01T02:00:00Z" })).Body.Str("id");
        async Task<HttpClient> Account(string name)
        {
            var account = await _operator.Post("/v1/accounts", new { name, email = "c@example.com", testClockId = clockId });
            Assert.Equal(201, (await _operator.Post($"/v1/accounts/{account.Body.Str("id")}/top-ups", new { amount = 10_000_000 })).Status);
            return server.Client(account.Body.Str("apiKey"));
        }

        var ada = await Account("Ada");
        var bob = await Account("Bob");
        async Task Buy(HttpClient client, string product, string spec, string chargeType, bool autoRenew)
        {
            var bought = await client.Post("/v1/instances", new
            {
                product, region = "cn-hangzhou", spec, chargeType, periodMonths = chargeType == "payg" ? (int?)null : 1, autoRenew,
            });
            Assert.True(bought.Status == 201, bought.Body?.ToJsonString());
        }

        await Buy(ada, "ecs", "ecs.small", "subscription", autoRenew: true);
        await Buy(ada, "ecs", "ecs.small", "subscription", autoRenew: false);
        await Buy(ada, "ecs", "ecs.small", "subscription", autoRenew: false);
        await Buy(ada, "rocketmq", "rocketmq.platinum.2k", "subscription", autoRenew: false);
        await Buy(ada, "ecs", "ecs.small", "payg", autoRenew: false); // PAYG is not on the renewal list (R8.1)
        await Buy(bob, "ecs", "ecs.small", "subscription", autoRenew: false);

        var all = await ada.Get("/v1/renewals/counts");
        var ecs = await ada.Get("/v1/renewals/counts?product=ecs");
        var refused = await ada.Get("/v1/renewals/counts?expiresWithinDays=-1");

        Assert.Equal(200, all.Status);
        Assert.Equal((1L, 3L, 0L),
            (all.Body!["auto"]!.GetValue<long>(), all.Body["manual"]!.GetValue<long>(), all.Body["noRenew"]!.GetValue<long>()));
        Assert.Equal((1L, 2L), (ecs.Body!["auto"]!.GetValue<long>(), ecs.Body["manual"]!.GetValue<long>()));
        var manualList = await ada.Get("/v1/instances?renewable=true&renewalMode=manual&product=ecs");
        Assert.Equal(2, manualList.Body!["items"]!.AsArray().Count);
        Assert.Equal((400, "validation"), (refused.Status, refused.Body.Str("code")));
    }
}
