using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Tenure.Api.Tests;

/// <summary>A server whose receipts name a provider, in Latin and Chinese script (Tenure:Provider:*).</summary>
public sealed class BillingServer : Server
{
    public static readonly Provider Provider = new("Tenure Cloud 天府云", "1 Example Road\n北京市朝阳区建国路 1 号");

    protected override ApiOptions Configure(ApiOptions options) => options with { Provider = Provider };
}

/// <summary>
/// R8.8 billing records over real HTTP, with the seeds' examples through test clocks: a purchase (part paid by a
/// coupon), a manual renewal, an auto-renewal at T-3, a T+14 success and an unsubscription refund. Exact orders, ledger
/// lines, balances after and statement totals, on SQLite and PostgreSQL.
/// </summary>
public abstract class BillingApiTests(Server server)
{
    private readonly HttpClient _operator = server.Client();

    private async Task<(HttpClient Client, string AccountId, string ClockId)> Customer(string frozenUtc, string name = "Customer")
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        var clock = await _operator.Post("/v1/test-clocks", new { frozenTime = frozenUtc });
        var clockId = clock.Body.Str("id");
        var account = await _operator.Post("/v1/accounts", new { name, email = "c@example.com", testClockId = clockId });
        Assert.Equal(201, account.Status);
        return (server.Client(account.Body.Str("apiKey")), account.Body.Str("id"), clockId);
    }

    private async Task TopUp(string accountId, long amount) =>
        Assert.Equal(201, (await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount })).Status);

    private async Task Advance(string clockId, string to) =>
        Assert.Equal(200, (await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to })).Status);

    private static object Product(string product, string spec, int months, bool autoRenew = false) =>
        new { product, region = "cn-hangzhou", spec, chargeType = "subscription", periodMonths = months, autoRenew };

    private static async Task<string> Buy(HttpClient client, object body)
    {
        var bought = await client.Post("/v1/instances", body);
        Assert.True(bought.Status == 201, bought.Body?.ToJsonString());
        return bought.Body.Str("id");
    }

    private static string Order(JsonNode o) =>
        $"{o.Str("at")} {o.Str("kind")} {o.Str("total")} c{o.Str("paidByCoupons")} b{o.Str("paidByBalance")} " +
        $"m{o.Str("paidByPaymentMethod")} r{o.Str("refunded")} " +
        $"[{string.Join(" ", o["items"]!.AsArray().Select(i => $"{i.Str("periodStart")}..{i.Str("periodEnd")} {i.Str("amount")}"))}]";

    private static string Line(JsonNode l) => $"{l.Str("at")} {l.Str("kind")} {l.Str("amount")} ={l.Str("balanceAfter")}";

    [Fact]
    public async Task R8_8_an_auto_renewal_notice_names_the_order_it_paid()
    {
        var (client, accountId, clockId) = await Customer("2019-01-29T02:00:00Z");
        await TopUp(accountId, 5000);
        var id = await Buy(client, Product("ecs", "ecs.small", 1, autoRenew: true)); // expires 03-01 00:00 local
        await Advance(clockId, "2019-02-26T00:00:00Z"); // T-3 08:00 local: renewed automatically

        var renewal = Assert.Single((await client.Get($"/v1/orders?instanceId={id}&kind=renewal")).Body!["items"]!.AsArray());
        var notices = (await client.Get($"/v1/notifications?instanceId={id}")).Body!["items"]!.AsArray();
        var renewed = Assert.Single(notices, n => n.Str("kind") == "renewed");
        Assert.Equal(renewal.Str("id"), renewed.Str("orderId"));
        Assert.All(notices.Where(n => n.Str("kind") == "expiryReminder"), n => Assert.Null(n!["orderId"]));
    }

    [Fact]
    public async Task R8_8_purchase_renewal_auto_renewal_at_T_minus_3_and_an_unsubscription_refund_as_orders_ledger_and_statements()
    {
        var (client, accountId, clockId) = await Customer("2019-01-29T02:00:00Z"); // 10:00 in Asia/Shanghai
        await TopUp(accountId, 4000);
        Assert.Equal(201, (await _operator.Post($"/v1/accounts/{accountId}/coupons", new { amount = 300,
            expiresAt = "2030-01-01T00:00:00Z" })).Status);
        var x = await Buy(client, Product("ecs", "ecs.small", 1)); // 300 from the coupon, 700 from the balance; expires 03-01 00:00 local
        Assert.Equal(200, (await client.Post($"/v1/instances/{x}/renew", new { periodMonths = 1 })).Status);
        var y = await Buy(client, Product("ecs", "ecs.small", 1, autoRenew: true));
        await Advance(clockId, "2019-01-31T17:00:00Z"); // 02-01 01:00 local: February's statement, though January in UTC
        await TopUp(accountId, 500);
        await Advance(clockId, "2019-02-26T00:00:00Z"); // T-3 of 03-01 00:00 local, 08:00: y renews automatically
        await Advance(clockId, "2019-03-01T02:00:00Z");
        await TopUp(accountId, 299_200);
        var z = await Buy(client, Product("rocketmq", "rocketmq.platinum.2k", 1)); // expires 04-02 00:00 local
        // R8.4: D = 32 days (03-01 to 04-02), U = 22 (03-11 to 04-02): floor(300000 × 22 / 32) = 206250.
        await Advance(clockId, "2019-03-10T07:00:00Z");
        var unsubscribed = await client.Post($"/v1/instances/{z}/unsubscribe");
        Assert.Equal(200, unsubscribed.Status);

        var orders = (await client.Get("/v1/orders")).Body!["items"]!.AsArray();
        Assert.Equal(
        [
            "2019-01-29T02:00:00Z purchase 1000 c300 b700 m0 r0 [2019-01-29T02:00:00Z..2019-02-28T16:00:00Z 1000]",
            "2019-01-29T02:00:00Z renewal 1000 c0 b1000 m0 r0 [2019-02-28T16:00:00Z..2019-03-31T16:00:00Z 1000]",
            "2019-01-29T02:00:00Z purchase 1000 c0 b1000 m0 r0 [2019-01-29T02:00:00Z..2019-02-28T16:00:00Z 1000]",
            "2019-02-26T00:00:00Z renewal 1000 c0 b1000 m0 r0 [2019-02-28T16:00:00Z..2019-03-31T16:00:00Z 1000]",
            "2019-03-01T02:00:00Z purchase 300000 c0 b300000 m0 r206250 [2019-03-01T02:00:00Z..2019-04-01T16:00:00Z 300000]",
        ], orders.Select(o => Order(o!)));
        Assert.Equal([x, x, y, y, z], orders.Select(o => o!["items"]![0].Str("instanceId")));
        var refunded = orders[4]!;
        var single = await client.Get($"/v1/orders/{refunded.Str("id")}");
        Assert.Equal(Order(refunded), Order(single.Body!));
        Assert.Equal(("206250", "2019-03-10T07:00:00Z"), (single.Body!["refunds"]![0].Str("amount"),
            single.Body!["refunds"]![0].Str("at")));
        Assert.Equal([y, y], (await client.Get($"/v1/orders?instanceId={y}")).Body!["items"]!.AsArray().Select(o
            => o!["items"]![0].Str("instanceId")));
        Assert.Equal(2, (await client.Get("/v1/orders?kind=renewal")).Body!["items"]!.AsArray().Count);
        Assert.Single((await client.Get("/v1/orders?from=2019-02-01T00:00:00Z&to=2019-03-01T00:00:00Z")).Body!["items"]!.AsArray());
        var page = await client.Get("/v1/orders?limit=2");
        var rest = await client.Get($"/v1/orders?limit=10&cursor={page.Body.Str("nextCursor")}");
        Assert.Equal(orders.Skip(2).Select(o => o.Str("id")), rest.Body!["items"]!.AsArray().Select(o => o.Str("id")));

        var ledger = (await client.Get("/v1/account/ledger")).Body!["items"]!.AsArray();
        Assert.Equal(
        [
            "2019-01-29T02:00:00Z topUp 4000 =4000", "2019-01-29T02:00:00Z couponGrant 300 =4000",
            "2019-01-29T02:00:00Z couponUse -300 =4000", "2019-01-29T02:00:00Z charge -700 =3300",
            "2019-01-29T02:00:00Z charge -1000 =2300", "2019-01-29T02:00:00Z charge -1000 =1300",
            "2019-01-31T17:00:00Z topUp 500 =1800", "2019-02-26T00:00:00Z charge -1000 =800",
            "2019-03-01T02:00:00Z topUp 299200 =300000", "2019-03-01T02:00:00Z charge -300000 =0",
            "2019-03-10T07:00:00Z refund 206250 =206250",
        ], ledger.Select(l => Line(l!)));
        Assert.Equal(refunded.Str("id"), ledger[^1].Str("orderId"));
        Assert.Equal(orders[0].Str("id"), ledger[3].Str("orderId"));
        Assert.Equal("206250", (await client.Get("/v1/account")).Body.Str("balance"));

        async Task<string> Statement(string month)
        {
            var s = (await client.Get($"/v1/account/statements/{month}")).Body!;
            var entries = s["entries"]!.AsArray();
            Assert.Equal(long.Parse(s.Str("openingBalance")) + entries.Sum(e => long.Parse(e.Str("amount"))),
                long.Parse(s.Str("closingBalance")));
            var amounts = string.Join(" ", entries.Select(e => e.Str("amount")));
            return $"{s.Str("from")}..{s.Str("to")} {s.Str("openingBalance")} [{amounts}] {s.Str("closingBalance")}";
        }

        Assert.Equal("2018-12-31T16:00:00Z..2019-01-31T16:00:00Z 0 [4000 -700 -1000 -1000] 1300", await Statement("2019-01"));
        Assert.Equal("2019-01-31T16:00:00Z..2019-02-28T16:00:00Z 1300 [500 -1000] 800", await Statement("2019-02"));
        Assert.Equal("2019-02-28T16:00:00Z..2019-03-31T16:00:00Z 800 [299200 -300000 206250] 206250", await Statement("2019-03"));
        Assert.Equal("2019-03-31T16:00:00Z..2019-04-30T16:00:00Z 206250 [] 206250", await Statement("2019-04"));
        Assert.Empty(Storage.Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R8_8_R4_3_a_renewal_at_T_plus_14_after_a_top_up_is_an_order_on_04_13()
    {
        var (client, accountId, clockId) = await Customer("2019-01-29T02:00:00Z");
        await TopUp(accountId, 2000);
        // Expires 03-30 00:00 local; the attempts at T-3, T-1, T and T+6 find a zero balance; auto-renewal is for one month.
        var id = await Buy(client, Product("ecs", "ecs.small", 2, autoRenew: true));
        await Advance(clockId, "2019-04-12T00:00:00Z");
        await TopUp(accountId, 2500);
        await Advance(clockId, "2019-04-13T01:00:00Z"); // T+14 at 04-13 08:00 local renews
        var orders = (await client.Get($"/v1/orders?instanceId={id}")).Body!["items"]!.AsArray();
        Assert.Equal(
        [
            "2019-01-29T02:00:00Z purchase 2000 c0 b2000 m0 r0 [2019-01-29T02:00:00Z..2019-03-29T16:00:00Z 2000]",
            "2019-04-13T00:00:00Z renewal 1000 c0 b1000 m0 r0 [2019-03-29T16:00:00Z..2019-04-29T16:00:00Z 1000]",
        ], orders.Select(o => Order(o!)));
        var ledger = (await client.Get("/v1/account/ledger?from=2019-04-01T00:00:00Z")).Body!["items"]!.AsArray();
        Assert.Equal(["2019-04-12T00:00:00Z topUp 2500 =2500", "2019-04-13T00:00:00Z charge -1000 =1500"], ledger.Select(l => Line(l!)));
        var csv = await Text(client, "/v1/account/ledger", "text/csv");
        Assert.Equal(
        [
            "id,at,localTime,kind,amount,balanceAfter,currency,orderId,couponId,instanceId,memo",
            $"{ledger[1].Str("id")},2019-04-13T00:00:00Z,2019-04-13 08:00,charge,-10.00,15.00,USD," +
            $"{orders[1].Str("id")},,{id},{ledger[1].Str("memo")}",
        ], csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Where((_, n) => n is 0 or 4));
        var april = await Text(client, "/v1/account/statements/2019-04", "text/csv");
        var rows = april.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal((",2019-03-31T16:00:00Z,2019-04-01 00:00,openingBalance,,0.00,USD,,,,2019-04",
            ",2019-04-30T16:00:00Z,2019-05-01 00:00,closingBalance,,15.00,USD,,,,2019-04"),
            (rows[1], rows[^1]));
        var costs = (await client.Get($"/v1/instances/{id}/costs")).Body!;
        Assert.Equal(("3000", 2), (costs.Str("total"), costs["orders"]!.AsArray().Count));
    }

    [Fact]
    public async Task R8_8_R13_1_a_foreign_order_and_its_receipt_are_not_found_and_the_operator_names_the_account()
    {
        var (alice, aliceId, _) = await Customer("2019-03-01T02:00:00Z", "Alice");
        var (bob, _, _) = await Customer("2019-03-01T02:00:00Z", "Bob");
        await TopUp(aliceId, 5000);
        await Buy(alice, Product("ecs", "ecs.small", 1));
        var order = (await alice.Get("/v1/orders")).Body!["items"]![0].Str("id");
        foreach (var path in new[] { $"/v1/orders/{order}", $"/v1/orders/{order}/receipt", "/v1/orders/o-missing" })
        {
            var (status, body, _) = await bob.Get(path);
            Assert.Equal((404, "not-found"), (status, body.Str("code")));
        }

        Assert.Empty((await bob.Get("/v1/orders")).Body!["items"]!.AsArray());
        Assert.Empty((await bob.Get($"/v1/orders?accountId={aliceId}")).Body!["items"]!.AsArray());
        Assert.Empty((await bob.Get("/v1/account/ledger")).Body!["items"]!.AsArray());
        Assert.Equal(order, (await _operator.Get($"/v1/orders?accountId={aliceId}")).Body!["items"]![0].Str("id"));
        Assert.Equal("4000", (await _operator.Get($"/v1/account/ledger?accountId={aliceId}")).Body!["items"]![1].Str("balanceAfter"));
        Assert.Equal(("validation", "accountId"), await Refused(_operator, "/v1/account/ledger", "accountId"));
        foreach (var month in new[] { "2019-13", "2019-3", "march", "1969-12" })
        {
            Assert.Equal(("validation", "month"), await Refused(alice, $"/v1/account/statements/{month}", "month"));
        }

        Assert.Equal(("validation", "from"), await Refused(alice, "/v1/orders?from=yesterday", "from"));
        Assert.Equal(("validation", "kind"), await Refused(alice, "/v1/orders?kind=gift", "kind"));
        Assert.Equal(("validation", "cursor"), await Refused(alice, "/v1/account/ledger?cursor=nope", "cursor"));
    }

    [Fact]
    public async Task R8_8_verify_catches_a_statement_that_no_longer_adds_up_after_a_ledger_row_is_tampered_with()
    {
        var (client, accountId, _) = await Customer("2019-03-01T02:00:00Z");
        await TopUp(accountId, 5000);
        await Buy(client, Product("ecs", "ecs.small", 1));
        var charge = (await client.Get("/v1/account/ledger")).Body!["items"]![1].Str("id");
        Assert.DoesNotContain(Storage.Verifier.Check(server.Db), v => v.Contains(accountId, StringComparison.Ordinal));
        await using (var connection = server.Db.Open())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"UPDATE ledger SET amount = amount - 1 WHERE id = {long.Parse(charge)}";
            Assert.Equal(1, await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken));
        }

        var found = Storage.Verifier.Check(server.Db).Where(v => v.Contains(accountId, StringComparison.Ordinal)).ToList();
        Assert.Contains($"statement does not add up (R8.8): {accountId}: the last statement closes at 3999, the balance is 4000", found);
        await using (var connection = server.Db.Open())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"UPDATE ledger SET amount = amount + 1 WHERE id = {long.Parse(charge)}";
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
    }

    private static async Task<(string Code, string Field)> Refused(HttpClient client, string path, string field)
    {
        var (status, body, _) = await client.Get(path);
        Assert.Equal(400, status);
        return (body.Str("code"), body!["errors"]![field] is null ? string.Empty : field);
    }

    internal static async Task<string> Text(HttpClient client, string path, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(accept, response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }
}

public sealed class SqliteBillingApiTests(Server server) : BillingApiTests(server), IClassFixture<Server>;

public sealed class PostgresBillingApiTests(PostgresServer server) : BillingApiTests(server), IClassFixture<PostgresServer>;
