using System.Text.Json.Nodes;
using Tenure.Engine.Payments;
using Tenure.Storage;

namespace Tenure.Api.Tests;

/// <summary>The server with its payment worker calling a reference gateway on loopback (R7.9), on SQLite.</summary>
public class PaymentServer : Server
{
    public ReferenceGateway Gateway { get; private set; } = null!;

    protected override ApiOptions Configure(ApiOptions options)
    {
        // The gateway keeps the server's fake clock, so "pending for an hour" passes only when a test says so.
        Gateway = new ReferenceGateway(Clock, 0, PaymentSecret, pendingSeconds: 3600);
        var payments = new PaymentOptions { GatewayUrl = Gateway.Url, Secret = PaymentSecret, Poll = TimeSpan.FromMilliseconds(50) };
        return options with { Payments = payments };
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Gateway is not null) await Gateway.DisposeAsync();
    }
}

/// <summary>The same over a database of the test run's PostgreSQL cluster.</summary>
public sealed class PostgresPaymentServer(Tenure.Storage.Tests.PostgresCluster cluster) : PaymentServer
{
    public override string? SkipReason =>
        cluster.ConnectionString is null && Environment.GetEnvironmentVariable("CI") != "true" ? cluster.Unavailable : null;

    protected override Database CreateDatabase() => Database.Postgres(cluster.CreateDatabase());
}

/// <summary>
/// Seed 002's card schedule (R7.8–R7.11) end to end: a test clock, the real server and its payment worker, and the
/// reference gateway over real HTTP. ecs.small is 1,000 a month; amounts the card is asked for end in 01 (hard
/// decline), 02 (soft decline), 03 (pending) or anything else (success).
/// </summary>
public abstract partial class PaymentTests(PaymentServer server)
{
    private readonly HttpClient _operator = server.Client();

    /// <summary>
    /// An account on a clock at 2019-01-29 10:00 local with an auto-renew ecs.small expiring 2019-03-30 00:00 local (1-month period).
    /// </summary>
    private async Task<(HttpClient Client, string AccountId, string ClockId, string InstanceId)> Customer(
        long balanceAfter, bool card = true)
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        var clock = await _operator.Post("/v1/test-clocks", new { frozenTime = "2019-01-29T02:00:00Z" });
        var clockId = clock.Body.Str("id");
        var account = await _operator.Post("/v1/accounts", new { name = "Card", email = "card@example.com", testClockId = clockId });
        var accountId = account.Body.Str("id");
        await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount = 2000 + balanceAfter });
        var client = server.Client(account.Body.Str("apiKey"));
        var bought = await client.Post("/v1/instances",
            new
            {
                product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription", periodMonths = 2,
                autoRenew = true,
            });
        Assert.Equal("2019-03-29T16:00:00Z", bought.Body.Str("expiresAt"));
        var id = bought.Body.Str("id");
        var renewal = await client.Send(HttpMethod.Put, $"/v1/instances/{id}/renewal", new { mode = "auto", autoRenewMonths = 1 });
        Assert.Equal(200, renewal.Status);
        if (card) await SetCard(accountId);
        return (client, accountId, clockId, id);
    }

    private async Task SetCard(string accountId)
    {
        var set = await _operator.Send(HttpMethod.Put, $"/v1/accounts/{accountId}/payment-method",
            new { token = "tok_visa_4242", label = "Visa •••• 4242" });
        Assert.Equal(200, set.Status);
        Assert.Equal(("Visa •••• 4242", "active"), (set.Body.Str("paymentMethod.label"), set.Body.Str("paymentMethod.status")));
    }

    private async Task Advance(string clockId, string to) =>
        Assert.Equal(200, (await _operator.Post($"/v1/test-clocks/{clockId}/advance", new { to })).Status);

    /// <summary>The account's payments, newest first, once none is pending (or the newest is, with <paramref name="pending"/>).</summary>
    private static async Task<JsonArray> Payments(HttpClient client, int count, bool pending = false)
    {
        for (var i = 0; i < 200; i++)
        {
            var items = (await client.Get("/v1/payments")).Body!["items"]!.AsArray();
            if (items.Count == count && items.All(p => p!["status"]!.ToString() != "pending") != pending) return items;
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        throw new TimeoutException($"{count} payment(s) not settled: {(await client.Get("/v1/payments")).Body?.ToJsonString()}");
    }

    private (string Kind, long Total, long Coupons, long Balance, long Method) RenewalOrder(string accountId, out string orderId)
    {
        using var session = server.Db.BeginRead();
        var renewals = session.PaymentOrders(accountId).Where(o => o.Kind == "Renewal").ToList();
        var order = Assert.Single(renewals);
        orderId = order.Id;
        return (order.Kind, order.Total, order.PaidByCoupons, order.PaidByBalance, order.PaidByMethod);
    }

    private List<(string Kind, long Amount)> Ledger(string orderId)
    {
        using var session = server.Db.BeginRead();
        return session.PaymentLedgerLines(orderId);
    }

    private static async Task<List<string>> Events(HttpClient client, string id) =>
        [.. (await client.Get($"/v1/instances/{id}/events?limit=500")).Body!["items"]!.AsArray().Select(e => $"{e!["at"]} {e["kind"]}")];

    [Fact]
    public async Task R7_9_seed_002_a_soft_decline_at_T_minus_3_then_success_at_T_minus_1_renews_from_E_with_one_order()
    {
        // Balance 98: the card is asked for 902 (soft decline); after a top-up of 2 it is asked for 900 (success).
        var (client, accountId, clockId, id) = await Customer(98);
        await Advance(clockId, "2019-03-27T00:00:00Z"); // T-3 08:00 local
        var first = await Payments(client, 1);
        Assert.Equal(
            ("declined", "902", "insufficient funds on the card"),
            (first[0].Str("status"), first[0].Str("amount"), first[0].Str("reason")));
        var notices = (await client.Get("/v1/notifications")).Body!["items"]!.AsArray();
        var declined = Assert.Single(notices, n => n!["kind"]!.ToString() == "paymentDeclined");
        Assert.Contains("insufficient funds on the card", declined!["subject"]!.ToString(), StringComparison.Ordinal);

        await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount = 2 });
        await Advance(clockId, "2019-03-29T00:00:00Z"); // T-1 08:00 local
        var both = await Payments(client, 2);
        Assert.Equal(["succeeded", "declined"], both.Select(p => p!["status"]!.ToString()));
        Assert.Equal("900", both[0].Str("amount"));
        var instance = await client.Get($"/v1/instances/{id}");
        Assert.Equal(
            ("2019-04-29T16:00:00Z", "running", "false"),
            (instance.Body.Str("expiresAt"), instance.Body.Str("status"), instance.Body.Str("paymentPending")));
        Assert.Equal(("Renewal", 1000L, 0L, 100L, 900L), RenewalOrder(accountId, out var orderId));
        Assert.Equal(orderId, both[0].Str("orderId"));
        Assert.Equal([("Payment", 900L), ("Charge", -1000L)], Ledger(orderId));
        Assert.Equal("0", (await client.Get("/v1/account")).Body.Str("balance"));

        await Advance(clockId, "2019-04-20T00:00:00Z");
        Assert.Equal(2, (await Payments(client, 2)).Count);
        Assert.Single(server.Gateway.Charges, c => c.Status == "succeeded" && c.PaymentId == both[0].Str("id"));
        Assert.Equal(
            [
                "2019-03-27T00:00:00Z paymentRequested", "2019-03-27T00:00:00Z autoRenewFailed",
                "2019-03-29T00:00:00Z paymentRequested", "2019-03-29T00:00:00Z renewed",
            ],
            (await Events(client, id))
                .Where(e => e.StartsWith("2019-03-27", StringComparison.Ordinal)
                    || e.StartsWith("2019-03-29T00", StringComparison.Ordinal)));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R7_9_a_hard_decline_at_T_minus_3_is_not_tried_again_but_balance_and_coupons_still_are()
    {
        // Balance 99: the card is asked for 901, a hard decline.
        var (client, accountId, clockId, id) = await Customer(99);
        await Advance(clockId, "2019-03-27T00:00:00Z");
        var declined = await Payments(client, 1);
        Assert.Equal(("declined", "card expired"), (declined[0].Str("status"), declined[0].Str("reason")));
        var account = await client.Get("/v1/account");
        Assert.Equal("declinedHard", account.Body.Str("paymentMethod.status"));
        var kinds = (await client.Get("/v1/notifications")).Body!["items"]!.AsArray().Select(n => n!["kind"]!.ToString()).ToList();
        Assert.Contains("paymentMethodNeedsUpdate", kinds);

        await Advance(clockId, "2019-03-29T00:00:00Z"); // T-1: coupons and balance only, which fall short
        Assert.Single((await client.Get("/v1/payments")).Body!["items"]!.AsArray());
        await _operator.Post($"/v1/accounts/{accountId}/coupons", new { amount = 401, expiresAt = "2019-12-31T16:00:00Z" });
        await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount = 500 });
        await Advance(clockId, "2019-03-30T00:00:00Z"); // T: 401 coupon + 599 balance
        Assert.Equal("2019-04-29T16:00:00Z", (await client.Get($"/v1/instances/{id}")).Body.Str("expiresAt"));
        Assert.Equal(("Renewal", 1000L, 401L, 599L, 0L), RenewalOrder(accountId, out _));
        Assert.Single(server.Gateway.Charges, c => c.PaymentId == declined[0].Str("id"));
        Assert.Single((await client.Get("/v1/payments")).Body!["items"]!.AsArray());
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R7_8_coupons_then_balance_then_the_card_in_one_charge_with_exact_amounts()
    {
        var (client, accountId, clockId, id) = await Customer(200);
        await _operator.Post($"/v1/accounts/{accountId}/coupons",
            new { amount = 300, expiresAt = "2019-12-31T16:00:00Z", product = "ecs" });
        await Advance(clockId, "2019-03-27T00:00:00Z");
        var paid = await Payments(client, 1);
        Assert.Equal(("succeeded", "500"), (paid[0].Str("status"), paid[0].Str("amount")));
        Assert.Equal(("Renewal", 1000L, 300L, 200L, 500L), RenewalOrder(accountId, out var orderId));
        Assert.Equal(
            [("CouponUse", -300L), ("Payment", 500L), ("Charge", -700L)],
            Ledger(orderId).OrderBy(l => l.Kind == "CouponUse" ? 0 : l.Kind == "Payment" ? 1 : 2));
        var account = await client.Get("/v1/account");
        Assert.Equal(("0", "0"), (account.Body.Str("balance"), account.Body!["coupons"]![0].Str("remaining")));
        Assert.Equal("2019-04-29T16:00:00Z", (await client.Get($"/v1/instances/{id}")).Body.Str("expiresAt"));
        Assert.Empty(Verifier.Check(server.Db));
    }

    /// <summary>
    /// Attempts at T-3 … T+6 fail (no card yet); the card goes on file before T+14, when it is asked for 903 and answers pending.
    /// </summary>
    private async Task<(HttpClient Client, string AccountId, string ClockId, string Id, string PaymentId)> PendingAtTPlus14()
    {
        var (client, accountId, clockId, id) = await Customer(97, card: false);
        await Advance(clockId, "2019-04-05T00:00:00Z"); // T+6 08:00 local, failed
        await SetCard(accountId);
        await Advance(clockId, "2019-04-13T00:00:00Z"); // T+14 08:00 local
        var pending = await Payments(client, 1, pending: true);
        Assert.Equal("903", pending[0].Str("amount"));
        for (var i = 0; i < 200 && !server.Gateway.Charges.Any(c => c.PaymentId == pending[0].Str("id")); i++)
            await Task.Delay(50, TestContext.Current.CancellationToken);
        await Advance(clockId, "2019-04-13T15:00:00Z"); // T+14 23:00 local
        var instance = await client.Get($"/v1/instances/{id}");
        Assert.Equal(("running", "true"), (instance.Body.Str("status"), instance.Body.Str("paymentPending")));
        await Advance(clockId, "2019-04-13T18:00:00Z"); // T+15 02:00 local: past the stop at 00:00, held back (R7.10)
        instance = await client.Get($"/v1/instances/{id}");
        Assert.Equal(("running", "true"), (instance.Body.Str("status"), instance.Body.Str("paymentPending")));
        return (client, accountId, clockId, id, pending[0].Str("id"));
    }

    [Fact]
    public async Task R7_10_pending_at_T_plus_14_23_00_that_succeeds_at_T_plus_15_02_00_is_never_stopped_and_renews_from_E()
    {
        var (client, accountId, clockId, id, paymentId) = await PendingAtTPlus14();
        var result = await server.PostPaymentResult(paymentId, """{"status":"succeeded","reference":"ch_late"}""");
        Assert.Equal(200, result.Status);
        Assert.Equal("succeeded", result.Body.Str("status"));
        var again = await server.PostPaymentResult(paymentId, """{"status":"declined","reason":"too late"}""");
        Assert.Equal((200, "succeeded"), (again.Status, again.Body.Str("status")));
        await Advance(clockId, "2019-04-20T00:00:00Z");
        var instance = await client.Get($"/v1/instances/{id}");
        Assert.Equal(
            ("running", "2019-04-29T16:00:00Z", "false"),
            (instance.Body.Str("status"), instance.Body.Str("expiresAt"), instance.Body.Str("paymentPending")));
        Assert.DoesNotContain(await Events(client, id), e => e.EndsWith("stopped", StringComparison.Ordinal));
        Assert.Equal(("Renewal", 1000L, 0L, 97L, 903L), RenewalOrder(accountId, out _));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R7_10_a_manual_renewal_while_an_auto_renew_payment_is_pending_is_refused_409_and_its_success_renews_one_cycle()
    {
        var (client, accountId, _, id, paymentId) = await PendingAtTPlus14();
        await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount = 5000 }); // the balance alone would pay
        var busy = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 });
        Assert.Equal((409, "invalid-state"), (busy.Status, busy.Body.Str("code")));
        var batch = await client.Post("/v1/renewals", new { items = new[] { new { instanceId = id, periodMonths = 1 } } });
        Assert.Equal((409, "invalid-state"), (batch.Status, batch.Body.Str("code")));
        Assert.Equal((200, "succeeded"), ((await server.PostPaymentResult(paymentId, """{"status":"succeeded"}""")).Status, "succeeded"));
        var instance = await client.Get($"/v1/instances/{id}");
        Assert.Equal(("2019-04-29T16:00:00Z", "false"), (instance.Body.Str("expiresAt"), instance.Body.Str("paymentPending")));
        Assert.Equal(("Renewal", 1000L, 0L, 97L, 903L), RenewalOrder(accountId, out _));
        Assert.Equal("5000", (await client.Get("/v1/account")).Body.Str("balance"));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R7_10_pending_that_fails_at_T_plus_15_02_00_stops_then_and_not_before()
    {
        var (client, _, clockId, id, paymentId) = await PendingAtTPlus14();
        var result = await server.PostPaymentResult(paymentId, """{"status":"declined","reason":"do not honor","hard":false}""");
        Assert.Equal((200, "declined"), (result.Status, result.Body.Str("status")));
        await Advance(clockId, "2019-04-14T00:00:00Z");
        var events = await Events(client, id);
        Assert.Equal("2019-04-13T18:00:00Z stopped", Assert.Single(events, e => e.EndsWith("stopped", StringComparison.Ordinal)));
        Assert.Equal("stopped", (await client.Get($"/v1/instances/{id}")).Body.Str("status"));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R8_4_R7_11_unsubscribing_a_cycle_paid_by_balance_and_card_refunds_each_part_to_its_source_rounded_down()
    {
        // RocketMQ Platinum bought 2019-03-01 10:00 (expires 04-02); auto-renewed at T-3 (03-30 08:00 local) by 100,001 of
        // balance and 199,999 of card; unsubscribed 04-10 10:00: D = 30, U = 21, so floor(100001 × 21 / 30) = 70,000 to the
        // balance and floor(199999 × 21 / 30) = 139,999 to the card.
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        var clockId = (await _operator.Post("/v1/test-clocks", new { frozenTime = "2019-03-01T02:00:00Z" })).Body.Str("id");
        var account = await _operator.Post("/v1/accounts", new { name = "R", email = "r@example.com", testClockId = clockId });
        var accountId = account.Body.Str("id");
        await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount = 400_001 });
        using var client = server.Client(account.Body.Str("apiKey"));
        var bought = await client.Post("/v1/instances",
            new
            {
                product = "rocketmq", region = "cn-hangzhou", spec = "rocketmq.platinum.2k", chargeType = "subscription", periodMonths = 1,
                autoRenew = true,
            });
        var id = bought.Body.Str("id");
        await SetCard(accountId);
        await Advance(clockId, "2019-03-30T00:00:00Z");
        var paid = await Payments(client, 1);
        Assert.Equal(("succeeded", "199999"), (paid[0].Str("status"), paid[0].Str("amount")));
        Assert.Equal("2019-05-01T16:00:00Z", (await client.Get($"/v1/instances/{id}")).Body.Str("expiresAt"));
        await Advance(clockId, "2019-04-10T02:00:00Z");
        var done = await client.Post($"/v1/instances/{id}/unsubscribe");
        Assert.Equal((200, "70000", "139999"), (done.Status, done.Body.Str("refund"), done.Body.Str("refundToPaymentMethod")));
        Assert.Equal("70000", (await client.Get("/v1/account")).Body.Str("balance"));
        for (var i = 0; i < 200 && server.Gateway.Refunds.All(r => r.PaymentId != paid[0].Str("id")); i++)
            await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Equal(139_999, Assert.Single(server.Gateway.Refunds, r => r.PaymentId == paid[0].Str("id")).Amount);
        for (var i = 0; i < 100; i++)
        {
            using var session = server.Db.BeginRead();
            if (session.MethodRefunds(accountId) is [(_, 139_999, "succeeded")]) break;
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        using (var session = server.Db.BeginRead())
            Assert.Equal([(paid[0].Str("id"), 139_999L, "succeeded")], session.MethodRefunds(accountId));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R7_9_a_result_needs_the_gateway_signature_a_known_payment_and_a_known_status()
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        Assert.Equal(401, (await server.PostPaymentResult("pay-x", """{"status":"succeeded"}""", secret: null)).Status);
        Assert.Equal(401, (await server.PostPaymentResult("pay-x", """{"status":"succeeded"}""", secret: "wrong")).Status);
        Assert.Equal(404, (await server.PostPaymentResult("pay-missing", """{"status":"succeeded"}""")).Status);
        Assert.Equal(400, (await server.PostPaymentResult("pay-missing", """{"status":"maybe"}""")).Status);
        Assert.Equal(400, (await server.PostPaymentResult("pay-missing", """{"status":"succeeded","extra":1}""")).Status);
        var account = await _operator.Post("/v1/accounts", new { name = "M", email = "m@example.com" });
        var bad = await _operator.Send(HttpMethod.Put, $"/v1/accounts/{account.Body.Str("id")}/payment-method",
            new { token = "", label = "x" });
        Assert.Equal(400, bad.Status);
        using var customer = server.Client(account.Body.Str("apiKey"));
        var forbidden = await customer.Send(HttpMethod.Put, $"/v1/accounts/{account.Body.Str("id")}/payment-method",
            new { token = "t", label = "x" });
        Assert.Equal(403, forbidden.Status);
        await SetCard(account.Body.Str("id"));
        var removed = await _operator.Send(HttpMethod.Delete, $"/v1/accounts/{account.Body.Str("id")}/payment-method");
        Assert.Equal((200, true), (removed.Status, removed.Body!["paymentMethod"] is null));
    }
}

public sealed class SqlitePaymentTests(PaymentServer server) : PaymentTests(server), IClassFixture<PaymentServer>;

public sealed class PostgresPaymentTests(PostgresPaymentServer server) : PaymentTests(server), IClassFixture<PostgresPaymentServer>;
