using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;

namespace Tenure.Domain.Tests;

/// <summary>R8.10: an instance offers exactly what the rules would accept now.</summary>
public sealed class ActionsTests
{
    private static readonly int[] UpToAYear = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12];

    private static readonly int[] AutoPeriods = [1, 2, 3, 6, 12];

    [Fact]
    public void R8_10_mqtt_basic_offers_renewal_modes_and_its_own_editions_specs_but_no_platinum_and_no_renew_and_downgrade()
    {
        var basic = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30");

        var actions = Actions.Of(Given.Rules, basic, Given.Account(), Given.Local("2019-03-20 10:00"));

        Assert.Equal(UpToAYear, actions.Renew!.Periods);
        Assert.Equal([RenewalMode.Manual, RenewalMode.Auto, RenewalMode.NoRenew], actions.RenewalModes);
        Assert.Equal(AutoPeriods, actions.AutoRenewPeriods);
        Assert.Equal(["mqtt.basic.5k"], actions.SpecChange!.Specs);
        Assert.Null(actions.RenewDowngrade);
        Assert.Null(actions.Edition);
        Assert.Empty(actions.ChargeTypes);
        Assert.Equal([PostExpirationAction.Stop], actions.PostExpirationActions);
        Assert.False(actions.Unsubscribe);
    }

    [Fact]
    public void R8_10_funds_do_not_hide_an_action_the_quote_shows_the_shortfall()
    {
        var basic = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30");

        var actions = Actions.Of(Given.Rules, basic, Given.Account(balance: 0), Given.Local("2019-03-20 10:00"));

        Assert.NotNull(actions.Renew);
        Assert.NotNull(actions.SpecChange);
    }

    [Fact]
    public void R8_10_rocketmq_platinum_offers_no_edition_change_back_to_standard_but_unsubscription_and_both_post_expiration_actions()
    {
        var platinum = Given.Expiring("rocketmq", "rocketmq.platinum.2k", "2019-03-30");

        var actions = Actions.Of(Given.Rules, platinum, Given.Account(), Given.Local("2019-03-20 10:00"));

        Assert.Null(actions.Edition);
        Assert.Null(actions.SpecChange);
        Assert.Null(actions.RenewDowngrade);
        Assert.Empty(actions.ChargeTypes);
        Assert.True(actions.Unsubscribe);
        Assert.Equal([PostExpirationAction.Stop, PostExpirationAction.DowngradeToStandard], actions.PostExpirationActions);
        Assert.Equal(UpToAYear, actions.Renew!.Periods);
    }

    [Fact]
    public void R8_10_R6_6_rocketmq_standard_payg_offers_platinum_in_place_and_nothing_of_a_subscription()
    {
        var standard = Given.Bought("rocketmq", "rocketmq.standard", "2019-03-01 10:00", null, chargeType: ChargeType.Payg);

        var actions = Actions.Of(Given.Rules, standard, Given.Account(), Given.Local("2019-03-20 10:00"));

        Assert.Equal(["platinum"], actions.Edition!.Editions);
        Assert.Equal(UpToAYear, actions.Edition!.Periods);
        Assert.Null(actions.Renew);
        Assert.Empty(actions.RenewalModes);
        Assert.Empty(actions.AutoRenewPeriods);
        Assert.Empty(actions.ChargeTypes);
        Assert.Empty(actions.PostExpirationActions);
        Assert.False(actions.Unsubscribe);
    }

    [Fact]
    public void R8_10_R4_7_a_stopped_instance_offers_manual_renewal_but_not_auto_renewal()
    {
        var manual = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30");
        var stopped = Simulation.Run(Given.Rules, [manual], Given.Account(), Given.Local("2019-04-01 00:00")).Instances[0];
        Assert.Equal(InstanceStatus.Stopped, stopped.Status);

        var actions = Actions.Of(Given.Rules, stopped, Given.Account(), Given.Local("2019-04-01 10:00"));

        Assert.Equal(UpToAYear, actions.Renew!.Periods);
        Assert.Equal([RenewalMode.Manual, RenewalMode.NoRenew], actions.RenewalModes);
        Assert.Empty(actions.AutoRenewPeriods);
        Assert.Null(actions.SpecChange);
        Assert.False(actions.Unsubscribe);
    }

    [Fact]
    public void R8_10_R6_4_renew_and_downgrade_offers_only_smaller_specs_and_its_own_periods()
    {
        var medium = Given.Expiring("ecs", "ecs.medium", "2019-03-30") with
        {
            Components = new(new Bandwidth(BandwidthBilling.ByBandwidth, 5), [new DataDisk("d-1", 100, ChargeType.Subscription)]),
        };

        var actions = Actions.Of(Given.Rules, medium, Given.Account(), Given.Local("2019-03-20 10:00"));

        var downgrade = Assert.IsType<RenewDowngradeChoices>(actions.RenewDowngrade);
        Assert.Equal(["ecs.small"], downgrade.Specs);
        Assert.Equal(UpToAYear, downgrade.Periods);
        Assert.Equal([new(BandwidthBilling.ByBandwidth, 4), new BandwidthChoice(BandwidthBilling.ByTraffic, null)], downgrade.Bandwidth);
        Assert.Equal(["d-1"], downgrade.DataDisks);
        Assert.Equal(["ecs.small", "ecs.large"], actions.SpecChange!.Specs);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 24, 36], actions.Renew!.Periods);
    }

    [Fact]
    public void R8_10_R6_4_the_smallest_spec_offers_no_renew_and_downgrade_and_none_before_the_window_opens()
    {
        var small = Given.Expiring("ecs", "ecs.small", "2019-03-30");
        var medium = Given.Expiring("ecs", "ecs.medium", "2019-04-30");

        Assert.Null(Actions.Of(Given.Rules, small, Given.Account(), Given.Local("2019-03-20 10:00")).RenewDowngrade);
        Assert.Null(Actions.Of(Given.Rules, medium, Given.Account(), Given.Local("2019-03-20 10:00")).RenewDowngrade);
    }

    [Fact]
    public void R8_10_R6_8_ecs_payg_offers_subscription_in_place()
    {
        var payg = Given.Bought("ecs", "ecs.small", "2019-03-01 10:00", null, chargeType: ChargeType.Payg);

        var actions = Actions.Of(Given.Rules, payg, Given.Account(), Given.Local("2019-03-20 10:00"));

        Assert.Equal([ChargeType.Subscription], actions.ChargeTypes);
        Assert.Null(actions.Renew);
        Assert.Null(actions.SpecChange);
        Assert.Null(actions.Edition);
    }

    [Fact]
    public void R8_10_a_released_instance_offers_nothing()
    {
        var manual = Given.Expiring("oss-package", "oss.500g", "2019-03-30");
        var released = Simulation.Run(Given.Rules, [manual], Given.Account(), Given.Local("2019-04-01 00:00")).Instances[0];
        Assert.Equal(InstanceStatus.Released, released.Status);

        var actions = Actions.Of(Given.Rules, released, Given.Account(), Given.Local("2019-04-01 10:00"));

        Assert.Null(actions.Renew);
        Assert.Null(actions.SpecChange);
        Assert.Null(actions.RenewDowngrade);
        Assert.Null(actions.Edition);
        Assert.False(actions.Unsubscribe);
        Assert.Empty(actions.RenewalModes);
        Assert.Empty(actions.AutoRenewPeriods);
        Assert.Empty(actions.ChargeTypes);
        Assert.Empty(actions.PostExpirationActions);
    }
}
