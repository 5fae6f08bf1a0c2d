namespace Tenure.Api.Tests;

/// <summary>
/// R7.4's key of <c>order_items</c> (0004_order_item_key.sql) over real HTTP: paid plan changes at one instant were
/// refused by the old key (instance, period start, kind) with a 500. Run on SQLite and on PostgreSQL.
/// </summary>
public abstract class OrderKeyApiTests(Server server)
{
    private readonly HttpClient _operator = server.Client();

    private async Task<(HttpClient Client, string AccountId)> Customer(string frozenUtc, long balance)
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        var clockId = (await _operator.Post("/v1/test-clocks", new { frozenTime = frozenUtc })).Body.Str("id");
        var account = await _operator.Post("/v1/accounts", new { name = "Customer", email = "c@example.com", testClockId = clockId });
        var accountId = account.Body.Str("id");
        Assert.Equal(201, (await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount = balance })).Status);
        return (server.Client(account.Body.Str("apiKey")), accountId);
    }

    /// <summary>The account's orders of one kind, oldest first, as "total: instance @ period start" lines.</summary>
    private List<string> Orders(string accountId, string kind)
    {
        using var session = server.Db.BeginRead();
        var orders = session.Query<(long Total, string InstanceId, long PeriodStart)>(
            "SELECT o.total, i.instance_id, i.period_start FROM orders o JOIN order_items i ON i.order_id = o.id " +
            "WHERE o.account_id = @accountId AND o.kind = @kind ORDER BY o.id", new { accountId, kind })
            .Select(o => $"{o.Total}: {o.InstanceId} @ {NodaTime.Instant.FromUnixTimeTicks(o.PeriodStart)}").ToList();
        session.Commit();
        return orders;
    }

    [Fact]
    public async Task R7_4_upgrading_small_to_medium_to_large_at_one_instant_is_two_upgrade_orders_not_a_500()
    {
        // Bought 2019-03-01 10:00 local for a month (expires 04-02, d = 32 days):
        // small → medium ceil(1000 × 32 / 30) = 1067, medium → large ceil(2000 × 32 / 30) = 2134.
        var (client, accountId) = await Customer("2019-03-01T02:00:00Z", 100_000);
        var small = new { product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription", periodMonths = 1 };
        var id = (await client.Post("/v1/instances", small)).Body.Str("id");
        var medium = await client.Post($"/v1/instances/{id}/spec-change", new { spec = "ecs.medium" });
        var large = await client.Post($"/v1/instances/{id}/spec-change", new { spec = "ecs.large" });
        Assert.Equal((200, "ecs.medium", 200, "ecs.large"), (medium.Status, medium.Body.Str("spec"), large.Status, large.Body.Str("spec")));
        Assert.Equal([$"1067: {id} @ 2019-03-01T02:00:00Z", $"2134: {id} @ 2019-03-01T02:00:00Z"], Orders(accountId, "Upgrade"));
        Assert.Equal("95799", (await client.Get("/v1/account")).Body.Str("balance")); // 100000 − 1000 − 1067 − 2134
        var again = await client.Post($"/v1/instances/{id}/spec-change", new { spec = "ecs.large" });
        Assert.Equal((400, "validation"), (again.Status, again.Body.Str("code"))); // a repeat is refused by the instance's state
        Assert.Equal(2, Orders(accountId, "Upgrade").Count);
    }

    [Fact]
    public async Task R6_6_rocketmq_standard_to_platinum_unsubscribe_and_platinum_again_at_one_instant_is_two_orders_not_a_500()
    {
        // Platinum for a month from 2019-03-01 10:00 local (expires 04-02): D = 32, U = 31, refund floor(300000 × 31 / 32) = 290625;
        // with downgradeToStandard the unsubscription makes it Standard again, and it changes to Platinum a second time.
        var (client, accountId) = await Customer("2019-03-01T02:00:00Z", 1_000_000);
        var standard = new { product = "rocketmq", region = "cn-hangzhou", spec = "rocketmq.standard", chargeType = "payg" };
        var id = (await client.Post("/v1/instances", standard)).Body.Str("id");
        Assert.Equal(200, (await client.Post($"/v1/instances/{id}/edition", new { edition = "platinum", periodMonths = 1 })).Status);
        var action =
            await client.Send(HttpMethod.Put, $"/v1/instances/{id}/post-expiration-action", new { action = "downgradeToStandard" });
        Assert.Equal(200, action.Status);
        var unsubscribed = await client.Post($"/v1/instances/{id}/unsubscribe");
        Assert.Equal((200, "290625"), (unsubscribed.Status, unsubscribed.Body.Str("refund")));
        Assert.Equal("standard", unsubscribed.Body.Str("instance.edition"));
        var again = await client.Post($"/v1/instances/{id}/edition", new { edition = "platinum", periodMonths = 1 });
        Assert.Equal((200, "platinum", "2019-04-01T16:00:00Z"), (again.Status, again.Body.Str("edition"), again.Body.Str("expiresAt")));
        Assert.Equal([$"300000: {id} @ 2019-03-01T02:00:00Z", $"300000: {id} @ 2019-03-01T02:00:00Z"], Orders(accountId, "EditionChange"));
        Assert.Equal("690625", (await client.Get("/v1/account")).Body.Str("balance")); // 1000000 − 300000 + 290625 − 300000
    }
}

public sealed class SqliteOrderKeyApiTests(Server server) : OrderKeyApiTests(server), IClassFixture<Server>;

public sealed class PostgresOrderKeyApiTests(PostgresServer server) : OrderKeyApiTests(server), IClassFixture<PostgresServer>;
