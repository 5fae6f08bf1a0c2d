using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.PlanChanges;
using Tenure.Domain.Purchases;
using Tenure.Domain.Renewals;

namespace Tenure.Domain.Tests;

/// <summary>R8: batch renewal, unified expiry, unsubscription, post-release action and the forecast.</summary>
public sealed class ConvenienceTests
{
    private static readonly NodaTime.Instant March5 = Given.Local("2019-03-05 10:00");

    [Fact]
    public void R8_2_ecs_cannot_be_batched_with_another_product()
    {
        var ecs = Given.Expiring("ecs", "ecs.small", "2019-03-30", id: "i-1");
        var mqtt = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30", id: "i-2");

        var quote = Renewal.QuoteBatch(Given.Rules, [(ecs, 1), (mqtt, 1)], March5);
        var renew = Renewal.RenewBatch(Given.Rules, [(ecs, 1), (mqtt, 1)], Given.Account(1_000_000), March5);

        Assert.Equal(RefusalCode.BatchMixesProducts, quote.Refusal?.Code);
        Assert.Equal(RefusalCode.BatchMixesProducts, renew.Refusal?.Code);
    }

    [Fact]
    public void R8_2_mqtt_and_rocketmq_are_batched_with_a_period_each()
    {
        // mqtt.basic.1k 1 month 5000 + rocketmq.platinum.2k 12 months 300000 × 10
        var mqtt = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30", id: "i-1");
        var rocketmq = Given.Expiring("rocketmq", "rocketmq.platinum.2k", "2019-04-05", id: "i-2");

        var batch = Renewal.RenewBatch(Given.Rules, [(mqtt, 1), (rocketmq, 12)], Given.Account(3_100_000), March5).Value;

        Assert.Equal(3_005_000, batch.Effects.Order?.Total);
        Assert.Equal(95_000, batch.Account.Balance);
        Assert.Equal(["2019-04-30 00:00", "2020-04-05 00:00"], batch.Instances.Select(i => Given.Show(i.Expiry)));
    }

    [Fact]
    public void R8_2_ecs_instances_are_batched_together()
    {
        var one = Given.Expiring("ecs", "ecs.small", "2019-03-30", id: "i-1");
        var two = Given.Expiring("ecs", "ecs.large", "2019-03-31", id: "i-2");

        var quotes = Renewal.QuoteBatch(Given.Rules, [(one, 2), (two, 2)], March5).Value;

        Assert.Equal([2_000, 8_000], quotes.Select(q => q.Amount));
        Assert.Equal(["2019-05-30 00:00", "2019-05-31 00:00"], quotes.Select(q => Given.Show(q.NewExpiresAt)));
    }

    [Fact]
    public void R8_3_unified_expiry_later_in_the_same_month()
    {
        // 2019-03-10 → 2019-03-15: 5 days, ceil(1000 × 5 / 30) = 167
        var ecs = Given.Expiring("ecs", "ecs.small", "2019-03-10");

        var quote = Assert.Single(UnifiedExpiry.Quote(Given.Rules, [ecs], 15, March5).Value);

        Assert.Equal("2019-03-15 00:00", Given.Show(quote.NewExpiresAt));
        Assert.Equal(167, quote.Amount);
    }

    [Fact]
    public void R8_3_unified_expiry_in_the_next_month()
    {
        // 2019-03-20 → 2019-04-15: 26 days, ceil(1000 × 26 / 30) = 867
        var ecs = Given.Expiring("ecs", "ecs.small", "2019-03-20");

        var quote = Assert.Single(UnifiedExpiry.Quote(Given.Rules, [ecs], 15, March5).Value);

        Assert.Equal("2019-04-15 00:00", Given.Show(quote.NewExpiresAt));
        Assert.Equal(867, quote.Amount);
    }

    [Fact]
    public void R8_3_unified_expiry_prices_the_components_too()
    {
        // (1000 + 5 Mbps × 100) × 5 / 30 = 250
        var ecs = Given.Expiring("ecs", "ecs.small", "2019-03-10") with
        {
            Components = new(new Bandwidth(BandwidthBilling.ByBandwidth, 5), []),
        };

        Assert.Equal(250, Assert.Single(UnifiedExpiry.Quote(Given.Rules, [ecs], 15, March5).Value).Amount);
    }

    [Fact]
    public void R8_3_unifying_pays_all_instances_as_one_order()
    {
        var early = Given.Expiring("ecs", "ecs.small", "2019-03-10", id: "i-1");
        var late = Given.Expiring("ecs", "ecs.small", "2019-03-20", id: "i-2");

        var change = UnifiedExpiry.Apply(Given.Rules, [early, late], Given.Account(2_000), 15, March5).Value;

        Assert.Equal(OrderKind.UnifyExpiry, change.Effects.Order?.Kind);
        Assert.Equal(1_034, change.Effects.Order?.Total);
        Assert.Equal(966, change.Account.Balance);
        Assert.Equal(["2019-03-15 00:00", "2019-04-15 00:00"], change.Instances.Select(i => Given.Show(i.Expiry)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(29)]
    [InlineData(31)]
    public void R8_3_the_day_is_1_to_28(int day)
    {
        var ecs = Given.Expiring("ecs", "ecs.small", "2019-03-10");

        var result = UnifiedExpiry.Quote(Given.Rules, [ecs], day, March5);

        Assert.Equal(RefusalCode.Validation, result.Refusal?.Code);
        Assert.Equal("dayOfMonth", result.Refusal?.Field);
    }

    [Theory]
    [InlineData(1, "2019-04-01 00:00")]
    [InlineData(28, "2019-03-28 00:00")]
    public void R8_3_the_first_and_last_allowed_days(int day, string expiry)
    {
        var ecs = Given.Expiring("ecs", "ecs.small", "2019-03-10");

        Assert.Equal(expiry, Given.Show(Assert.Single(UnifiedExpiry.Quote(Given.Rules, [ecs], day, March5).Value).NewExpiresAt));
    }

    [Fact]
    public void R8_3_an_instance_past_expiry_is_refused()
    {
        // Still running under auto-renew grace (R4.5), but past its expiry.
        var expired = Given.Expiring("ecs", "ecs.small", "2019-03-03", RenewalMode.Auto);

        var result = UnifiedExpiry.Quote(Given.Rules, [expired], 15, March5);

        Assert.Equal(RefusalCode.InvalidState, result.Refusal?.Code);
    }

    [Fact]
    public void R8_3_only_ecs_offers_a_unified_expiry()
    {
        var mqtt = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-10");

        var result = UnifiedExpiry.Quote(Given.Rules, [mqtt], 15, March5);

        Assert.Equal(RefusalCode.InvalidState, result.Refusal?.Code);
    }

    [Fact]
    public void R8_4_unsubscribe_refunds_the_unused_whole_days_of_the_cash_and_releases()
    {
        // Bought 2019-03-01 10:00 for a month: expires 2019-04-02 00:00, D = 32 days.
        // Unsubscribed 2019-03-10 15:00: U = 2019-03-11 → 2019-04-02 = 22 days; floor(300000 × 22 / 32) = 206250.
        var (platinum, paid) = BuyPlatinum(Given.Account(1_000_000));
        var now = Given.Local("2019-03-10 15:00");

        var (change, refund) = Unsubscription.Unsubscribe(Given.Rules, platinum, paid, now).Value;

        Assert.Equal(206_250, refund);
        Assert.Equal(906_250, change.Account.Balance);
        var posting = Assert.Single(change.Effects.Ledger);
        Assert.Equal(LedgerKind.Refund, posting.Kind);
        Assert.Equal(206_250, posting.Amount);
        Assert.Equal(InstanceStatus.Released, change.Instance.Status);
        var action = Assert.Single(change.Effects.Actions);
        Assert.Equal(ResourceActionKind.Release, action.Kind);
        Assert.Equal(now, action.At);
    }

    [Fact]
    public void R8_4_coupon_money_is_not_refunded()
    {
        // 100000 of the 300000 came from a coupon: floor(200000 × 22 / 32) = 137500.
        var (platinum, paid) = BuyPlatinum(Given.Account(1_000_000, false, Given.Coupon("c-1", 100_000, "2019-12-31 00:00")));

        var (change, refund) = Unsubscription.Unsubscribe(Given.Rules, platinum, paid, Given.Local("2019-03-10 15:00")).Value;

        Assert.Equal(137_500, refund);
        Assert.Equal(937_500, change.Account.Balance);
        Assert.Equal(0, Assert.Single(change.Account.Coupons).Remaining);
    }

    [Fact]
    public void R8_4_with_downgrade_to_standard_unsubscribing_converts_to_payg()
    {
        var (platinum, paid) = BuyPlatinum(Given.Account(1_000_000));
        var set = Unsubscription.SetPostExpirationAction(
            Given.Rules, platinum, paid, PostExpirationAction.DowngradeToStandard, Given.Local("2019-03-02 09:00")).Value;

        var (change, refund) = Unsubscription.Unsubscribe(Given.Rules, set.Instance, set.Account, Given.Local("2019-03-10 15:00")).Value;

        Assert.Equal(206_250, refund);
        var standard = change.Instance;
        Assert.Equal(new InstanceId("rmq-1"), standard.Id);
        Assert.Equal(InstanceStatus.Running, standard.Status);
        Assert.Equal(ChargeType.Payg, standard.ChargeType);
        Assert.Equal("rocketmq.standard", standard.Spec);
        Assert.Equal(ResourceActionKind.Modify, Assert.Single(change.Effects.Actions).Kind);
    }

    /// <summary>
    /// Bought 03-01 10:00 for a month (expires 04-02, 300,000 cash), renewed a month on 03-05 (expires 05-02, 300,000 cash).
    /// </summary>
    private static Change RenewedAhead()
    {
        var platinum = Given.Bought("rocketmq", "rocketmq.platinum.2k", "2019-03-01 10:00", 1) with { CycleCash = 300_000 };
        var renewed = Renewal.Renew(Given.Rules, platinum, Given.Account(300_000), 1, Given.Local("2019-03-05 09:00")).Value;
        Assert.Equal("2019-05-02 00:00", Given.Show(renewed.Instance.Expiry));
        return renewed;
    }

    [Fact]
    public void R8_4_a_renewal_before_expiry_adds_a_cycle_from_the_old_expiry_instead_of_merging_into_the_running_one()
    {
        var renewed = RenewedAhead().Instance;

        Assert.Equal((Given.Local("2019-03-01 10:00"), 300_000L), (renewed.CycleStart, renewed.CycleCash));
        Assert.Equal(new PaidCycle(Given.Local("2019-04-02 00:00"), Given.Local("2019-05-02 00:00"), 300_000),
            Assert.Single(renewed.AheadCycles));
    }

    [Fact]
    public void R8_4_spec_example_renewed_on_03_05_and_unsubscribed_04_10_refunds_210000_not_203225()
    {
        // The current cycle is 04-02 → 05-02: D = 30, U = 04-11 → 05-02 = 21; floor(300000 × 21 / 30) = 210000.
        // The first cycle is over and refunds nothing (merged, it was floor(600000 × 21 / 62) = 203225).
        var renewed = RenewedAhead();

        var (change, refund) =
            Unsubscription.Unsubscribe(Given.Rules, renewed.Instance, renewed.Account, Given.Local("2019-04-10 10:00")).Value;

        Assert.Equal(210_000, refund);
        Assert.Equal(210_000, change.Account.Balance);
        Assert.Equal(210_000, Assert.Single(change.Effects.Ledger).Amount);
    }

    [Fact]
    public void R8_4_unsubscribed_before_a_paid_ahead_cycle_starts_that_cycle_is_refunded_whole()
    {
        // 03-10 15:00 is in the first cycle: floor(300000 × 22 / 32) = 206250; the cycle from 04-02 has not started: 300000 whole.
        var renewed = RenewedAhead();

        var (change, refund) =
            Unsubscription.Unsubscribe(Given.Rules, renewed.Instance, renewed.Account, Given.Local("2019-03-10 15:00")).Value;

        Assert.Equal(506_250, refund);
        Assert.Equal(506_250, change.Account.Balance);
    }

    [Fact]
    public void R8_4_a_renewal_after_expiry_starts_a_fresh_cycle_and_forgets_the_ones_paid_ahead()
    {
        var renewed = RenewedAhead();
        var inGrace = Renewal.Renew(
            Given.Rules, renewed.Instance, renewed.Account with { Balance = 300_000 }, 1, Given.Local("2019-05-03 09:00")).Value.Instance;

        Assert.Empty(inGrace.AheadCycles);
        Assert.Equal((Given.Local("2019-05-02 00:00"), 300_000L), (inGrace.CycleStart, inGrace.CycleCash));
    }

    [Fact]
    public void R8_4_only_rocketmq_offers_unsubscription()
    {
        var mqtt = Given.Bought("mqtt", "mqtt.basic.1k", "2019-03-01 10:00", 1);

        var result = Unsubscription.Unsubscribe(Given.Rules, mqtt, Given.Account(0), Given.Local("2019-03-10 15:00"));

        Assert.Equal(RefusalCode.InvalidState, result.Refusal?.Code);
    }

    [Fact]
    public void R8_5_the_default_post_release_action_deletes_resources()
    {
        // Manual ECS expiring 2019-03-30: stops then, released 15 days later.
        var ecs = Given.Expiring("ecs", "ecs.small", "2019-03-30");
        Assert.Equal(PostReleaseAction.DeleteResources, ecs.PostReleaseAction);

        var (steps, _, _) = Simulation.Run(Given.Rules, [ecs], Given.Account(0), Given.Local("2019-04-20 00:00"));

        var release = Assert.Single(steps.SelectMany(s => s.Change.Effects.Actions), a => a.Kind == ResourceActionKind.Release);
        Assert.Equal("2019-04-14 00:00", Given.Show(release.At));
        Assert.Equal("deleteResources", release.Detail);
    }

    [Fact]
    public void R8_5_the_post_release_action_can_be_changed_until_release()
    {
        var ecs = Given.Expiring("ecs", "ecs.small", "2019-03-30");
        var (_, stopped, account) = Simulation.Run(Given.Rules, [ecs], Given.Account(0), Given.Local("2019-04-01 00:00"));
        Assert.Equal(InstanceStatus.Stopped, stopped[0].Status);

        var set = Unsubscription.SetPostReleaseAction(
            Given.Rules, stopped[0], account, PostReleaseAction.RetainMetadata, Given.Local("2019-04-01 00:00")).Value;
        var (steps, released, _) = Simulation.Run(Given.Rules, [set.Instance], account, Given.Local("2019-04-20 00:00"));

        Assert.Equal(InstanceStatus.Released, released[0].Status);
        Assert.Equal("retainMetadata",
            Assert.Single(steps.SelectMany(s => s.Change.Effects.Actions), a => a.Kind == ResourceActionKind.Release).Detail);
    }

    [Fact]
    public void R8_5_a_released_instance_keeps_its_post_release_action()
    {
        var released = Given.Expiring("ecs", "ecs.small", "2019-03-30") with
        {
            Status = InstanceStatus.Released, ReleasedAt = Given.Local("2019-04-14 00:00"),
        };

        var result = Unsubscription.SetPostReleaseAction(
            Given.Rules, released, Given.Account(0), PostReleaseAction.RetainMetadata, Given.Local("2019-04-15 00:00"));

        Assert.Equal(RefusalCode.InvalidState, result.Refusal?.Code);
    }

    [Fact]
    public void R8_7_forecast_lists_the_auto_renew_charges_at_T_minus_3_with_a_shortfall()
    {
        // Horizon 2019-03-25 09:00 + 10 days = 2019-04-04 09:00.
        var ecs = Given.Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.Auto, id: "i-1");
        var mqtt = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-04-05", RenewalMode.Auto, id: "i-2");
        var manual = Given.Expiring("ecs", "ecs.large", "2019-03-31", id: "i-3");

        var forecast = Forecasts.Forecast(Given.Rules, Given.Account(3_000), [ecs, mqtt, manual], Given.Local("2019-03-25 09:00"), 10);

        Assert.Equal(
            [
                new ForecastItem(new InstanceId("i-1"), Given.Local("2019-03-27 08:00"), 1_000),
                new ForecastItem(new InstanceId("i-2"), Given.Local("2019-04-02 08:00"), 5_000),
            ],
            forecast.Items);
        Assert.Equal(6_000, forecast.Total);
        Assert.False(forecast.Covered);
        Assert.Equal(3_000, forecast.Shortfall);
    }

    [Fact]
    public void R8_7_forecast_counts_coupons_for_their_product()
    {
        // ecs 1000 from cash; mqtt 5000 = 2000 coupon + 3000 cash: 4000 cash covers both.
        var ecs = Given.Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.Auto, id: "i-1");
        var mqtt = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-04-05", RenewalMode.Auto, id: "i-2");
        var account = Given.Account(4_000, false, Given.Coupon("c-mqtt", 2_000, "2019-12-31 00:00", product: "mqtt"));

        var forecast = Forecasts.Forecast(Given.Rules, account, [ecs, mqtt], Given.Local("2019-03-25 09:00"), 10);

        Assert.Equal(6_000, forecast.Total);
        Assert.True(forecast.Covered);
        Assert.Equal(0, forecast.Shortfall);
    }

    [Fact]
    public void R8_7_forecast_includes_later_cycles_within_the_horizon()
    {
        // 12-month period: 1000 × 10 = 10000 at 2019-03-27 08:00; the next cycle's T-3 is 2020-03-27, beyond.
        // 1-month period: 2019-03-27 08:00 and 2019-04-27 08:00 within 40 days.
        var yearly = Given.Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.Auto, id: "i-1", autoRenewMonths: 12);
        var monthly = Given.Expiring("ecs", "ecs.medium", "2019-03-30", RenewalMode.Auto, id: "i-2");

        var forecast = Forecasts.Forecast(Given.Rules, Given.Account(100_000), [yearly, monthly], Given.Local("2019-03-25 09:00"), 40);

        Assert.Equal(
            [
                new ForecastItem(new InstanceId("i-1"), Given.Local("2019-03-27 08:00"), 10_000),
                new ForecastItem(new InstanceId("i-2"), Given.Local("2019-03-27 08:00"), 2_000),
                new ForecastItem(new InstanceId("i-2"), Given.Local("2019-04-27 08:00"), 2_000),
            ],
            forecast.Items);
        Assert.Equal(14_000, forecast.Total);
        Assert.True(forecast.Covered);
    }

    private static (Instance Instance, Accounts.Account Account) BuyPlatinum(Accounts.Account account)
    {
        var request = new PurchaseRequest(
            new InstanceId("rmq-1"), "rocketmq", "cn-hangzhou", null, "rocketmq.platinum.2k", ChargeType.Subscription, 1);
        var bought = Purchase.Buy(Given.Rules, account, request, Given.Local("2019-03-01 10:00")).Value;
        Assert.Equal("2019-04-02 00:00", Given.Show(bought.Instance.Expiry));
        return (bought.Instance, bought.Account);
    }
}
