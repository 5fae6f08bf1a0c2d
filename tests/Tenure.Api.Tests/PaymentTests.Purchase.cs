using Tenure.Storage;

namespace Tenure.Api.Tests;

/// <summary>
/// R2, R7.8–R7.11 for a purchase: coupons, then balance, then the card, and nothing is created until the card paid. The
/// customer's clock reads 2019-01-29 10:00 local, so a 1-month ecs.small (1,000) expires 2019-03-01 00:00 local
/// (2019-02-28T16:00:00Z).
/// </summary>
public abstract partial class PaymentTests
{
    private const string BoughtUntil = "2019-02-28T16:00:00Z";

    private static readonly object SmallMonth =
        new { product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription", periodMonths = 1 };

    /// <summary>The purchase order <paramref name="orderId"/> of the account: what each part paid.</summary>
    private (long Total, long Coupons, long Balance, long Method) PurchaseOrder(string accountId, string orderId)
    {
        using var session = server.Db.BeginRead();
        var order = Assert.Single(session.PaymentOrders(accountId), o => o.Id == orderId);
        Assert.Equal("Purchase", order.Kind);
        return (order.Total, order.PaidByCoupons, order.PaidByBalance, order.PaidByMethod);
    }

    private int Purchases(string accountId)
    {
        using var session = server.Db.BeginRead();
        return session.PaymentOrders(accountId).Count(o => o.Kind == "Purchase");
    }

    [Fact]
    public async Task R2_R7_8_a_purchase_is_paid_by_coupon_balance_and_card_with_exact_amounts_in_one_order()
    {
        var (client, accountId, _, _) = await Customer(200);
        await _operator.Post($"/v1/accounts/{accountId}/coupons",
            new { amount = 300, expiresAt = "2019-12-31T16:00:00Z", product = "ecs" });
        var bought = await client.Post("/v1/instances", SmallMonth);
        Assert.Equal((201, BoughtUntil, "500"),
            (bought.Status, bought.Body.Str("expiresAt"), bought.Body.Str("order.paidByPaymentMethod")));
        var id = bought.Body.Str("id");
        Assert.Equal($"/v1/instances/{id}", bought.Response.Headers.Location?.OriginalString);
        var payment = Assert.Single((await client.Get("/v1/payments")).Body!["items"]!.AsArray());
        Assert.Equal(("succeeded", "500", id), (payment.Str("status"), payment.Str("amount"), payment.Str("instanceId")));
        var orderId = payment.Str("orderId");
        Assert.Equal((1000L, 300L, 200L, 500L), PurchaseOrder(accountId, orderId));
        Assert.Equal([("CouponUse", -300L), ("Payment", 500L), ("Charge", -700L)],
            Ledger(orderId).OrderBy(l => l.Kind == "CouponUse" ? 0 : l.Kind == "Payment" ? 1 : 2));
        var instance = await client.Get($"/v1/instances/{id}");
        Assert.Equal((200, BoughtUntil, "false"), (instance.Status, instance.Body.Str("expiresAt"), instance.Body.Str("paymentPending")));
        var account = await client.Get("/v1/account");
        Assert.Equal(("0", "0"), (account.Body.Str("balance"), account.Body!["coupons"]![0].Str("remaining")));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R2_R7_9_a_soft_decline_of_a_purchase_answers_402_and_creates_nothing()
    {
        var (client, accountId, _, _) = await Customer(98); // the card is asked for 902
        var declined = await client.Post("/v1/instances", SmallMonth);
        Assert.Equal((402, "payment-declined"), (declined.Status, declined.Body.Str("code")));
        Assert.Contains("insufficient funds on the card", declined.Body.Str("detail"), StringComparison.Ordinal);
        var payment = Assert.Single((await client.Get("/v1/payments")).Body!["items"]!.AsArray());
        Assert.Equal(("declined", "902"), (payment.Str("status"), payment.Str("amount")));
        var missing = await client.Get($"/v1/instances/{payment.Str("instanceId")}");
        Assert.Equal((404, "not-found"), (missing.Status, missing.Body.Str("code")));
        Assert.Single((await client.Get("/v1/instances")).Body!["items"]!.AsArray());
        var account = await client.Get("/v1/account");
        Assert.Equal(("98", "active"), (account.Body.Str("balance"), account.Body.Str("paymentMethod.status")));
        Assert.Equal(1, Purchases(accountId));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R2_R7_9_a_hard_decline_of_a_purchase_retires_the_card_and_a_later_purchase_pays_from_balance_or_refuses()
    {
        var (client, accountId, _, _) = await Customer(99); // the card is asked for 901: card expired
        var declined = await client.Post("/v1/instances", SmallMonth);
        Assert.Equal((402, "payment-declined"), (declined.Status, declined.Body.Str("code")));
        Assert.Contains("card expired", declined.Body.Str("detail"), StringComparison.Ordinal);
        Assert.Equal(("declinedHard", "99"), ((await client.Get("/v1/account")).Body.Str("paymentMethod.status"),
            (await client.Get("/v1/account")).Body.Str("balance")));
        var kinds = (await client.Get("/v1/notifications")).Body!["items"]!.AsArray().Select(n => n!["kind"]!.ToString());
        Assert.Contains("paymentMethodNeedsUpdate", kinds);

        var refused = await client.Post("/v1/instances", SmallMonth);
        Assert.Equal((402, "insufficient-funds"), (refused.Status, refused.Body.Str("code")));
        await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount = 901 });
        var bought = await client.Post("/v1/instances", SmallMonth);
        Assert.Equal((201, BoughtUntil, "0"), (bought.Status, bought.Body.Str("expiresAt"), bought.Body.Str("order.paidByPaymentMethod")));
        Assert.Single((await client.Get("/v1/payments")).Body!["items"]!.AsArray());
        Assert.Equal(2, Purchases(accountId));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R2_1_R7_10_a_pending_purchase_answers_202_and_once_paid_days_later_expires_as_bought_at_the_request()
    {
        var (client, accountId, clockId, _) = await Customer(97); // the card is asked for 903: pending
        const string key = "buy-pending";
        var accepted = await client.Post("/v1/instances", SmallMonth, idempotencyKey: key);
        Assert.Equal((202, "pending"), (accepted.Status, accepted.Body.Str("status")));
        var paymentId = accepted.Body.Str("paymentId");
        Assert.Equal($"/v1/payments/{paymentId}", accepted.Response.Headers.Location?.OriginalString);
        var payment = await client.Get($"/v1/payments/{paymentId}");
        Assert.Equal(("pending", "903"), (payment.Body.Str("status"), payment.Body.Str("amount")));
        var id = payment.Body.Str("instanceId");
        var waiting = await client.Get($"/v1/instances/{id}");
        Assert.Equal((404, "not-found"), (waiting.Status, waiting.Body.Str("code")));
        Assert.Contains($"awaits its payment {paymentId}", waiting.Body.Str("detail"), StringComparison.Ordinal);
        Assert.Equal("97", (await client.Get("/v1/account")).Body.Str("balance"));
        var replay = await client.Post("/v1/instances", SmallMonth, idempotencyKey: key);
        Assert.Equal((202, paymentId), (replay.Status, replay.Body.Str("paymentId")));

        // Paid on 2019-02-01 10:00 local: a purchase made then would expire 2019-03-02 00:00 local; this one was asked for on 01-29.
        await Advance(clockId, "2019-02-01T02:00:00Z");
        Assert.Equal(200, (await server.PostPaymentResult(paymentId, """{"status":"succeeded"}""")).Status);
        var instance = await client.Get($"/v1/instances/{id}");
        Assert.Equal((200, BoughtUntil, "2019-01-29T02:00:00Z"),
            (instance.Status, instance.Body.Str("expiresAt"), instance.Body.Str("createdAt")));
        var paid = await client.Get($"/v1/payments/{paymentId}");
        Assert.Equal(("succeeded", id), (paid.Body.Str("status"), paid.Body.Str("instanceId")));
        Assert.Equal((1000L, 0L, 97L, 903L), PurchaseOrder(accountId, paid.Body.Str("orderId")));
        Assert.Equal(2, Purchases(accountId));
        Assert.Single(server.Gateway.Charges, c => c.PaymentId == paymentId);
        Assert.Equal("0", (await client.Get("/v1/account")).Body.Str("balance"));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R2_R7_11_the_replay_of_a_card_paid_purchase_gives_its_answer_and_charges_the_card_once()
    {
        var (client, accountId, _, _) = await Customer(200); // the card is asked for 800
        const string key = "buy-once";
        var first = await client.Post("/v1/instances", SmallMonth, idempotencyKey: key);
        Assert.Equal((201, "800"), (first.Status, first.Body.Str("order.paidByPaymentMethod")));
        var again = await client.Post("/v1/instances", SmallMonth, idempotencyKey: key);
        Assert.Equal((201, first.Body!.ToJsonString()), (again.Status, again.Body!.ToJsonString()));
        Assert.True(again.Response.Headers.Contains("Idempotent-Replayed"));
        var payment = Assert.Single((await client.Get("/v1/payments")).Body!["items"]!.AsArray());
        Assert.Single(server.Gateway.Charges, c => c.PaymentId == payment.Str("id"));
        Assert.Equal((1000L, 0L, 200L, 800L), PurchaseOrder(accountId, payment.Str("orderId")));
        Assert.Equal(2, (await client.Get("/v1/instances")).Body!["items"]!.AsArray().Count);
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R13_4_R7_8_a_purchase_quote_counts_the_card_and_its_quote_id_pays_by_card()
    {
        var (client, accountId, _, _) = await Customer(98);
        var quote = await client.Post("/v1/instances", new
        {
            product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription", periodMonths = 1, quoteOnly = true,
        });
        Assert.Equal((200, "1000", "1000", "0", BoughtUntil), (quote.Status, quote.Body.Str("amount"), quote.Body.Str("covered"),
            quote.Body.Str("shortfall"), quote.Body.Str("newExpiresAt")));
        await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount = 2 }); // the card is asked for 900
        var bought = await client.Post("/v1/instances", new
        {
            product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription", periodMonths = 1,
            quoteId = quote.Body.Str("quoteId"),
        });
        Assert.Equal((201, "900"), (bought.Status, bought.Body.Str("order.paidByPaymentMethod")));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R8_4_R7_11_unsubscribing_a_purchase_paid_by_balance_and_card_refunds_each_part_to_its_source_rounded_down()
    {
        // RocketMQ Platinum (300,000) bought 2019-03-01 10:00 local (expires 04-02) with 100,001 of balance and 199,999 of card;
        // unsubscribed 03-10 10:00: D = 32, U = 22, so floor(100001 × 22 / 32) = 68,750 to the balance and
        // floor(199999 × 22 / 32) = 137,499 to the card.
        if (server.SkipReason is { } reason) Assert.Skip(reason);
        var clockId = (await _operator.Post("/v1/test-clocks", new { frozenTime = "2019-03-01T02:00:00Z" })).Body.Str("id");
        var account = await _operator.Post("/v1/accounts", new { name = "R", email = "r@example.com", testClockId = clockId });
        var accountId = account.Body.Str("id");
        await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount = 100_001 });
        await SetCard(accountId);
        using var client = server.Client(account.Body.Str("apiKey"));
        var bought = await client.Post("/v1/instances", new
        {
            product = "rocketmq", region = "cn-hangzhou", spec = "rocketmq.platinum.2k", chargeType = "subscription", periodMonths = 1,
        });
        Assert.Equal((201, "2019-04-01T16:00:00Z", "199999"),
            (bought.Status, bought.Body.Str("expiresAt"), bought.Body.Str("order.paidByPaymentMethod")));
        var id = bought.Body.Str("id");
        var paid = Assert.Single((await client.Get("/v1/payments")).Body!["items"]!.AsArray());
        await Advance(clockId, "2019-03-10T02:00:00Z");
        var done = await client.Post($"/v1/instances/{id}/unsubscribe");
        Assert.Equal((200, "68750", "137499"), (done.Status, done.Body.Str("refund"), done.Body.Str("refundToPaymentMethod")));
        Assert.Equal("68750", (await client.Get("/v1/account")).Body.Str("balance"));
        for (var i = 0; i < 200 && server.Gateway.Refunds.All(r => r.PaymentId != paid.Str("id")); i++)
            await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Equal(137_499, Assert.Single(server.Gateway.Refunds, r => r.PaymentId == paid.Str("id")).Amount);
        for (var i = 0; i < 100; i++)
        {
            using var session = server.Db.BeginRead();
            if (session.MethodRefunds(accountId) is [(_, 137_499, "succeeded")]) break;
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        using (var session = server.Db.BeginRead())
            Assert.Equal([(paid.Str("id"), 137_499L, "succeeded")], session.MethodRefunds(accountId));
        Assert.Empty(Verifier.Check(server.Db));
    }
}
