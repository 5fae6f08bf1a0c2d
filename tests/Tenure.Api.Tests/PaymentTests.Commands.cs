using Tenure.Storage;

namespace Tenure.Api.Tests;

/// <summary>
/// R7.8–R7.11 for commands: a manual renewal takes coupons, then balance, then the card, and is applied only once the
/// card paid. The customer's ecs.small expires 2019-03-30 00:00 local, so a 1-month renewal on 2019-01-29 costs 1,000
/// and runs to 2019-04-30 00:00 local (2019-04-29T16:00:00Z).
/// </summary>
public abstract partial class PaymentTests
{
    private const string Renewed = "2019-04-29T16:00:00Z";

    [Fact]
    public async Task R7_8_a_manual_renewal_is_paid_by_coupon_balance_and_card_with_exact_amounts_in_one_order()
    {
        var (client, accountId, _, id) = await Customer(200);
        await _operator.Post($"/v1/accounts/{accountId}/coupons",
            new { amount = 300, expiresAt = "2019-12-31T16:00:00Z", product = "ecs" });
        var renewed = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 });
        Assert.Equal(200, renewed.Status);
        Assert.Equal((Renewed, "1000", "300", "200", "500"), (renewed.Body.Str("newExpiresAt"), renewed.Body.Str("amount"),
            renewed.Body.Str("paidByCoupons"), renewed.Body.Str("paidByBalance"), renewed.Body.Str("paidByPaymentMethod")));
        Assert.Equal(("Renewal", 1000L, 300L, 200L, 500L), RenewalOrder(accountId, out var orderId));
        Assert.Equal(orderId, renewed.Body.Str("orderId"));
        Assert.Equal([("CouponUse", -300L), ("Payment", 500L), ("Charge", -700L)],
            Ledger(orderId).OrderBy(l => l.Kind == "CouponUse" ? 0 : l.Kind == "Payment" ? 1 : 2));
        var paid = Assert.Single((await client.Get("/v1/payments")).Body!["items"]!.AsArray());
        Assert.Equal(("succeeded", "500", orderId), (paid.Str("status"), paid.Str("amount"), paid.Str("orderId")));
        var instance = await client.Get($"/v1/instances/{id}");
        Assert.Equal((Renewed, "false"), (instance.Body.Str("expiresAt"), instance.Body.Str("paymentPending")));
        Assert.Equal("0", (await client.Get("/v1/account")).Body.Str("balance"));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R7_9_a_soft_decline_of_a_manual_renewal_answers_402_and_applies_nothing()
    {
        var (client, accountId, _, id) = await Customer(98); // the card is asked for 902
        var declined = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 });
        Assert.Equal((402, "payment-declined"), (declined.Status, declined.Body.Str("code")));
        Assert.Contains("insufficient funds on the card", declined.Body.Str("detail"), StringComparison.Ordinal);
        var instance = await client.Get($"/v1/instances/{id}");
        Assert.Equal(("2019-03-29T16:00:00Z", "false"), (instance.Body.Str("expiresAt"), instance.Body.Str("paymentPending")));
        var account = await client.Get("/v1/account");
        Assert.Equal(("98", "active"), (account.Body.Str("balance"), account.Body.Str("paymentMethod.status")));
        using (var session = server.Db.BeginRead()) Assert.DoesNotContain(session.PaymentOrders(accountId), o => o.Kind == "Renewal");
        var payment = Assert.Single((await client.Get("/v1/payments")).Body!["items"]!.AsArray());
        Assert.Equal(("declined", "902"), (payment.Str("status"), payment.Str("amount")));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R7_9_a_hard_decline_of_a_manual_renewal_retires_the_card_and_a_later_renewal_pays_from_balance_or_refuses()
    {
        var (client, accountId, _, id) = await Customer(99); // the card is asked for 901: card expired
        var declined = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 });
        Assert.Equal((402, "payment-declined"), (declined.Status, declined.Body.Str("code")));
        Assert.Contains("card expired", declined.Body.Str("detail"), StringComparison.Ordinal);
        Assert.Equal("declinedHard", (await client.Get("/v1/account")).Body.Str("paymentMethod.status"));

        var refused = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 });
        Assert.Equal((402, "insufficient-funds"), (refused.Status, refused.Body.Str("code")));
        await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount = 901 });
        var renewed = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 });
        Assert.Equal((200, Renewed), (renewed.Status, renewed.Body.Str("newExpiresAt")));
        Assert.Equal(("Renewal", 1000L, 0L, 1000L, 0L), RenewalOrder(accountId, out _));
        Assert.Single((await client.Get("/v1/payments")).Body!["items"]!.AsArray());
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R7_10_a_pending_card_payment_answers_202_and_renews_once_from_E_when_it_succeeds()
    {
        var (client, accountId, _, id) = await Customer(97); // the card is asked for 903: pending
        var key = $"renew-{id}";
        var accepted = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 }, idempotencyKey: key);
        Assert.Equal((202, "pending"), (accepted.Status, accepted.Body.Str("status")));
        var paymentId = accepted.Body.Str("paymentId");
        Assert.Equal($"/v1/payments/{paymentId}", accepted.Response.Headers.Location?.OriginalString);
        var payment = await client.Get($"/v1/payments/{paymentId}");
        Assert.Equal((200, "pending", "903"), (payment.Status, payment.Body.Str("status"), payment.Body.Str("amount")));
        Assert.Equal(404, (await client.Get("/v1/payments/pay-missing")).Status);
        var instance = await client.Get($"/v1/instances/{id}");
        Assert.Equal(("2019-03-29T16:00:00Z", "true"), (instance.Body.Str("expiresAt"), instance.Body.Str("paymentPending")));
        var busy = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 });
        Assert.Equal((409, "invalid-state"), (busy.Status, busy.Body.Str("code")));

        var replay = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 }, idempotencyKey: key);
        Assert.Equal((202, paymentId), (replay.Status, replay.Body.Str("paymentId")));
        Assert.Equal((200, "succeeded"), ((await server.PostPaymentResult(paymentId, """{"status":"succeeded"}""")).Status, "succeeded"));
        instance = await client.Get($"/v1/instances/{id}");
        Assert.Equal((Renewed, "false"), (instance.Body.Str("expiresAt"), instance.Body.Str("paymentPending")));
        Assert.Equal(("Renewal", 1000L, 0L, 97L, 903L), RenewalOrder(accountId, out var orderId));
        Assert.Equal(orderId, (await client.Get($"/v1/payments/{paymentId}")).Body.Str("orderId"));
        Assert.Single(server.Gateway.Charges, c => c.PaymentId == paymentId);
        Assert.Single(await Events(client, id), e => e.EndsWith("renewed", StringComparison.Ordinal));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R7_11_the_replay_of_a_card_paid_renewal_gives_its_answer_and_charges_the_card_once()
    {
        var (client, accountId, _, id) = await Customer(200); // the card is asked for 800
        var key = $"renew-{id}";
        var first = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 }, idempotencyKey: key);
        Assert.Equal((200, "800"), (first.Status, first.Body.Str("paidByPaymentMethod")));
        var again = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 }, idempotencyKey: key);
        Assert.Equal((200, first.Body!.ToJsonString()), (again.Status, again.Body!.ToJsonString()));
        Assert.True(again.Response.Headers.Contains("Idempotent-Replayed"));
        var payment = Assert.Single((await client.Get("/v1/payments")).Body!["items"]!.AsArray());
        Assert.Single(server.Gateway.Charges, c => c.PaymentId == payment.Str("id"));
        Assert.Equal(("Renewal", 1000L, 0L, 200L, 800L), RenewalOrder(accountId, out _));
        Assert.Equal(Renewed, (await client.Get($"/v1/instances/{id}")).Body.Str("expiresAt"));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R7_8_a_renewal_quote_counts_an_active_card_as_covering_the_rest()
    {
        var (client, accountId, _, id) = await Customer(98);
        var quote = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1, quoteOnly = true });
        Assert.Equal((200, "1000", "1000", "0", Renewed), (quote.Status, quote.Body.Str("amount"), quote.Body.Str("covered"),
            quote.Body.Str("shortfall"), quote.Body.Str("newExpiresAt")));
        var batch = await client.Post("/v1/renewals/quote", new { items = new[] { new { instanceId = id, periodMonths = 1 } } });
        Assert.Equal(("1000", "0"), (batch.Body.Str("covered"), batch.Body.Str("shortfall")));
        // A purchase counts the card as renewals do (R2, R7.8).
        var buy = await client.Post("/v1/instances", new
        {
            product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription", periodMonths = 1, quoteOnly = true,
        });
        Assert.Equal(("1000", "0"), (buy.Body.Str("covered"), buy.Body.Str("shortfall")));
        await _operator.Send(HttpMethod.Delete, $"/v1/accounts/{accountId}/payment-method");
        quote = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1, quoteOnly = true });
        Assert.Equal(("98", "902"), (quote.Body.Str("covered"), quote.Body.Str("shortfall")));
        Assert.Empty((await client.Get("/v1/payments")).Body!["items"]!.AsArray());
    }

    [Fact]
    public async Task R7_5_R7_8_a_batch_of_3_renewals_paid_partly_by_card_is_one_order_with_one_payment()
    {
        // Three ecs.small expiring 2019-03-30 00:00 local: 3 × 1,000, of which coupons pay 300, the balance 500 and the card 2,200.
        var (client, accountId, _, first) = await Customer(500);
        await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount = 4000 });
        var small = new { product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription", periodMonths = 2 };
        string[] ids = [first, .. await Task.WhenAll(Enumerable.Range(0, 2)
            .Select(async _ => (await client.Post("/v1/instances", small)).Body.Str("id")))];
        Assert.Equal("500", (await client.Get("/v1/account")).Body.Str("balance"));
        await _operator.Post($"/v1/accounts/{accountId}/coupons",
            new { amount = 300, expiresAt = "2019-12-31T16:00:00Z", product = "ecs" });
        var items = ids.Select(id => new { instanceId = id, periodMonths = 1 }).ToArray();
        var quote = await client.Post("/v1/renewals/quote", new { items });
        Assert.Equal(("3000", "3000", "0"), (quote.Body.Str("total"), quote.Body.Str("covered"), quote.Body.Str("shortfall")));
        var paid = await client.Post("/v1/renewals", new { items, quoteId = quote.Body.Str("quoteId") });
        Assert.Equal(200, paid.Status);
        Assert.Equal(("3000", "300", "500", "2200"), (paid.Body.Str("total"), paid.Body.Str("paidByCoupons"),
            paid.Body.Str("paidByBalance"), paid.Body.Str("paidByPaymentMethod")));
        Assert.Equal(("Renewal", 3000L, 300L, 500L, 2200L), RenewalOrder(accountId, out var orderId));
        Assert.Equal(paid.Body.Str("orderId"), orderId);
        var payment = Assert.Single((await client.Get("/v1/payments")).Body!["items"]!.AsArray());
        Assert.Equal(("succeeded", "2200", orderId), (payment.Str("status"), payment.Str("amount"), payment.Str("orderId")));
        Assert.Single(server.Gateway.Charges, c => c.PaymentId == payment.Str("id"));
        foreach (var id in ids)
        {
            var instance = await client.Get($"/v1/instances/{id}");
            Assert.Equal((Renewed, "false"), (instance.Body.Str("expiresAt"), instance.Body.Str("paymentPending")));
        }

        Assert.Equal("0", (await client.Get("/v1/account")).Body.Str("balance"));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R7_5_R7_10_a_pending_batch_payment_holds_every_instance_and_its_result_renews_them_all_once()
    {
        // Two ecs.small: 2,000, of which the balance pays 1,097 and the card is asked for 903 (pending).
        var (client, accountId, _, first) = await Customer(1097);
        await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount = 2000 });
        var second = (await client.Post("/v1/instances",
            new { product = "ecs", region = "cn-hangzhou", spec = "ecs.small", chargeType = "subscription", periodMonths = 2 }))
            .Body.Str("id");
        var items = new[] { new { instanceId = second, periodMonths = 1 }, new { instanceId = first, periodMonths = 1 } };
        var accepted = await client.Post("/v1/renewals", new { items });
        Assert.Equal((202, "pending"), (accepted.Status, accepted.Body.Str("status")));
        var paymentId = accepted.Body.Str("paymentId");
        foreach (var id in new[] { first, second })
            Assert.Equal("true", (await client.Get($"/v1/instances/{id}")).Body.Str("paymentPending"));
        Assert.Equal((200, "succeeded"), ((await server.PostPaymentResult(paymentId, """{"status":"succeeded"}""")).Status, "succeeded"));
        foreach (var id in new[] { first, second })
        {
            var instance = await client.Get($"/v1/instances/{id}");
            Assert.Equal((Renewed, "false"), (instance.Body.Str("expiresAt"), instance.Body.Str("paymentPending")));
            Assert.Single(await Events(client, id), e => e.EndsWith("renewed", StringComparison.Ordinal));
        }

        Assert.Equal(("Renewal", 2000L, 0L, 1097L, 903L), RenewalOrder(accountId, out _));
        Assert.Empty(Verifier.Check(server.Db));
    }
    private (long Total, long Coupons, long Balance, long Method) UnifyOrder(string accountId)
    {
        using var session = server.Db.BeginRead();
        var order = Assert.Single(session.PaymentOrders(accountId), o => o.Kind == "UnifyExpiry");
        return (order.Total, order.PaidByCoupons, order.PaidByBalance, order.PaidByMethod);
    }

    [Fact]
    public async Task R8_3_R7_8_a_unified_expiry_is_paid_by_balance_and_card_in_one_order_and_its_quote_counts_the_card()
    {
        // Expiry 2019-03-30 local to day 15: 16 days, ceil(1,000 × 16 / 30) = 534, of which the balance pays 100 and the card 434.
        var (client, accountId, _, id) = await Customer(100);
        var body = new { instanceIds = new[] { id }, dayOfMonth = 15, quoteOnly = true };
        var quote = await client.Post("/v1/renewals/unify-expiry", body);
        Assert.Equal(("534", "534", "0"), (quote.Body.Str("total"), quote.Body.Str("covered"), quote.Body.Str("shortfall")));
        var done = await client.Post("/v1/renewals/unify-expiry", body with { quoteOnly = false });
        Assert.Equal(200, done.Status);
        Assert.Equal(("2019-04-14T16:00:00Z", "false"), ((await client.Get($"/v1/instances/{id}")).Body.Str("expiresAt"),
            (await client.Get($"/v1/instances/{id}")).Body.Str("paymentPending")));
        Assert.Equal((534L, 0L, 100L, 434L), UnifyOrder(accountId));
        Assert.Equal("0", (await client.Get("/v1/account")).Body.Str("balance"));
        var payment = Assert.Single((await client.Get("/v1/payments")).Body!["items"]!.AsArray());
        Assert.Equal(("succeeded", "434"), (payment.Str("status"), payment.Str("amount")));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R8_3_R7_10_a_unified_expiry_whose_card_payment_is_pending_answers_202_and_moves_the_expiry_once_it_succeeds()
    {
        var (client, accountId, _, id) = await Customer(131); // the card is asked for 534 - 131 = 403: pending
        var accepted = await client.Post("/v1/renewals/unify-expiry", new { instanceIds = new[] { id }, dayOfMonth = 15 });
        Assert.Equal((202, "pending"), (accepted.Status, accepted.Body.Str("status")));
        var paymentId = accepted.Body.Str("paymentId");
        Assert.Equal(("2019-03-29T16:00:00Z", "true"), ((await client.Get($"/v1/instances/{id}")).Body.Str("expiresAt"),
            (await client.Get($"/v1/instances/{id}")).Body.Str("paymentPending")));
        var busy = await client.Post("/v1/renewals/unify-expiry", new { instanceIds = new[] { id }, dayOfMonth = 15 });
        Assert.Equal((409, "invalid-state"), (busy.Status, busy.Body.Str("code")));
        Assert.Equal(200, (await server.PostPaymentResult(paymentId, """{"status":"succeeded"}""")).Status);
        Assert.Equal("2019-04-14T16:00:00Z", (await client.Get($"/v1/instances/{id}")).Body.Str("expiresAt"));
        Assert.Equal((534L, 0L, 131L, 403L), UnifyOrder(accountId));
        Assert.Empty(Verifier.Check(server.Db));
    }
    [Fact]
    public async Task R6_2_R7_8_an_upgrade_is_paid_by_balance_and_card_in_one_order()
    {
        // ecs.small → ecs.medium with 60 days left (2019-01-29 10:00 to 2019-03-30 00:00, rounded up): ceil(1,000 × 60 / 30) = 2,000,
        // of which the balance pays 500 and the card 1,500.
        var (client, accountId, _, id) = await Customer(500);
        var quote = await client.Post($"/v1/instances/{id}/spec-change", new { spec = "ecs.medium", quoteOnly = true });
        Assert.Equal(("2000", "2000", "0"), (quote.Body.Str("amount"), quote.Body.Str("covered"), quote.Body.Str("shortfall")));
        var done = await client.Post($"/v1/instances/{id}/spec-change", new { spec = "ecs.medium" });
        Assert.Equal((200, "ecs.medium", "false"), (done.Status, done.Body.Str("spec"), done.Body.Str("paymentPending")));
        using (var session = server.Db.BeginRead())
        {
            var order = Assert.Single(session.PaymentOrders(accountId), o => o.Kind == "Upgrade");
            Assert.Equal((2000L, 0L, 500L, 1500L), (order.Total, order.PaidByCoupons, order.PaidByBalance, order.PaidByMethod));
        }

        Assert.Equal("0", (await client.Get("/v1/account")).Body.Str("balance"));

        // R7.11: the upgrade's payment pays the days from its request, not the cycle from E, so the card can then renew from E
        // (ecs.medium, 2,000 a month, all by card) without the two payments counting as one cycle paid twice.
        var renewed = await client.Post($"/v1/instances/{id}/renew", new { periodMonths = 1 });
        Assert.Equal((200, "2000"), (renewed.Status, renewed.Body.Str("paidByPaymentMethod")));
        Assert.Empty(Verifier.Check(server.Db));
    }

    [Fact]
    public async Task R6_2_R7_9_a_declined_upgrade_answers_402_and_changes_nothing()
    {
        var (client, _, _, id) = await Customer(498); // the card is asked for 2,000 - 498 = 1,502: soft decline
        var declined = await client.Post($"/v1/instances/{id}/spec-change", new { spec = "ecs.medium" });
        Assert.Equal((402, "payment-declined"), (declined.Status, declined.Body.Str("code")));
        var instance = await client.Get($"/v1/instances/{id}");
        Assert.Equal(("ecs.small", "false"), (instance.Body.Str("spec"), instance.Body.Str("paymentPending")));
        Assert.Equal("498", (await client.Get("/v1/account")).Body.Str("balance"));
        Assert.Empty(Verifier.Check(server.Db));
    }
}
