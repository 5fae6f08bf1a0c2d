using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.Purchases;
using Tenure.Domain.Renewals;
using static Tenure.Domain.Tests.Given;

namespace Tenure.Domain.Tests;

public sealed class RenewalTests
{
    private static PurchaseRequest Request(
        string product, string spec, int? months, bool autoRenew = false, ChargeType chargeType = ChargeType.Subscription) =>
        new(new InstanceId("i-new"), product, "cn-hangzhou", null, spec, chargeType, months, autoRenew);

    [Fact]
    public void R2_1_a_purchase_expires_at_midnight_after_date_plus_months_and_is_paid_at_once()
    {
        var bought = Purchase.Buy(Given.Rules, Account(balance: 5000), Request("ecs", "ecs.small", 1), Local("2017-11-08 10:00")).Value;
        Assert.Equal("2017-12-09 00:00", Show(bought.Instance.Expiry));
        Assert.Equal(4000, bought.Account.Balance);
        Assert.Equal(-1000, bought.Effects.Ledger.Single().Amount);
        Assert.Equal((OrderKind.Purchase, 1000L), (bought.Effects.Order!.Kind, bought.Effects.Order.Total));
    }

    [Fact]
    public void R2_3_if_payment_fails_nothing_is_created()
    {
        var refused = Purchase.Buy(Given.Rules, Account(balance: 999), Request("ecs", "ecs.small", 1), Local("2017-11-08 10:00"));
        Assert.Equal(RefusalCode.InsufficientFunds, refused.Refusal!.Code);
        Assert.Equal("insufficient-funds", refused.Refusal.ApiCode);
        Assert.Equal(402, refused.Refusal.HttpStatus);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 1)]
    [InlineData(3, 1)]
    [InlineData(6, 1)]
    [InlineData(9, 1)]
    [InlineData(12, 12)]
    [InlineData(24, 12)]
    [InlineData(36, 12)]
    public void R2_4_auto_renew_period_is_1_month_under_a_year_and_12_from_a_year(int bought, int autoRenew)
    {
        var request = Request("ecs", "ecs.small", bought, autoRenew: true);
        var purchase = Purchase.Buy(Given.Rules, Account(balance: 1_000_000), request, Local("2019-01-10 10:00")).Value;
        Assert.Equal(RenewalMode.Auto, purchase.Instance.Mode);
        Assert.Equal(autoRenew, purchase.Instance.AutoRenewMonths);
    }

    [Fact]
    public void R3_3_manual_periods_are_1_to_9_or_12_and_products_may_add_24_and_36()
    {
        var ecs = Expiring("ecs", "ecs.small", "2019-03-30");
        var mqtt = Expiring("mqtt", "mqtt.basic.1k", "2019-03-30");
        var now = Local("2019-03-20 10:00");
        foreach (var months in new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 24, 36 })
        {
            Assert.True(Renewal.Quote(Given.Rules, ecs, months, now).IsSuccess);
        }

        Assert.Equal(RefusalCode.InvalidPeriod, Renewal.Quote(Given.Rules, ecs, 10, now).Refusal!.Code);
        Assert.Equal(RefusalCode.InvalidPeriod, Renewal.Quote(Given.Rules, mqtt, 24, now).Refusal!.Code);
        Assert.Equal(RefusalCode.InvalidPeriod, Renewal.Quote(Given.Rules, mqtt, 0, now).Refusal!.Code);
        Assert.Equal(50_000, Renewal.Quote(Given.Rules, mqtt, 12, now).Value.Amount);
    }

    [Fact]
    public void R3_4_running_instances_renew_from_E_and_stopped_ones_from_now()
    {
        var manual = Expiring("ecs", "ecs.small", "2019-03-30");
        Assert.Equal("2019-04-30 00:00", Show(Renewal.Quote(Given.Rules, manual, 1, Local("2019-03-20 10:00")).Value.NewExpiresAt));

        var stopped = Simulation.Run(Given.Rules, [manual], Account(), Local("2019-04-02 15:00")).Instances[0];
        var quote = Renewal.Quote(Given.Rules, stopped, 1, Local("2019-04-02 15:00")).Value;
        Assert.Equal("2019-05-03 00:00", Show(quote.NewExpiresAt));
        Assert.Equal(Local("2019-04-02 15:00"), quote.CycleStart);
    }

    [Fact]
    public void R3_5_released_payg_and_non_renewable_instances_cannot_be_renewed()
    {
        var released = Expiring("ecs", "ecs.small", "2019-03-30") with { Status = InstanceStatus.Released };
        var ticket = Expiring("event-ticket", "ticket", "2019-03-30");
        var payg = Bought("ecs", "ecs.small", "2019-03-01 10:00", null, chargeType: ChargeType.Payg);
        var now = Local("2019-03-20 10:00");
        Assert.Equal(RefusalCode.NotRenewable, Renewal.Quote(Given.Rules, released, 1, now).Refusal!.Code);
        Assert.Equal(RefusalCode.NotRenewable, Renewal.Quote(Given.Rules, ticket, 1, now).Refusal!.Code);
        Assert.Equal(RefusalCode.NotRenewable, Renewal.Quote(Given.Rules, payg, 1, now).Refusal!.Code);
        Assert.Equal(RefusalCode.NotRenewable, RenewalSettings.Set(Given.Rules, ticket, Account(), RenewalMode.Auto, 1, now).Refusal!.Code);
    }

    [Fact]
    public void R3_6_a_quote_shows_the_new_expiry_and_price_and_moves_no_money()
    {
        var ecs = Expiring("ecs", "ecs.medium", "2019-03-30");
        var quote = Renewal.Quote(Given.Rules, ecs, 12, Local("2019-03-20 10:00")).Value;
        Assert.Equal("2020-03-30 00:00", Show(quote.NewExpiresAt));
        Assert.Equal(20_000, quote.Amount);
        var renewed = Renewal.Renew(Given.Rules, ecs, Account(balance: 20_000), 12, Local("2019-03-20 10:00")).Value;
        Assert.Equal(quote.NewExpiresAt, renewed.Instance.Expiry);
        Assert.Equal(0, renewed.Account.Balance);
    }

    [Fact]
    public void R4_1_modes_are_manual_by_default_auto_with_a_period_or_noRenew()
    {
        var bought = Bought("mqtt", "mqtt.basic.1k", "2019-03-01 10:00", 1);
        Assert.Equal(RenewalMode.Manual, bought.Mode);
        var now = Local("2019-03-02 10:00");
        Assert.Equal(RefusalCode.InvalidPeriod,
            RenewalSettings.Set(Given.Rules, bought, Account(), RenewalMode.Auto, 4, now).Refusal!.Code);
        foreach (var months in new[] { 1, 2, 3, 6, 12 })
        {
            Assert.Equal(months,
                RenewalSettings.Set(Given.Rules, bought, Account(), RenewalMode.Auto, months, now).Value.Instance.AutoRenewMonths);
        }

        Assert.Equal(RenewalMode.NoRenew,
            RenewalSettings.Set(Given.Rules, bought, Account(), RenewalMode.NoRenew, null, now).Value.Instance.Mode);
        Assert.Equal(RefusalCode.Validation, RenewalSettings.Set(Given.Rules, bought, Account(), RenewalMode.Manual, 3, now).Refusal!.Code);
    }

    [Fact]
    public void R4_2_setting_auto_renews_nothing_at_once_and_every_mode_can_switch_or_renew_manually()
    {
        var manual = Expiring("ecs", "ecs.small", "2019-03-30");
        var now = Local("2019-03-20 10:00");
        var auto = RenewalSettings.Set(Given.Rules, manual, Account(balance: 5000), RenewalMode.Auto, 3, now).Value;
        Assert.Empty(auto.Effects.Ledger);
        Assert.Null(auto.Effects.Order);
        Assert.Equal(5000, auto.Account.Balance);
        Assert.Equal(manual.Expiry, auto.Instance.Expiry);

        var noRenew = RenewalSettings.Set(Given.Rules, auto.Instance, Account(), RenewalMode.NoRenew, null, now).Value.Instance;
        Assert.Equal("2019-04-30 00:00", Show(Renewal.Renew(Given.Rules, noRenew, Account(balance: 1000), 1, now).Value.Instance.Expiry));
        Assert.Equal(RenewalMode.Manual,
            RenewalSettings.Set(Given.Rules, noRenew, Account(), RenewalMode.Manual, null, now).Value.Instance.Mode);
        Assert.Equal(RenewalMode.Auto, RenewalSettings.Set(Given.Rules, noRenew, Account(), RenewalMode.Auto, 1, now).Value.Instance.Mode);
    }

    [Fact]
    public void R4_2_switching_to_auto_after_T_minus_3_does_not_attempt_retroactively()
    {
        var manual = Expiring("ecs", "ecs.small", "2019-03-30");
        var auto = RenewalSettings.Set(Given.Rules, manual, Account(), RenewalMode.Auto, 1, Local("2019-03-28 12:00")).Value.Instance;
        var next = Schedule.Next(Given.Rules, auto, Account())!.Value;
        Assert.Equal((EventKind.AutoRenewAttempt, "2019-03-29 08:00"), (next.Kind, Show(next.At)));
    }

    [Fact]
    public void R4_7_auto_renew_only_before_the_stop_and_batch_settings_only_for_one_product()
    {
        var stopped = Simulation.Run(Given.Rules, [Expiring("ecs", "ecs.small", "2019-03-30")], Account(), Local("2019-04-01 00:00"))
            .Instances[0];
        Assert.Equal(RefusalCode.RenewalWindowClosed,
            RenewalSettings.Set(Given.Rules, stopped, Account(), RenewalMode.Auto, 1, Local("2019-04-01 00:00")).Refusal!.Code);

        var ecs = Expiring("ecs", "ecs.small", "2019-03-30", id: "i-ecs");
        var ecs2 = Expiring("ecs", "ecs.large", "2019-04-30", id: "i-ecs2");
        var mqtt = Expiring("mqtt", "mqtt.basic.1k", "2019-03-30", id: "i-mqtt");
        var now = Local("2019-03-20 10:00");
        Assert.Equal(RefusalCode.BatchMixesProducts,
            RenewalSettings.SetBatch(Given.Rules, [ecs, mqtt], Account(), RenewalMode.Auto, 1, now).Refusal!.Code);
        var batch = RenewalSettings.SetBatch(Given.Rules, [ecs, ecs2], Account(), RenewalMode.Auto, 6, now).Value;
        Assert.All(batch.Instances, i => Assert.Equal((RenewalMode.Auto, 6), (i.Mode, i.AutoRenewMonths)));
        var stoppedToo = stopped with { Id = new InstanceId("i-2") };
        Assert.Equal(RefusalCode.RenewalWindowClosed,
            RenewalSettings.SetBatch(Given.Rules, [ecs, stoppedToo], Account(), RenewalMode.Auto, 1, now).Refusal!.Code);
    }
}
