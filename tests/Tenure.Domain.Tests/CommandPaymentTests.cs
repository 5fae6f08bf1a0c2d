using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Domain.Payments;
using Tenure.Domain.Renewals;

namespace Tenure.Domain.Tests;

/// <summary>
/// R7.8–R7.11 for renewal commands: an ecs.small (1,000 a month) expiring 2019-03-30 00:00 local, renewed by hand on
/// 2019-03-20 with 200 of balance and a card: the decision asks the card for 800 and applies nothing; the payment's
/// result is decided by the same decision.
/// </summary>
public sealed class CommandPaymentTests
{
    private static readonly NodaTime.Instant March20 = Given.Local("2019-03-20 10:00");
    private static readonly Instance Ecs = Given.Expiring("ecs", "ecs.small", "2019-03-30");
    private static readonly Account Carded = Given.Account(200) with { Method = new PaymentMethod("tok", "Visa •••• 4242") };

    private static Change Asked() => Renewal.Renew(Given.Rules, Ecs, Carded, 1, March20).Value;

    [Fact]
    public void R7_9_a_renewal_the_card_pays_part_of_asks_for_that_part_and_applies_nothing()
    {
        var asked = Asked();

        Assert.Equal((800L, Ecs.Expiry), (asked.Effects.Payment!.Amount, asked.Effects.Payment.PeriodStart));
        Assert.Null(asked.Effects.Order);
        Assert.Empty(asked.Effects.Ledger);
        Assert.Equal(200, asked.Account.Balance);
        Assert.Equal(Ecs.ExpiresAt, asked.Instance.ExpiresAt);
        Assert.Equal(new PaymentIntent(OrderKind.Renewal, 1, 1000), asked.Instance.PaymentPending!.Intent);
        Assert.Equal(RefusalCode.InvalidState, Renewal.Renew(Given.Rules, asked.Instance, Carded, 1, March20).Refusal?.Code);
    }

    [Fact]
    public void R7_9_its_success_renews_from_E_with_one_order_split_balance_and_card()
    {
        var asked = Asked();
        var settled = Lifecycle.Lifecycle.SettlePayment(
            Given.Rules, [asked.Instance], Carded, PaymentResult.Succeeded, Given.Local("2019-03-20 10:01"))!;

        Assert.Equal("2019-04-30 00:00", Given.Show(settled.Instance.Expiry));
        Assert.Null(settled.Instance.PaymentPending);
        var order = settled.Effects.Order!;
        Assert.Equal((1000L, 0L, 200L, 800L), (order.Total, order.PaidByCoupons, order.PaidByBalance, order.PaidByMethod));
        Assert.Equal([(LedgerKind.Payment, 800L), (LedgerKind.Charge, -1000L)], settled.Effects.Ledger.Select(l => (l.Kind, l.Amount)));
        Assert.Equal(0, settled.Account.Balance);
    }

    [Fact]
    public void R7_9_a_hard_decline_applies_nothing_and_retires_the_card()
    {
        var asked = Asked();
        var declined = Lifecycle.Lifecycle.SettlePayment(Given.Rules, [asked.Instance], Carded,
            new PaymentResult(PaymentStatus.Declined, "card expired", Hard: true), March20)!;

        Assert.Equal((Ecs.ExpiresAt, 200L), (declined.Instance.ExpiresAt, declined.Account.Balance));
        Assert.Null(declined.Effects.Order);
        Assert.True(declined.Effects.MethodDeclinedHard);
        Assert.Equal(PaymentMethodStatus.DeclinedHard, declined.Account.Method!.Status);
    }

    [Fact]
    public void R7_11_a_success_when_the_balance_no_longer_pays_its_part_is_refunded_whole()
    {
        var asked = Asked();
        var spent = Carded with { Balance = 100 };
        var refunded = Lifecycle.Lifecycle.SettlePayment(Given.Rules, [asked.Instance], spent, PaymentResult.Succeeded, March20)!;

        Assert.Null(refunded.Effects.Order);
        Assert.Equal(Ecs.ExpiresAt, refunded.Instance.ExpiresAt);
        var refund = Assert.Single(refunded.Effects.MethodRefunds);
        Assert.Equal((800L, true), (refund.Amount, refund.OfSettledPayment));
        Assert.Equal(100, refunded.Account.Balance);
    }

    [Fact]
    public void R7_3_R7_9_a_coupon_granted_while_the_card_pays_covers_only_what_the_card_leaves_and_no_part_is_negative()
    {
        // The card was asked for 800 of 1,000 with 200 of balance; a coupon of 500 comes in before the payment succeeds.
        var asked = Asked();
        var granted = Carded with { Coupons = [Given.Coupon("c-2", 500, "2019-12-31 00:00", "ecs")] };
        var settled = Lifecycle.Lifecycle.SettlePayment(Given.Rules, [asked.Instance], granted, PaymentResult.Succeeded, March20)!;

        var order = settled.Effects.Order!;
        Assert.Equal((1000L, 200L, 0L, 800L), (order.Total, order.PaidByCoupons, order.PaidByBalance, order.PaidByMethod));
        Assert.Equal([(LedgerKind.Payment, 800L), (LedgerKind.CouponUse, -200L), (LedgerKind.Charge, -800L)],
            settled.Effects.Ledger.Select(l => (l.Kind, l.Amount)));
        Assert.Equal((0L, 800L), (settled.Instance.AheadCycles[0].Cash, settled.Instance.AheadCycles[0].Method));
        Assert.Equal((200L, 300L), (settled.Account.Balance, settled.Account.Coupons[0].Remaining));
    }

    [Fact]
    public void R7_3_R7_9_a_coupon_granted_while_an_auto_renew_payment_is_pending_pays_only_what_the_card_leaves()
    {
        var auto = Given.Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.Auto) with
        {
            PaymentPending = new PendingPayment(800, March20, -10, Ecs.Expiry),
        };
        var granted = Carded with { Coupons = [Given.Coupon("c-2", 500, "2019-12-31 00:00", "ecs")] };
        var settled = Lifecycle.Lifecycle.SettlePayment(Given.Rules, [auto], granted, PaymentResult.Succeeded, March20)!;

        Assert.Equal("2019-04-30 00:00", Given.Show(settled.Instance.Expiry));
        var order = settled.Effects.Order!;
        Assert.Equal((1000L, 200L, 0L, 800L), (order.Total, order.PaidByCoupons, order.PaidByBalance, order.PaidByMethod));
        Assert.Equal(-10, order.AttemptDay);
        Assert.Equal([(LedgerKind.Payment, 800L), (LedgerKind.CouponUse, -200L), (LedgerKind.Charge, -800L)],
            settled.Effects.Ledger.Select(l => (l.Kind, l.Amount)));
        Assert.Equal((200L, 300L), (settled.Account.Balance, settled.Account.Coupons[0].Remaining));
    }

    [Fact]
    public void R7_10_a_manual_renewal_the_balance_pays_whole_is_refused_while_an_auto_renew_payment_is_pending()
    {
        var pending = Ecs with { PaymentPending = new PendingPayment(800, March20, -10, Ecs.Expiry) };
        var rich = Carded with { Balance = 5000 };

        Assert.Equal(RefusalCode.InvalidState, Renewal.Renew(Given.Rules, pending, rich, 1, March20).Refusal?.Code);
        Assert.Equal(RefusalCode.InvalidState, Renewal.RenewBatch(Given.Rules, [(pending, 1)], rich, March20).Refusal?.Code);
    }

    [Fact]
    public void R7_11_an_auto_renew_payment_whose_cycle_moved_before_it_succeeded_is_refunded_whole_and_renews_nothing()
    {
        var renewed = Given.Expiring("ecs", "ecs.small", "2019-04-30") with
        {
            PaymentPending = new PendingPayment(800, March20, -10, Ecs.Expiry),
        };
        var refunded = Lifecycle.Lifecycle.SettlePayment(Given.Rules, [renewed], Carded, PaymentResult.Succeeded, March20)!;

        Assert.Null(refunded.Effects.Order);
        Assert.Equal("2019-04-30 00:00", Given.Show(refunded.Instance.Expiry));
        Assert.Null(refunded.Instance.PaymentPending);
        var refund = Assert.Single(refunded.Effects.MethodRefunds);
        Assert.Equal((800L, true), (refund.Amount, refund.OfSettledPayment));
        Assert.Equal(200, refunded.Account.Balance);
    }

    [Fact]
    public void R6_2_R7_9_an_upgrade_the_card_pays_part_of_asks_for_it_and_its_success_is_one_order_split_balance_and_card()
    {
        // ecs.small → ecs.medium on 2019-03-20 10:00 with 10 days left (rounded up): ceil(1,000 × 10 / 30) = 334; the card pays 134.
        var asked = PlanChanges.SpecChange.Request(Given.Rules, Ecs, Carded, "ecs.medium", March20).Value;
        Assert.Equal((134L, "ecs.small"), (asked.Effects.Payment!.Amount, asked.Instance.Spec));
        // R7.11: it pays the days from the request; the cycle from the expiry is a renewal's to pay.
        Assert.Equal((March20, Ecs.ExpiresAt), (asked.Effects.Payment.PeriodStart, asked.Instance.PaymentPending!.Intent!.Until));
        Assert.Null(asked.Effects.Order);

        var settled = Lifecycle.Lifecycle.SettlePayment(Given.Rules, [asked.Instance], Carded, PaymentResult.Succeeded, March20)!;
        Assert.Equal(("ecs.medium", (PendingPayment?)null), (settled.Instance.Spec, settled.Instance.PaymentPending));
        var order = settled.Effects.Order!;
        Assert.Equal((OrderKind.Upgrade, 334L, 0L, 200L, 134L),
            (order.Kind, order.Total, order.PaidByCoupons, order.PaidByBalance, order.PaidByMethod));
        Assert.Equal(0, settled.Account.Balance);
    }

    [Fact]
    public void R6_2_R7_11_an_upgrade_whose_price_fell_below_the_card_part_while_it_was_paid_is_refunded_whole()
    {
        // Asked on 2019-03-20 at 334 (the card 134); succeeded on 2019-03-28 10:00, when 2 days are left: ceil(1,000 × 2 / 30) = 67.
        var asked = PlanChanges.SpecChange.Request(Given.Rules, Ecs, Carded, "ecs.medium", March20).Value;
        var refunded = Lifecycle.Lifecycle.SettlePayment(
            Given.Rules, [asked.Instance], Carded, PaymentResult.Succeeded, Given.Local("2019-03-28 10:00"))!;

        Assert.Null(refunded.Effects.Order);
        Assert.Equal(("ecs.small", (PendingPayment?)null), (refunded.Instance.Spec, refunded.Instance.PaymentPending));
        var refund = Assert.Single(refunded.Effects.MethodRefunds);
        Assert.Equal((134L, true), (refund.Amount, refund.OfSettledPayment));
        Assert.Equal(200, refunded.Account.Balance);
    }

    [Fact]
    public void R7_5_R7_8_a_batch_asks_one_payment_for_what_coupons_and_balance_leave_and_its_success_is_one_order()
    {
        var second = Given.Expiring("ecs", "ecs.small", "2019-03-30", id: "i-2");
        var asked = Renewal.RenewBatch(Given.Rules, [(Ecs, 1), (second, 1)], Carded, March20).Value;

        var payment = asked.Effects.Payment!;
        Assert.Equal((1800L, "i-1", "i-2"), (payment.Amount, payment.InstanceId.Value, payment.Batch.Single().Value));
        Assert.All(asked.Instances, i => Assert.NotNull(i.PaymentPending));
        Assert.Equal([800L, 1000L], asked.Instances[0].PaymentPending!.Intent!.Items.Select(i => i.FromMethod));
        var settled = Lifecycle.Lifecycle.SettlePayment(Given.Rules, asked.Instances, Carded, PaymentResult.Succeeded, March20)!;

        var order = settled.Effects.Order!;
        Assert.Equal((2000L, 200L, 1800L, 2), (order.Total, order.PaidByBalance, order.PaidByMethod, order.Items.Length));
        Assert.All(settled.Instances, i => Assert.Equal("2019-04-30 00:00", Given.Show(i.Expiry)));
        Assert.Equal([(200L, 800L), (0L, 1000L)], settled.Instances.Select(i => (i.AheadCycles[0].Cash, i.AheadCycles[0].Method)));
    }

    [Fact]
    public void R7_5_R7_9_a_coupon_granted_while_a_batch_is_paid_covers_only_what_the_card_leaves_of_each_item()
    {
        var second = Given.Expiring("ecs", "ecs.small", "2019-03-30", id: "i-2");
        var asked = Renewal.RenewBatch(Given.Rules, [(Ecs, 1), (second, 1)], Carded, March20).Value;
        var granted = Carded with { Coupons = [Given.Coupon("c-2", 500, "2019-12-31 00:00", "ecs")] };
        var settled = Lifecycle.Lifecycle.SettlePayment(Given.Rules, asked.Instances, granted, PaymentResult.Succeeded, March20)!;

        // The card paid 800 of the first and 1,000 of the second: the coupon pays the first's other 200, the balance nothing.
        var order = settled.Effects.Order!;
        Assert.Equal((2000L, 200L, 0L, 1800L), (order.Total, order.PaidByCoupons, order.PaidByBalance, order.PaidByMethod));
        Assert.Equal([(0L, 800L), (0L, 1000L)], settled.Instances.Select(i => (i.AheadCycles[0].Cash, i.AheadCycles[0].Method)));
        Assert.Equal((200L, 300L), (settled.Account.Balance, settled.Account.Coupons[0].Remaining));
    }

    [Fact]
    public void R7_8_R8_7_the_forecast_counts_an_active_card_and_not_a_hard_declined_one()
    {
        var auto = Given.Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.Auto);
        var at = Given.Local("2019-03-23 10:00");

        var carded = Forecasts.Forecast(Given.Rules, Carded, [auto], at, 7);
        var declined = Carded with { Method = Carded.Method! with { Status = PaymentMethodStatus.DeclinedHard } };
        var retired = Forecasts.Forecast(Given.Rules, declined, [auto], at, 7);

        Assert.Equal((1000L, true, 0L), (carded.Total, carded.Covered, carded.Shortfall));
        Assert.Equal((false, 800L), (retired.Covered, retired.Shortfall));
    }
}
