using Tenure.Domain.Accounts;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.Money;
using Tenure.Domain.PlanChanges;
using Tenure.Domain.Purchases;
using Tenure.Domain.Renewals;
using MoneyAmount = Tenure.Domain.Money.Money;

namespace Tenure.Domain.Tests;

/// <summary>R7: integer money, period prices, coupons before balance, the ledger, batches, PAYG and rounding.</summary>
public sealed class MoneyTests
{
    private static readonly NodaTime.Instant March20 = Given.Local("2019-03-20 10:00");

    [Fact]
    public void R7_1_money_adds_and_subtracts_in_minor_units()
    {
        var sum = new MoneyAmount(1_050, "USD") + new MoneyAmount(250, "USD") - new MoneyAmount(1, "USD");

        Assert.Equal(new MoneyAmount(1_299, "USD"), sum);
        Assert.Equal(new MoneyAmount(3_897, "USD"), sum.Times(3));
        Assert.Equal("12.99 USD", sum.ToString());
    }

    [Fact]
    public void R7_1_overflow_throws_instead_of_wrapping()
    {
        var max = new MoneyAmount(long.MaxValue, "USD");

        Assert.Throws<OverflowException>(() => max + new MoneyAmount(1, "USD"));
        Assert.Throws<OverflowException>(() => new MoneyAmount(long.MinValue, "USD") - new MoneyAmount(1, "USD"));
        Assert.Throws<OverflowException>(() => max.Times(2));
        Assert.Throws<OverflowException>(() => Pricing.PeriodPrice(long.MaxValue / 2, 3, 10));
    }

    [Fact]
    public void R7_1_currencies_do_not_mix()
    {
        Assert.Throws<InvalidOperationException>(() => new MoneyAmount(1, "USD") + new MoneyAmount(1, "CNY"));
    }

    [Theory]
    [InlineData(-150, "-1.50 USD")]
    [InlineData(-5, "-0.05 USD")]
    public void R7_1_a_negative_amount_shows_its_sign(long minor, string text)
    {
        Assert.Equal(text, new MoneyAmount(minor, "USD").ToString());
    }

    [Theory]
    [InlineData(1, 1_000)]
    [InlineData(3, 3_000)]
    [InlineData(9, 9_000)]
    [InlineData(12, 10_000)]
    [InlineData(24, 20_000)]
    public void R7_2_period_price_is_monthly_times_months_and_a_year_costs_ten_months(int months, long price)
    {
        Assert.Equal(price, Pricing.PeriodPrice(1_000, months, 10));
        Assert.Equal(price, Charges.PeriodPrice(Given.Rules.Catalog.Get("ecs"), "ecs.small", Components.None, months));
    }

    [Fact]
    public void R7_2_the_year_price_follows_the_products_year_price_months()
    {
        Assert.Equal(8_000, Pricing.PeriodPrice(1_000, 12, 8));
        Assert.Equal(3_000_000, Charges.PeriodPrice(Given.Rules.Catalog.Get("rocketmq"), "rocketmq.platinum.2k", Components.None, 12));
    }

    [Theory]
    [InlineData(24, 2 * 3_000_000)] // 24 months = 2 × the year price (300,000 × 10)
    [InlineData(36, 3 * 3_000_000)]
    [InlineData(18, 18 * 300_000)] // not whole years: monthly × months
    public void R7_2_a_period_of_whole_years_is_priced_as_that_many_years(int months, long price)
    {
        var rocketmq = Given.Rules.Catalog.Get("rocketmq");
        Assert.Equal(price, Pricing.PeriodPrice(300_000, months, rocketmq.YearPriceMonths));
        Assert.Equal(price, Charges.PeriodPrice(rocketmq, "rocketmq.platinum.2k", Components.None, months));
        Assert.True(Pricing.PeriodPrice(300_000, 24, 10) <= 2 * Pricing.PeriodPrice(300_000, 12, 10));
    }

    [Fact]
    public void R7_3_coupons_pay_first_earliest_expiry_first_then_the_balance()
    {
        var account = Given.Account(1_000, false,
            Given.Coupon("c-late", 300, "2019-05-01 00:00"),
            Given.Coupon("c-early", 200, "2019-04-01 00:00"));

        var allocation = Payment.Allocate(account, 600, "ecs", March20).Value;

        Assert.Equal([new CouponUse(new CouponId("c-early"), 200), new CouponUse(new CouponId("c-late"), 300)], allocation.Coupons);
        Assert.Equal(100, allocation.FromBalance);
        Assert.Equal(500, allocation.FromCoupons);
    }

    [Fact]
    public void R7_3_a_coupon_scoped_to_another_product_is_not_used()
    {
        var account = Given.Account(1_000, false,
            Given.Coupon("c-mqtt", 500, "2019-04-01 00:00", product: "mqtt"),
            Given.Coupon("c-ecs", 100, "2019-05-01 00:00", product: "ecs"));

        var ecs = Payment.Allocate(account, 600, "ecs", March20).Value;
        var mqtt = Payment.Allocate(account, 600, "mqtt", March20).Value;

        Assert.Equal([new CouponUse(new CouponId("c-ecs"), 100)], ecs.Coupons);
        Assert.Equal(500, ecs.FromBalance);
        Assert.Equal([new CouponUse(new CouponId("c-mqtt"), 500)], mqtt.Coupons);
        Assert.Equal(100, mqtt.FromBalance);
    }

    [Fact]
    public void R7_3_an_expired_coupon_is_ignored()
    {
        var account = Given.Account(1_000, false,
            Given.Coupon("c-old", 500, "2019-03-01 00:00"),
            Given.Coupon("c-now", 500, "2019-03-20 10:00"));

        var allocation = Payment.Allocate(account, 600, "ecs", March20).Value;

        Assert.Empty(allocation.Coupons);
        Assert.Equal(600, allocation.FromBalance);
    }

    [Fact]
    public void R7_3_pay_reduces_coupons_then_balance()
    {
        var account = Given.Account(1_000, false,
            Given.Coupon("c-late", 300, "2019-05-01 00:00"),
            Given.Coupon("c-early", 200, "2019-04-01 00:00"));

        var paid = Charges.Pay(account, 600, "ecs", new InstanceId("i-1"), March20, "test").Value;

        Assert.Equal(900, paid.Account.Balance);
        Assert.Equal(0, paid.Account.Coupons.Single(c => c.Id.Value == "c-early").Remaining);
        Assert.Equal(0, paid.Account.Coupons.Single(c => c.Id.Value == "c-late").Remaining);
        Assert.Equal(600, paid.Total);
        Assert.Equal(500, paid.FromCoupons);
        Assert.Equal(100, paid.FromBalance);
    }

    [Fact]
    public void R7_3_coupons_plus_balance_that_just_cover_the_charge_pay_it()
    {
        var account = Given.Account(100, false, Given.Coupon("c-1", 200, "2019-05-01 00:00"));

        var paid = Charges.Pay(account, 300, "ecs", new InstanceId("i-1"), March20, "test").Value;

        Assert.Equal(0, paid.Account.Balance);
        Assert.Equal(0, Assert.Single(paid.Account.Coupons).Remaining);
    }

    [Fact]
    public void R7_3_coupons_plus_balance_one_cent_short_pay_nothing()
    {
        var account = Given.Account(100, false, Given.Coupon("c-1", 200, "2019-05-01 00:00"));

        var paid = Charges.Pay(account, 301, "ecs", new InstanceId("i-1"), March20, "test");

        Assert.Equal(RefusalCode.InsufficientFunds, paid.Refusal?.Code);
    }

    [Fact]
    public void R7_3_a_negative_balance_pays_nothing()
    {
        var account = Given.Account(-50, false, Given.Coupon("c-1", 200, "2019-05-01 00:00"));

        var byCoupon = Charges.Pay(account, 200, "ecs", new InstanceId("i-1"), March20, "test");
        var tooMuch = Charges.Pay(account, 201, "ecs", new InstanceId("i-1"), March20, "test");

        Assert.Equal(-50, byCoupon.Value.Account.Balance);
        Assert.Equal(RefusalCode.InsufficientFunds, tooMuch.Refusal?.Code);
    }

    [Fact]
    public void R7_3_a_renewal_that_cannot_be_paid_changes_nothing()
    {
        var instance = Given.Expiring("ecs", "ecs.small", "2019-03-30");

        var renewal = Renewal.Renew(Given.Rules, instance, Given.Account(999), 1, March20);

        Assert.Equal(RefusalCode.InsufficientFunds, renewal.Refusal?.Code);
    }

    [Fact]
    public void R7_4_cash_rows_sum_to_the_balance_change_and_coupon_rows_name_their_coupon()
    {
        // ecs.small for a month: 1000 = 200 (c-early) + 300 (c-late) + 500 cash.
        var account = Given.Account(10_000, false,
            Given.Coupon("c-late", 300, "2019-05-01 00:00"),
            Given.Coupon("c-early", 200, "2019-04-01 00:00"));
        var request = new PurchaseRequest(new InstanceId("i-1"), "ecs", "cn-hangzhou", null, "ecs.small", ChargeType.Subscription, 1);

        var bought = Purchase.Buy(Given.Rules, account, request, March20).Value;

        var ledger = bought.Effects.Ledger;
        Assert.Equal(9_500, bought.Account.Balance);
        Assert.Equal(bought.Account.Balance - account.Balance, ledger.Where(p => p.CouponId is null).Sum(p => p.Amount));
        Assert.Equal(-200, ledger.Single(p => p.CouponId == new CouponId("c-early")).Amount);
        Assert.Equal(-300, ledger.Single(p => p.CouponId == new CouponId("c-late")).Amount);
        Assert.All(ledger.Where(p => p.CouponId is not null), p => Assert.Equal(LedgerKind.CouponUse, p.Kind));
        Assert.Equal(1_000, bought.Effects.Order?.Total);
        Assert.Equal(500, bought.Effects.Order?.PaidByCoupons);
        Assert.Equal(500, bought.Effects.Order?.PaidByBalance);
    }

    [Fact]
    public void R7_4_an_auto_renewed_cycle_is_charged_once()
    {
        // Expires 2019-03-30; the T-3 attempt (03-27 08:00) succeeds, so T-1, T, T+6, T+14 are not made.
        var instance = Given.Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.Auto);

        var (steps, instances, account) = Simulation.Run(Given.Rules, [instance], Given.Account(5_000), Given.Local("2019-04-14 00:00"));

        var order = Assert.Single(steps, s => s.Change.Effects.Order is not null).Change.Effects.Order!;
        Assert.Equal(1_000, order.Total);
        Assert.Equal(4_000, account.Balance);
        Assert.Equal("2019-04-30 00:00", Given.Show(Assert.Single(instances).Expiry));
        Assert.Equal(-1_000, steps.SelectMany(s => s.Change.Effects.Ledger).Sum(p => p.Amount));
    }

    [Fact]
    public void R7_4_a_coupon_grant_is_the_new_coupon_and_its_ledger_row()
    {
        var id = new CouponId("cpn-1");
        var expires = Given.Local("2019-12-31 00:00");

        var granted = Coupons.Grant(Given.Rules, Given.Account(300), id, 5_000, expires, "ecs", March20).Value;

        var coupon = new Coupon(id, 5_000, expires, "ecs");
        Assert.Empty(granted.Instances);
        Assert.Equal([coupon], granted.Effects.Grants);
        Assert.Equal([new LedgerPosting(LedgerKind.CouponGrant, 5_000, null, id, "coupon granted")], granted.Effects.Ledger);
        Assert.Equal((300L, coupon), (granted.Account.Balance, Assert.Single(granted.Account.Coupons)));
        Assert.Null(granted.Effects.Order);
    }

    [Fact]
    public void R7_3_a_granted_coupon_pays_the_next_charge_of_its_product_first()
    {
        var expires = Given.Local("2019-12-31 00:00");
        var granted = Coupons.Grant(Given.Rules, Given.Account(5_000), new CouponId("cpn-1"), 600, expires, "ecs", March20).Value;
        var instance = Given.Expiring("ecs", "ecs.small", "2019-03-30");

        var renewed = Renewal.Renew(Given.Rules, instance, granted.Account, 1, March20).Value;

        Assert.Equal((600L, 400L), (renewed.Effects.Order!.PaidByCoupons, renewed.Effects.Order.PaidByBalance));
    }

    [Theory]
    [InlineData(0, "2019-12-31 00:00", null, "amount")]
    [InlineData(1_000_000_000_001, "2019-12-31 00:00", null, "amount")]
    [InlineData(100, "2019-03-20 10:00", null, "expiresAt")]
    [InlineData(100, "2019-12-31 00:00", "no-such-product", "product")]
    public void R7_4_a_grant_needs_an_amount_up_to_the_top_up_limit_a_future_expiry_and_a_known_product(
        long amount, string expires, string? product, string field)
    {
        var refused = Coupons.Grant(Given.Rules, Given.Account(), new CouponId("cpn-1"), amount, Given.Local(expires), product, March20);

        Assert.Equal((RefusalCode.Validation, field), (refused.Refusal!.Code, refused.Refusal.Field));
    }

    [Fact]
    public void R7_5_a_batch_is_paid_all_or_none()
    {
        // 5000 + 20000 = 25000 > 10000: the first item alone could be paid, but nothing is.
        var small = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30", id: "i-1");
        var big = Given.Expiring("mqtt", "mqtt.basic.5k", "2019-04-05", id: "i-2");

        var batch = Renewal.RenewBatch(Given.Rules, [(small, 1), (big, 1)], Given.Account(10_000), March20);

        Assert.Equal(RefusalCode.InsufficientFunds, batch.Refusal?.Code);
    }

    [Fact]
    public void R7_5_a_batch_is_one_order_with_every_item()
    {
        var small = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30", id: "i-1");
        var big = Given.Expiring("mqtt", "mqtt.basic.5k", "2019-04-05", id: "i-2");

        var batch = Renewal.RenewBatch(Given.Rules, [(small, 1), (big, 1)], Given.Account(30_000), March20).Value;

        var order = batch.Effects.Order!;
        Assert.Equal(25_000, order.Total);
        Assert.Equal(25_000, order.PaidByBalance);
        Assert.Equal(
            [
                new OrderItem(new InstanceId("i-1"), Given.Local("2019-03-30 00:00"), 5_000, Given.Local("2019-04-30 00:00"))
                {
                    Renews = Given.Local("2019-03-30 00:00"),
                },
                new OrderItem(new InstanceId("i-2"), Given.Local("2019-04-05 00:00"), 20_000, Given.Local("2019-05-05 00:00"))
                {
                    Renews = Given.Local("2019-04-05 00:00"),
                },
            ],
            order.Items);
        Assert.Equal(5_000, batch.Account.Balance);
        Assert.Equal(["2019-04-30 00:00", "2019-05-05 00:00"], batch.Instances.Select(i => Given.Show(i.Expiry)));
    }

    [Fact]
    public void R7_6_payg_hours_are_charged_from_cash_and_the_balance_may_go_negative()
    {
        // Created 10:00 with 50 in cash: 11:00 → 30, 12:00 → 10, 13:00 → -10 (negative since 13:00).
        var payg = Given.Bought("rocketmq", "rocketmq.standard", "2019-03-01 10:00", null, chargeType: ChargeType.Payg);

        var (steps, instances, account) = Simulation.Run(Given.Rules, [payg], Given.Account(50), Given.Local("2019-03-01 13:00"));

        Assert.Equal(["2019-03-01 11:00", "2019-03-01 12:00", "2019-03-01 13:00"], steps.Select(s => Given.Show(s.Due.At)));
        Assert.All(steps, s => Assert.Equal(EventKind.PaygCharge, s.Due.Kind));
        Assert.All(steps, s => Assert.Equal(-20, Assert.Single(s.Change.Effects.Ledger).Amount));
        Assert.Equal(-10, account.Balance);
        Assert.Equal(Given.Local("2019-03-01 13:00"), account.NegativeSince);
        Assert.Equal(InstanceStatus.Running, Assert.Single(instances).Status);
    }

    [Fact]
    public void R7_6_payg_instances_stop_24_hours_after_the_balance_went_negative_and_accrue_nothing_while_stopped()
    {
        var payg = Given.Bought("rocketmq", "rocketmq.standard", "2019-03-01 10:00", null, chargeType: ChargeType.Payg);

        var (steps, instances, account) = Simulation.Run(Given.Rules, [payg], Given.Account(50), Given.Local("2019-03-05 00:00"));

        var stop = Assert.Single(steps, s => s.Due.Kind == EventKind.PaygOverdueStop);
        Assert.Equal("2019-03-02 13:00", Given.Show(stop.Due.At));
        var action = Assert.Single(stop.Change.Effects.Actions);
        Assert.Equal(ResourceActionKind.Stop, action.Kind);
        Assert.Same(stop, steps[^1]);
        Assert.Equal(stop.Change.Account.Balance, account.Balance);
        var stopped = Assert.Single(instances);
        Assert.Equal(InstanceStatus.Stopped, stopped.Status);
        Assert.Equal(StopCause.Overdue, stopped.StopCause);
        Assert.Null(Schedule.Next(Given.Rules, stopped, account));
    }

    [Fact]
    public void R7_6_the_hour_that_ends_at_the_overdue_stop_is_charged()
    {
        // It ran 2019-03-01 10:00 → 2019-03-02 13:00: 27 hours at 20 = 540, from 50 in cash → -490.
        var payg = Given.Bought("rocketmq", "rocketmq.standard", "2019-03-01 10:00", null, chargeType: ChargeType.Payg);

        var (steps, _, account) = Simulation.Run(Given.Rules, [payg], Given.Account(50), Given.Local("2019-03-05 00:00"));

        Assert.Equal(27, steps.Count(s => s.Due.Kind == EventKind.PaygCharge));
        Assert.Equal(-490, account.Balance);
    }

    [Fact]
    public void R7_6_a_top_up_to_a_non_negative_balance_starts_overdue_instances()
    {
        var stopped = OverdueStopped();
        var account = Given.Account(-470) with { NegativeSince = Given.Local("2019-03-01 13:00") };
        var now = Given.Local("2019-03-04 09:30");

        var change = Payg.TopUp(Given.Rules, account, 470, [stopped], now).Value;

        Assert.Equal(0, change.Account.Balance);
        Assert.Null(change.Account.NegativeSince);
        var started = Assert.Single(change.Instances);
        Assert.Equal(InstanceStatus.Running, started.Status);
        var action = Assert.Single(change.Effects.Actions);
        Assert.Equal(ResourceActionKind.Start, action.Kind);
        Assert.Equal(now, action.At);
        Assert.Equal(470, Assert.Single(change.Effects.Ledger).Amount);
        Assert.Equal(new DueEvent(EventKind.PaygCharge, Given.Local("2019-03-04 10:30")),
            Schedule.Next(Given.Rules, started, change.Account));
    }

    [Fact]
    public void R7_6_a_top_up_that_leaves_the_balance_negative_starts_nothing()
    {
        var account = Given.Account(-470) with { NegativeSince = Given.Local("2019-03-01 13:00") };

        var change = Payg.TopUp(Given.Rules, account, 469, [OverdueStopped()], Given.Local("2019-03-04 09:30")).Value;

        Assert.Equal(-1, change.Account.Balance);
        Assert.Equal(Given.Local("2019-03-01 13:00"), change.Account.NegativeSince);
        Assert.Empty(change.Instances);
        Assert.Empty(change.Effects.Actions);
    }

    [Theory]
    [InlineData(10, 3, 4, 3)]
    [InlineData(9, 3, 3, 3)]
    [InlineData(1, 30, 1, 0)]
    [InlineData(0, 7, 0, 0)]
    [InlineData(-10, 3, -3, -4)]
    public void R7_7_ceil_div_and_floor_div(long numerator, long denominator, long ceil, long floor)
    {
        Assert.Equal(ceil, Pricing.CeilDiv(numerator, denominator));
        Assert.Equal(floor, Pricing.FloorDiv(numerator, denominator));
    }

    [Theory]
    [InlineData(1_000, 5, 167)] // 166.67
    [InlineData(1_000, 26, 867)] // 866.67
    [InlineData(1_000, 30, 1_000)]
    [InlineData(15_000, 10, 5_000)]
    public void R7_7_a_part_of_a_month_is_rounded_up(long monthly, int days, long price)
    {
        Assert.Equal(price, Pricing.DaysPrice(monthly, days));
    }

    [Fact]
    public void R7_7_a_refund_is_rounded_down()
    {
        // floor(299999 × 22 / 32) = floor(206249.3125) = 206249
        var platinum = Given.Bought("rocketmq", "rocketmq.platinum.2k", "2019-03-01 10:00", 1) with { CycleCash = 299_999 };

        Assert.Equal(206_249, Unsubscription.Refund(Given.Rules, platinum, Given.Local("2019-03-10 15:00")));
    }

    private static Instance OverdueStopped() =>
        Given.Bought("rocketmq", "rocketmq.standard", "2019-03-01 10:00", null, chargeType: ChargeType.Payg) with
        {
            Status = InstanceStatus.Stopped,
            StopCause = StopCause.Overdue,
            StoppedAt = Given.Local("2019-03-02 13:00"),
            PaygBilledThrough = Given.Local("2019-03-02 13:00"),
        };
}
