using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Payments;
using Tenure.Domain.Purchases;

namespace Tenure.Domain.Tests;

/// <summary>
/// R2, R7.8–R7.11 for a purchase: an ecs.small (1,000 a month) bought for 1 month on 2019-01-29 10:00 local with a coupon of
/// 300, a balance of 200 and a card: the decision creates nothing and asks the card for 500; the payment's result, settled
/// on 2019-02-01 10:00, buys as the request would have (expiry 2019-03-01 00:00 local, not 2019-03-02).
/// </summary>
public sealed class PurchasePaymentTests
{
    private static readonly NodaTime.Instant Requested = Given.Local("2019-01-29 10:00");
    private static readonly NodaTime.Instant Settled = Given.Local("2019-02-01 10:00");

    private static readonly PurchaseRequest Small = new(
        new InstanceId("i-new"), "ecs", "cn-hangzhou", null, "ecs.small", ChargeType.Subscription, 1, AutoRenew: true);

    private static readonly Account Carded = Given.Account(200, false, Given.Coupon("c-1", 300, "2019-12-31 00:00", "ecs")) with
    {
        Method = new PaymentMethod("tok", "Visa •••• 4242"),
    };

    private static PurchaseIntent Asked(out long amount)
    {
        var payment = Purchase.Buy(Given.Rules, Carded, Small, Requested).Value.Effects.Payment!;
        amount = payment.Amount;
        return payment.Purchase!;
    }

    [Fact]
    public void R2_R7_9_a_purchase_the_card_pays_part_of_creates_nothing_and_asks_for_that_part_with_the_purchase_as_intent()
    {
        var asked = Purchase.Buy(Given.Rules, Carded, Small, Requested).Value;

        Assert.Empty(asked.Instances);
        Assert.Null(asked.Effects.Order);
        Assert.Empty(asked.Effects.Ledger);
        Assert.Empty(asked.Effects.Events);
        var payment = asked.Effects.Payment!;
        Assert.Equal((500L, "i-new", Requested), (payment.Amount, payment.InstanceId.Value, payment.PeriodStart));
        Assert.Equal(new PurchaseIntent(Small, 1000, Requested), payment.Purchase);
        Assert.Equal((200L, 300L), (asked.Account.Balance, asked.Account.Coupons[0].Remaining));
    }

    [Fact]
    public void R2_1_R7_9_its_success_creates_the_instance_as_bought_at_the_request_with_one_order_split_coupon_balance_and_card()
    {
        var intent = Asked(out var amount);
        var bought = Purchase.Settle(Given.Rules, Carded, intent, amount, PaymentResult.Succeeded, Settled);

        var instance = bought.Instance;
        Assert.Equal(("i-new", "2019-03-01 00:00", "2019-01-29 10:00"),
            (instance.Id.Value, Given.Show(instance.Expiry), Given.Show(instance.CreatedAt)));
        Assert.Equal((RenewalMode.Auto, 1, Requested), (instance.Mode, instance.AutoRenewMonths, instance.CycleStart));
        Assert.Equal((200L, 500L), (instance.CycleCash, instance.CycleMethod));
        var order = bought.Effects.Order!;
        Assert.Equal((OrderKind.Purchase, 1000L, 300L, 200L, 500L),
            (order.Kind, order.Total, order.PaidByCoupons, order.PaidByBalance, order.PaidByMethod));
        Assert.Equal(Requested, Assert.Single(order.Items).PeriodStart);
        Assert.Equal([(LedgerKind.Payment, 500L), (LedgerKind.CouponUse, -300L), (LedgerKind.Charge, -700L)],
            bought.Effects.Ledger.Select(l => (l.Kind, l.Amount)));
        Assert.Equal((0L, 0L), (bought.Account.Balance, bought.Account.Coupons[0].Remaining));
    }

    [Fact]
    public void R7_3_R7_9_a_coupon_granted_while_the_card_pays_covers_only_what_the_card_leaves_and_no_part_is_negative()
    {
        // The card was asked for 500 of 1,000 (coupon 300, balance 200); a coupon of 400 comes in before the payment succeeds.
        var intent = Asked(out var amount);
        var granted = Carded with { Coupons = Carded.Coupons.Add(Given.Coupon("c-2", 400, "2020-06-30 00:00", "ecs")) };
        var bought = Purchase.Settle(Given.Rules, granted, intent, amount, PaymentResult.Succeeded, Settled);

        var order = bought.Effects.Order!;
        Assert.Equal((1000L, 500L, 0L, 500L), (order.Total, order.PaidByCoupons, order.PaidByBalance, order.PaidByMethod));
        Assert.Equal((0L, 500L), (bought.Instance.CycleCash, bought.Instance.CycleMethod));
        Assert.Equal(
            [(LedgerKind.Payment, 500L), (LedgerKind.CouponUse, -300L), (LedgerKind.CouponUse, -200L), (LedgerKind.Charge, -500L)],
            bought.Effects.Ledger.Select(l => (l.Kind, l.Amount)));
        Assert.Equal((200L, 0L, 200L), (bought.Account.Balance, bought.Account.Coupons[0].Remaining, bought.Account.Coupons[1].Remaining));
    }

    [Fact]
    public void R2_R7_9_a_soft_decline_creates_nothing_and_takes_nothing()
    {
        var intent = Asked(out var amount);
        var declined = Purchase.Settle(
            Given.Rules, Carded, intent, amount, new PaymentResult(PaymentStatus.Declined, "insufficient funds on the card"), Settled);

        Assert.Empty(declined.Instances);
        Assert.Equal(Effects.None, declined.Effects);
        Assert.Same(Carded, declined.Account);
    }

    [Fact]
    public void R2_R7_9_a_hard_decline_creates_nothing_and_retires_the_card_with_a_notice()
    {
        var intent = Asked(out var amount);
        var declined = Purchase.Settle(
            Given.Rules, Carded, intent, amount, new PaymentResult(PaymentStatus.Declined, "card expired", Hard: true), Settled);

        Assert.Empty(declined.Instances);
        Assert.Null(declined.Effects.Order);
        Assert.True(declined.Effects.MethodDeclinedHard);
        Assert.Equal((PaymentMethodStatus.DeclinedHard, 200L), (declined.Account.Method!.Status, declined.Account.Balance));
        var notice = Assert.Single(declined.Effects.Notices);
        Assert.Equal((NoticeKind.PaymentMethodNeedsUpdate, "card expired"), (notice.Kind, notice.Data.DeclineReason));
        var refused = Purchase.Buy(Given.Rules, declined.Account, Small, Settled);
        Assert.Equal(RefusalCode.InsufficientFunds, refused.Refusal?.Code);
    }

    [Fact]
    public void R7_11_a_success_when_the_balance_no_longer_pays_its_part_creates_nothing_and_is_refunded_whole()
    {
        var intent = Asked(out var amount);
        var spent = Carded with { Balance = 100 };
        var refunded = Purchase.Settle(Given.Rules, spent, intent, amount, PaymentResult.Succeeded, Settled);

        Assert.Empty(refunded.Instances);
        Assert.Null(refunded.Effects.Order);
        var refund = Assert.Single(refunded.Effects.MethodRefunds);
        Assert.Equal((500L, true, Requested), (refund.Amount, refund.OfSettledPayment, refund.PeriodStart));
        Assert.Equal(NoticeKind.PaymentRefunded, Assert.Single(refunded.Effects.Notices).Kind);
        Assert.Equal(100, refunded.Account.Balance);
    }

    [Fact]
    public void R7_11_a_success_when_the_price_changed_is_refunded_whole()
    {
        var intent = Asked(out var amount) with { Total = 900 };
        var refunded = Purchase.Settle(Given.Rules, Carded, intent, amount, PaymentResult.Succeeded, Settled);

        Assert.Empty(refunded.Instances);
        Assert.Equal(500L, Assert.Single(refunded.Effects.MethodRefunds).Amount);
    }

    [Fact]
    public void R7_3_a_purchase_coupons_and_balance_pay_whole_asks_nothing_of_the_card()
    {
        var rich = Carded with { Balance = 700 };
        var bought = Purchase.Buy(Given.Rules, rich, Small, Requested).Value;

        Assert.Null(bought.Effects.Payment);
        Assert.Equal((300L, 700L, 0L), (bought.Effects.Order!.PaidByCoupons, bought.Effects.Order.PaidByBalance,
            bought.Effects.Order.PaidByMethod));
        Assert.Equal((700L, 0L), (bought.Instance.CycleCash, bought.Instance.CycleMethod));
    }
}
