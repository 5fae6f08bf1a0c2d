using Tenure.Storage;

namespace Tenure.Api.Tests;

/// <summary>
/// R7.8–R7.11 for the plan changes that start a paid cycle (R6.4 renew-and-downgrade, R6.6 edition change): coupons, then
/// balance, then the card; applied only once the card paid; the cycle's cash and card parts refunded each to its source
/// (R8.4). An ecs.medium with 5 Mbps is 2,500 a month; renewed a month as ecs.small with 2 Mbps it is 1,200. RocketMQ
/// Platinum is 300,000 a month.
/// </summary>
public abstract partial class PaymentTests
{
    // Bought 2019-03-20 10:00 local for a month: expires 2019-04-21 00:00 local; renew-and-downgrade opens 04-06.
    private const string MediumExpiry = "2019-04-20T16:00:00Z";
    private const string DowngradedExpiry = "2019-05-20T16:00:00Z";

    private static readonly object Smaller = Downgrade();

    /// <summary>A month as ecs.small with 2 Mbps; quoted, or paid against a quote's ID.</summary>
    private static object Downgrade(bool quoteOnly = false, string? quoteId = null) =>
        new { periodMonths = 1, spec = "ecs.small", bandwidth = new { chargeType = "byBandwidth", mbps = 2 }, quoteOnly, quoteId };

    /// <summary>
    /// An account on a clock at <paramref name="frozenTime"/> that bought <paramref name="purchase"/> for
    /// <paramref name="price"/> from its balance, then has <paramref name="balanceAfter"/> left and a card on file.
    /// </summary>
    private async Task<(HttpClient Client, string AccountId, string ClockId, string InstanceId)> Holding(
        string frozenTime, object purchase, long price, long balanceAfter)
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        var clockId = (await _operator.Post("/v1/test-clocks", new { frozenTime })).Body.Str("id");
        var account = await _operator.Post("/v1/accounts", new { name = "Plan", email = "plan@example.com", testClockId = clockId });
        var accountId = account.Body.Str("id");
        await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount = price + balanceAfter });
        var client = server.Client(account.Body.Str("apiKey"));
        var bought = await client.Post("/v1/instances", purchase);
        Assert.Equal(201, bought.Status);
        Assert.Equal($"{balanceAfter}", (await client.Get("/v1/account")).Body.Str("balance"));
        await SetCard(accountId);
        return (client, accountId, clockId, bought.Body.Str("id"));
    }

    /// <summary>An ecs.medium with 5 Mbps bought 2019-03-20 10:00 local, on 2019-04-10 10:00 local (renew-and-downgrade open).</summary>
    private async Task<(HttpClient Client, string AccountId, string InstanceId)> Medium(long balanceAfter)
    {
        var (client, accountId, clockId, id) = await Holding("2019-03-20T02:00:00Z", new
        {
            product = "ecs", region = "cn-hangzhou", spec = "ecs.medium", chargeType = "subscription", periodMonths = 1,
            components = new { bandwidth = new { chargeType = "byBandwidth", mbps = 5 }, dataDisks = Array.Empty<object>() },
        }, 2500, balanceAfter);
        await Advance(clockId, "2019-04-10T02:00:00Z");
        return (client, accountId, id);
    }

    /// <summary>A RocketMQ Standard (PAYG) bought 2019-03-10 15:00 local, changed to Platinum then.</summary>
    private Task<(HttpClient Client, string AccountId, string ClockId, string InstanceId)> Standard(long balanceAfter) =>
        Holding("2019-03-10T07:00:00Z",
            new { product = "rocketmq", region = "cn-hangzhou", spec = "rocketmq.standard", chargeType = "payg" }, 0, balanceAfter);

    private (string Kind, long Total, long Coupons, long Balance, long Method) Order(string accountId, string kind, out string orderId)
    {
        using var session = server.Db.BeginRead();
        var order = Assert.Single(session.PaymentOrders(accountId), o => o.Kind == kind);
        orderId = order.Id;
        return (order.Kind, order.Total, order.PaidByCoupons, order.PaidByBalance, order.PaidByMethod);
    }

    [Fact]
    public async Task R6_4_R7_8_a_renew_and_downgrade_is_paid_by_coupon_balance_and_card_in_that_order_with_exact_amounts()
    {
        // 1,200: the coupon pays 200, the balance 300, the card 700.
        var (client, accountId, id) = await Medium(300);
        await _operator.Post($"/v1/accounts/{accountId}/coupons",
            new { amount = 200, expiresAt = "2019-12-31T16:00:00Z", product = "ecs" });
        var quote = await client.Post($"/v1/instances/{id}/renew-downgrade", Downgrade(quoteOnly: true));
        Assert.Equal(("1200", "1200", "700", "0", DowngradedExpiry), (quote.Body.Str("amount"), quote.Body.Str("covered"),
            quote.Body.Str("coveredByPaymentMethod"), quote.Body.Str("shortfall"), quote.Body.Str("newExpiresAt")));

        var done = await client.Post($"/v1/instances/{id}/renew-downgrade", Downgrade(quoteId: quote.Body.Str("quoteId")));
        Assert.Equal(200, done.Status);
        Assert.Equal(("1200", "200", "300", "700"), (done.Body.Str("order.total"), done.Body.Str("order.paidByCoupons"),
            done.Body.Str("order.paidByBalance"), done.Body.Str("order.paidByPaymentMethod")));
        Assert.Equal((DowngradedExpiry, "ecs.medium", "ecs.small", "false"), (done.Body.Str("expiresAt"), done.Body.Str("spec"),
            done.Body.Str("pendingChange.spec"), done.Body.Str("paymentPending")));
        Assert.Equal(("RenewDowngrade", 1200L, 200L, 300L, 700L), Order(accountId, "RenewDowngrade", out var orderId));
        Assert.Equal(orderId, done.Body.Str("order.orderId"));
        Assert.Equal([("Payment", 700L), ("CouponUse", -200L), ("Charge", -1000L)], Ledger(orderId));
        var payment = Assert.Single((await client.Get("/v1/payments")).Body!["items"]!.AsArray());
        Assert.Equal(("succeeded", "700", orderId), (payment.Str("status"), payment.Str("amount"), payment.Str("orderId")));
        Assert.Single(server.Gateway.Charges, c => c.PaymentId == payment.Str("id"));
        Assert.Equal("0", (await client.Get("/v1/account")).Body.Str("balance"));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R6_4_R7_9_a_soft_declined_renew_and_downgrade_answers_402_and_changes_nothing()
    {
        var (client, accountId, id) = await Medium(498); // the card is asked for 702: soft decline
        var declined = await client.Post($"/v1/instances/{id}/renew-downgrade", Smaller);
        Assert.Equal((402, "payment-declined"), (declined.Status, declined.Body.Str("code")));
        Assert.Contains("insufficient funds on the card", declined.Body.Str("detail"), StringComparison.Ordinal);
        var instance = await client.Get($"/v1/instances/{id}");
        Assert.Equal((MediumExpiry, "ecs.medium", "false"), (instance.Body.Str("expiresAt"), instance.Body.Str("spec"),
            instance.Body.Str("paymentPending")));
        Assert.Null(instance.Body!["pendingChange"]);
        var account = await client.Get("/v1/account");
        Assert.Equal(("498", "active"), (account.Body.Str("balance"), account.Body.Str("paymentMethod.status")));
        using (var session = server.Db.BeginRead())
            Assert.DoesNotContain(session.PaymentOrders(accountId), o => o.Kind == "RenewDowngrade");
        var payment = Assert.Single((await client.Get("/v1/payments")).Body!["items"]!.AsArray());
        Assert.Equal(("declined", "702"), (payment.Str("status"), payment.Str("amount")));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R6_6_R7_10_a_pending_edition_change_answers_202_holds_the_instance_and_applies_once_when_it_succeeds()
    {
        var (client, accountId, _, id) = await Standard(100_097); // the card is asked for 199,903: pending
        var key = $"edition-{id}";
        var body = new { edition = "platinum", periodMonths = 1 };
        var accepted = await client.Post($"/v1/instances/{id}/edition", body, idempotencyKey: key);
        Assert.Equal((202, "pending"), (accepted.Status, accepted.Body.Str("status")));
        var paymentId = accepted.Body.Str("paymentId");
        Assert.Equal($"/v1/payments/{paymentId}", accepted.Response.Headers.Location?.OriginalString);
        var instance = await client.Get($"/v1/instances/{id}");
        Assert.Equal(("standard", "payg", "true"), (instance.Body.Str("edition"), instance.Body.Str("chargeType"),
            instance.Body.Str("paymentPending")));
        var busy = await client.Post($"/v1/instances/{id}/edition", body);
        Assert.Equal((409, "invalid-state"), (busy.Status, busy.Body.Str("code")));
        Assert.Equal((202, paymentId), ((await client.Post($"/v1/instances/{id}/edition", body, idempotencyKey: key)).Status, paymentId));

        Assert.Equal(200, (await server.PostPaymentResult(paymentId, """{"status":"succeeded"}""")).Status);
        await server.PostPaymentResult(paymentId, """{"status":"succeeded"}"""); // the result twice settles once
        instance = await client.Get($"/v1/instances/{id}");
        Assert.Equal(("platinum", "subscription", "2019-04-10T16:00:00Z", "false"), (instance.Body.Str("edition"),
            instance.Body.Str("chargeType"), instance.Body.Str("expiresAt"), instance.Body.Str("paymentPending")));
        Assert.Equal(("EditionChange", 300_000L, 0L, 100_097L, 199_903L), Order(accountId, "EditionChange", out var orderId));
        Assert.Equal(("succeeded", orderId), ((await client.Get($"/v1/payments/{paymentId}")).Body.Str("status"),
            (await client.Get($"/v1/payments/{paymentId}")).Body.Str("orderId")));
        Assert.Single(server.Gateway.Charges, c => c.PaymentId == paymentId);
        Assert.Single(await Events(client, id), e => e.EndsWith("editionChanged", StringComparison.Ordinal));
        Assert.Equal("0", (await client.Get("/v1/account")).Body.Str("balance"));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R8_4_R7_11_a_card_paid_edition_cycle_unsubscribed_refunds_each_part_to_its_source_rounded_down()
    {
        // 300,000: the balance pays 100,001, the card 199,999. Unsubscribed 2019-03-20 10:00 local: D = 03-10 to 04-11 = 32,
        // U = 03-21 to 04-11 = 21: floor(100,001 × 21 / 32) = 65,625 to the balance, floor(199,999 × 21 / 32) = 131,249 to the card.
        var (client, accountId, clockId, id) = await Standard(100_001);
        var quote = await client.Post($"/v1/instances/{id}/edition", new { edition = "platinum", periodMonths = 1, quoteOnly = true });
        Assert.Equal(("300000", "199999"), (quote.Body.Str("covered"), quote.Body.Str("coveredByPaymentMethod")));
        var changed = await client.Post($"/v1/instances/{id}/edition", new { edition = "platinum", periodMonths = 1 });
        Assert.Equal((200, "platinum", "100001", "199999"), (changed.Status, changed.Body.Str("edition"),
            changed.Body.Str("order.paidByBalance"), changed.Body.Str("order.paidByPaymentMethod")));
        var paymentId = Assert.Single((await client.Get("/v1/payments")).Body!["items"]!.AsArray()).Str("id");

        await Advance(clockId, "2019-03-20T02:00:00Z");
        var unsubscribed = await client.Post($"/v1/instances/{id}/unsubscribe", new { });
        Assert.Equal((200, "65625", "131249"), (unsubscribed.Status, unsubscribed.Body.Str("refund"),
            unsubscribed.Body.Str("refundToPaymentMethod")));
        Assert.Equal("65625", (await client.Get("/v1/account")).Body.Str("balance"));
        using (var session = server.Db.BeginRead())
        {
            var refund = Assert.Single(session.MethodRefunds(accountId));
            Assert.Equal((paymentId, 131_249L), (refund.PaymentId, refund.Amount));
        }

        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R7_9_the_openapi_document_gives_both_202_answers_of_a_spec_change_and_the_pending_one_of_the_plan_changes()
    {
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        var document = (await _operator.Get("/openapi/v1.json")).Body!;
        var spec = document["paths"]!["/v1/instances/{id}/spec-change"]!["post"]!["responses"]!["202"]!;
        var either = spec["content"]!["application/json"]!["schema"]!["anyOf"]!.AsArray();
        Assert.Equal(("#/components/schemas/InstanceDto", "[\"paymentId\",\"status\"]"),
            (either[0].Str("$ref"), either[1]!["required"]!.ToJsonString()));
        Assert.Contains("review", spec["description"]!.ToString(), StringComparison.Ordinal);
        foreach (var route in new[] { "renew-downgrade", "edition", "charge-type" })
        {
            var accepted = document["paths"]![$"/v1/instances/{{id}}/{route}"]!["post"]!["responses"]!["202"]!;
            var schema = accepted["content"]!["application/json"]!["schema"]!;
            Assert.Equal("#/components/schemas/PaymentPendingAnswer", schema.Str("$ref"));
            Assert.Contains("pending", accepted["description"]!.ToString(), StringComparison.Ordinal);
        }
    }
}
