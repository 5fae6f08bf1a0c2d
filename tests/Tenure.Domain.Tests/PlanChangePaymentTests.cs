using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Payments;
using Tenure.Domain.PlanChanges;

namespace Tenure.Domain.Tests;

/// <summary>
/// R7.8–R7.11 for the plan changes that start a paid cycle: renew-and-downgrade (R6.4) and the edition change (R6.6) take
/// coupons, then balance, then the card; the card's part is asked for and nothing applies until its result, which the
/// same decision settles. The cycle keeps its cash and card parts apart, so an unsubscription (R8.4) refunds each to
/// its source, each rounded down.
/// </summary>
public sealed class PlanChangePaymentTests
{
    private static readonly PaymentMethod Card = new("tok", "Visa •••• 4242");

    private static readonly NodaTime.Instant March20 = Given.Local("2019-03-20 10:00");

    // ecs.medium with 5 Mbps (2,000 + 5 × 100 a month) expiring 2019-04-01; renewed a month as ecs.small with 2 Mbps: 1,200.
    private static readonly Instance Medium = Given.Expiring("ecs", "ecs.medium", "2019-04-01") with
    {
        Components = new Components(new Bandwidth(BandwidthBilling.ByBandwidth, 5), []),
    };

    private static readonly DowngradeRequest Smaller = new(1, "ecs.small", new Bandwidth(BandwidthBilling.ByBandwidth, 2), []);

    // Coupon 200, balance 300: the card is asked for 700.
    private static readonly Account Split = Given.Account(300, false, Given.Coupon("c-1", 200, "2019-12-31 00:00", "ecs")) with
    {
        Method = Card,
    };

    private static Change AskedDowngrade() => RenewDowngrade.Apply(Given.Rules, Medium, Split, Smaller, March20).Value;

    [Fact]
    public void R6_4_R7_8_a_renew_and_downgrade_asks_the_card_for_what_coupon_and_balance_leave_and_applies_nothing()
    {
        var asked = AskedDowngrade();

        Assert.Equal((700L, Medium.Expiry), (asked.Effects.Payment!.Amount, asked.Effects.Payment.PeriodStart));
        Assert.Null(asked.Effects.Order);
        Assert.Empty(asked.Effects.Ledger);
        Assert.Equal((300L, 200L), (asked.Account.Balance, asked.Account.Coupons[0].Remaining));
        Assert.Equal((Medium.ExpiresAt, (PendingChange?)null), (asked.Instance.ExpiresAt, asked.Instance.PendingChange));
        var intent = asked.Instance.PaymentPending!.Intent!;
        Assert.Equal((OrderKind.RenewDowngrade, 1, 1_200L, Smaller), (intent.Kind, intent.Months, intent.Total, intent.Downgrade));
        Assert.Equal(RefusalCode.InvalidState, RenewDowngrade.Apply(Given.Rules, asked.Instance, Split, Smaller, March20).Refusal?.Code);
    }

    [Fact]
    public void R6_4_R7_9_its_success_renews_with_the_downgrade_as_one_order_split_coupon_balance_and_card()
    {
        var asked = AskedDowngrade();
        var settled = Lifecycle.Lifecycle.SettlePayment(Given.Rules, [asked.Instance], Split, PaymentResult.Succeeded, March20)!;

        var order = settled.Effects.Order!;
        Assert.Equal((OrderKind.RenewDowngrade, 1_200L, 200L, 300L, 700L),
            (order.Kind, order.Total, order.PaidByCoupons, order.PaidByBalance, order.PaidByMethod));
        Assert.Equal([(LedgerKind.Payment, 700L), (LedgerKind.CouponUse, -200L), (LedgerKind.Charge, -1_000L)],
            settled.Effects.Ledger.Select(l => (l.Kind, l.Amount)));
        Assert.Equal("renew-and-downgrade: paid by Visa •••• 4242", settled.Effects.Ledger[0].Memo);
        Assert.Equal(("2019-05-01 00:00", "ecs.small"), (Given.Show(settled.Instance.Expiry), settled.Instance.PendingChange!.Spec));
        Assert.Equal(new PaidCycle(Medium.Expiry, settled.Instance.Expiry, 300, 700), Assert.Single(settled.Instance.AheadCycles));
        Assert.Equal((0L, 0L, (PendingPayment?)null), (settled.Account.Balance, settled.Account.Coupons[0].Remaining,
            settled.Instance.PaymentPending));
    }

    [Fact]
    public void R6_4_R7_9_a_declined_renew_and_downgrade_changes_nothing()
    {
        var asked = AskedDowngrade();
        var declined = Lifecycle.Lifecycle.SettlePayment(Given.Rules, [asked.Instance], Split,
            new PaymentResult(PaymentStatus.Declined, "insufficient funds on the card", Hard: false), March20)!;

        Assert.Null(declined.Effects.Order);
        Assert.Empty(declined.Effects.Ledger);
        Assert.Equal("The renew-and-downgrade was not applied: Visa •••• 4242 was declined (insufficient funds on the card)",
            declined.Effects.Events.Single(t => t.Kind == TimelineKind.PaymentDeclined).Detail);
        Assert.Equal((Medium.ExpiresAt, "ecs.medium", (PendingChange?)null, (PendingPayment?)null),
            (declined.Instance.ExpiresAt, declined.Instance.Spec, declined.Instance.PendingChange, declined.Instance.PaymentPending));
        Assert.Equal((300L, 200L, PaymentMethodStatus.Active),
            (declined.Account.Balance, declined.Account.Coupons[0].Remaining, declined.Account.Method!.Status));
    }

    [Fact]
    public void R6_4_R7_11_a_success_after_expiry_no_longer_downgrades_the_type_and_is_refunded_whole()
    {
        var asked = AskedDowngrade();
        var refunded = Lifecycle.Lifecycle.SettlePayment(
            Given.Rules, [asked.Instance], Split, PaymentResult.Succeeded, Given.Local("2019-04-01 00:00"))!;

        Assert.Null(refunded.Effects.Order);
        Assert.Equal((Medium.ExpiresAt, (PendingChange?)null), (refunded.Instance.ExpiresAt, refunded.Instance.PendingChange));
        var refund = Assert.Single(refunded.Effects.MethodRefunds);
        Assert.Equal((700L, true), (refund.Amount, refund.OfSettledPayment));
        Assert.Equal(300, refunded.Account.Balance);
    }

    // RocketMQ Standard (PAYG) to Platinum (300,000 a month) for a month on 2019-03-10 15:00: expires 2019-04-11 00:00.
    private static readonly Instance Standard =
        Given.Bought("rocketmq", "rocketmq.standard", "2019-03-01 10:00", null, id: "rmq-1", chargeType: ChargeType.Payg);

    private static readonly NodaTime.Instant March10 = Given.Local("2019-03-10 15:00");

    private static readonly Account Carded = Given.Account(100_001) with { Method = Card };

    [Fact]
    public void R6_6_R7_8_an_edition_change_the_card_pays_part_of_is_asked_then_applied_with_its_cash_and_card_parts_kept_apart()
    {
        var asked = EditionChange.Change(Given.Rules, Standard, Carded, "platinum", 1, March10).Value;
        Assert.Equal((199_999L, March10, 0), (asked.Effects.Payment!.Amount, asked.Effects.Payment.PeriodStart,
            asked.Instance.PaymentPending!.DayOffset));
        Assert.Equal(("standard", ChargeType.Payg, (NodaTime.Instant?)null),
            (asked.Instance.Edition, asked.Instance.ChargeType, asked.Instance.ExpiresAt));
        Assert.Null(asked.Effects.Order);
        Assert.Equal(RefusalCode.InvalidState,
            EditionChange.Change(Given.Rules, asked.Instance, Carded, "platinum", 1, March10).Refusal?.Code);

        var settled = Lifecycle.Lifecycle.SettlePayment(Given.Rules, [asked.Instance], Carded, PaymentResult.Succeeded, March10)!;

        var platinum = settled.Instance;
        Assert.Equal(("platinum", ChargeType.Subscription, "2019-04-11 00:00"), (platinum.Edition, platinum.ChargeType,
            Given.Show(platinum.Expiry)));
        Assert.Equal((March10, 100_001L, 199_999L), (platinum.CycleStart, platinum.CycleCash, platinum.CycleMethod));
        var order = settled.Effects.Order!;
        Assert.Equal((OrderKind.EditionChange, 300_000L, 0L, 100_001L, 199_999L),
            (order.Kind, order.Total, order.PaidByCoupons, order.PaidByBalance, order.PaidByMethod));
        Assert.Equal(0, settled.Account.Balance);
    }

    [Fact]
    public void R8_4_R7_11_unsubscribing_a_card_paid_edition_cycle_refunds_each_part_to_its_source_rounded_down()
    {
        var asked = EditionChange.Change(Given.Rules, Standard, Carded, "platinum", 1, March10).Value;
        var settled = Lifecycle.Lifecycle.SettlePayment(Given.Rules, [asked.Instance], Carded, PaymentResult.Succeeded, March10)!;

        // D = 03-10 to 04-11 = 32 days, U = 03-21 to 04-11 = 21 days: floor(100,001 × 21 / 32) = 65,625 to the balance and
        // floor(199,999 × 21 / 32) = 131,249 to the card (one floor of the whole would be 196,875).
        var (change, refund) = Unsubscription.Unsubscribe(Given.Rules, settled.Instance, settled.Account, March20).Value;

        Assert.Equal((65_625L, 65_625L), (refund, change.Account.Balance));
        var toCard = Assert.Single(change.Effects.MethodRefunds);
        Assert.Equal((March10, 131_249L, false), (toCard.PeriodStart, toCard.Amount, toCard.OfSettledPayment));
    }

    [Fact]
    public void R6_8_R7_8_a_switch_to_subscription_the_card_pays_part_of_settles_through_the_same_decision()
    {
        // ECS PAYG ecs.small switched to a month's subscription: 1,000, of which the balance pays 400 and the card 600.
        var payg = Given.Bought("ecs", "ecs.small", "2019-03-01 10:00", null, chargeType: ChargeType.Payg);
        var account = Given.Account(400) with { Method = Card };
        var asked = EditionChange.ChangeChargeType(Given.Rules, payg, account, ChargeType.Subscription, 1, March10).Value;
        Assert.Equal((600L, ChargeType.Payg), (asked.Effects.Payment!.Amount, asked.Instance.ChargeType));

        var settled = Lifecycle.Lifecycle.SettlePayment(Given.Rules, [asked.Instance], account, PaymentResult.Succeeded, March10)!;

        Assert.Equal((ChargeType.Subscription, 400L, 600L), (settled.Instance.ChargeType, settled.Instance.CycleCash,
            settled.Instance.CycleMethod));
        var order = settled.Effects.Order!;
        Assert.Equal((OrderKind.ChargeTypeChange, 1_000L, 400L, 600L), (order.Kind, order.Total, order.PaidByBalance, order.PaidByMethod));
    }
}
