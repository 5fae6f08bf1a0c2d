using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.PlanChanges;
using Tenure.Domain.Renewals;

namespace Tenure.Domain.Tests;

/// <summary>R6: spec changes, renew-and-downgrade, edition and billing method changes.</summary>
public sealed class PlanChangeTests
{
    private static readonly Components FiveMbps = new(new Bandwidth(BandwidthBilling.ByBandwidth, 5), []);

    [Fact]
    public void R6_1_a_spec_of_another_edition_is_refused_as_cross_edition_change()
    {
        var basic = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30");

        var result = SpecChange.Request(
            Given.Rules, basic, Given.Account(10_000_000), "mqtt.platinum.50k", Given.Local("2019-03-20 10:00"));

        Assert.Equal(RefusalCode.CrossEditionChange, result.Refusal?.Code);
    }

    [Fact]
    public void R6_1_a_payg_instance_cannot_change_spec()
    {
        var payg = Given.Bought("ecs", "ecs.small", "2019-03-01 10:00", null, chargeType: ChargeType.Payg);

        var result = SpecChange.Request(Given.Rules, payg, Given.Account(10_000_000), "ecs.medium", Given.Local("2019-03-20 10:00"));

        Assert.Equal(RefusalCode.InvalidState, result.Refusal?.Code);
    }

    [Fact]
    public void R6_2_immediate_upgrade_price_is_ceil_of_difference_times_days_left_over_30()
    {
        // (20000 - 5000) × 10 / 30 = 5000: 2019-03-20 10:00 → 2019-03-30 00:00 is 9 days 14 hours, rounded up to 10.
        var basic = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30");
        var now = Given.Local("2019-03-20 10:00");

        var change = SpecChange.Request(Given.Rules, basic, Given.Account(100_000), "mqtt.basic.5k", now).Value;

        Assert.Equal("mqtt.basic.5k", change.Instance.Spec);
        Assert.Null(change.Instance.PendingChange);
        Assert.Equal(95_000, change.Account.Balance);
        Assert.Equal(OrderKind.Upgrade, change.Effects.Order?.Kind);
        Assert.Equal(5_000, change.Effects.Order?.Total);
        Assert.Equal("2019-03-30 00:00", Given.Show(change.Instance.Expiry));
        var action = Assert.Single(change.Effects.Actions);
        Assert.Equal(ResourceActionKind.Modify, action.Kind);
        Assert.Equal(now, action.At);
    }

    [Theory]
    [InlineData("2019-03-20 10:00", 334)] // 10 days: ceil(1000 × 10 / 30) = ceil(333.3)
    [InlineData("2019-03-20 00:00", 334)] // exactly 10 days
    [InlineData("2019-03-19 23:59", 367)] // 10 days and a minute round up to 11: ceil(11000 / 30) = ceil(366.7)
    [InlineData("2019-03-29 23:00", 34)] // one hour left is one day: ceil(1000 / 30)
    public void R6_2_days_left_round_up_to_a_whole_day_and_the_price_up_to_a_cent(string now, long price)
    {
        var small = Given.Expiring("ecs", "ecs.small", "2019-03-30");

        var change = SpecChange.Request(Given.Rules, small, Given.Account(100_000), "ecs.medium", Given.Local(now)).Value;

        Assert.Equal(price, change.Effects.Order?.Total);
        Assert.Equal(100_000 - price, change.Account.Balance);
    }

    [Fact]
    public void R6_2_reviewed_upgrade_is_paid_now_and_waits_on_the_old_spec()
    {
        // ceil((350000 - 200000) × 10 / 30) = 50000
        var platinum = Given.Expiring("mqtt", "mqtt.platinum.50k", "2019-03-30");

        var change = SpecChange.Request(
            Given.Rules, platinum, Given.Account(1_000_000), "mqtt.platinum.100k", Given.Local("2019-03-20 10:00")).Value;

        Assert.Equal("mqtt.platinum.50k", change.Instance.Spec);
        Assert.Equal(PendingChangeKind.ReviewedUpgrade, change.Instance.PendingChange?.Kind);
        Assert.Equal("mqtt.platinum.100k", change.Instance.PendingChange?.Spec);
        Assert.Equal(950_000, change.Account.Balance);
        Assert.Equal(50_000, change.Effects.Order?.Total);
        Assert.Empty(change.Effects.Actions);
    }

    [Fact]
    public void R6_2_completing_a_reviewed_upgrade_applies_the_spec_and_notifies()
    {
        var platinum = Given.Expiring("mqtt", "mqtt.platinum.50k", "2019-03-30");
        var requested = SpecChange.Request(
            Given.Rules, platinum, Given.Account(1_000_000), "mqtt.platinum.100k", Given.Local("2019-03-20 10:00")).Value;
        var completedAt = Given.Local("2019-03-21 09:00");

        var completed = SpecChange.Complete(Given.Rules, requested.Instance, requested.Account, completedAt).Value;

        Assert.Equal("mqtt.platinum.100k", completed.Instance.Spec);
        Assert.Null(completed.Instance.PendingChange);
        Assert.Equal(950_000, completed.Account.Balance);
        Assert.Empty(completed.Effects.Ledger);
        var notice = Assert.Single(completed.Effects.Notices);
        Assert.Equal(NoticeKind.UpgradeCompleted, notice.Kind);
        var action = Assert.Single(completed.Effects.Actions);
        Assert.Equal(ResourceActionKind.Modify, action.Kind);
        Assert.Equal(completedAt, action.At);
    }

    [Fact]
    public void R6_2_a_second_request_while_an_upgrade_waits_is_refused()
    {
        var platinum = Given.Expiring("mqtt", "mqtt.platinum.50k", "2019-03-30");
        var requested = SpecChange.Request(
            Given.Rules, platinum, Given.Account(1_000_000), "mqtt.platinum.100k", Given.Local("2019-03-20 10:00")).Value;

        var again = SpecChange.Request(
            Given.Rules, requested.Instance, requested.Account, "mqtt.platinum.100k", Given.Local("2019-03-20 11:00"));

        Assert.Equal(RefusalCode.InvalidState, again.Refusal?.Code);
    }

    [Fact]
    public void R6_3_downgrade_is_immediate_and_moves_no_money()
    {
        var big = Given.Expiring("mqtt", "mqtt.basic.5k", "2019-03-30");
        var account = Given.Account(1_000, false, Given.Coupon("c-1", 500, "2019-12-31 00:00"));

        var change = SpecChange.Request(Given.Rules, big, account, "mqtt.basic.1k", Given.Local("2019-03-20 10:00")).Value;

        Assert.Equal("mqtt.basic.1k", change.Instance.Spec);
        Assert.Equal(account, change.Account);
        Assert.Empty(change.Effects.Ledger);
        Assert.Null(change.Effects.Order);
        Assert.Equal(ResourceActionKind.Modify, Assert.Single(change.Effects.Actions).Kind);
    }

    [Fact]
    public void R6_3_a_downgrade_in_a_reviewed_edition_is_also_immediate()
    {
        var big = Given.Expiring("mqtt", "mqtt.platinum.100k", "2019-03-30");

        var change = SpecChange.Request(Given.Rules, big, Given.Account(0), "mqtt.platinum.50k", Given.Local("2019-03-20 10:00")).Value;

        Assert.Equal("mqtt.platinum.50k", change.Instance.Spec);
        Assert.Null(change.Instance.PendingChange);
        Assert.Equal(0, change.Account.Balance);
        Assert.Empty(change.Effects.Ledger);
    }

    [Fact]
    public void R6_4_renew_and_downgrade_prices_the_new_cycle_with_the_new_configuration()
    {
        // ecs.small 1000 + 2 Mbps × 100 = 1200 for one month, instead of 2000 + 500.
        var medium = Given.Expiring("ecs", "ecs.medium", "2019-04-01") with { Components = FiveMbps };
        var request = new DowngradeRequest(1, "ecs.small", new Bandwidth(BandwidthBilling.ByBandwidth, 2), []);

        var change = RenewDowngrade.Apply(Given.Rules, medium, Given.Account(10_000), request, Given.Local("2019-03-20 10:00")).Value;

        Assert.Equal(1_200, change.Effects.Order?.Total);
        Assert.Equal(8_800, change.Account.Balance);
        Assert.Equal("2019-05-01 00:00", Given.Show(change.Instance.Expiry));
    }

    [Fact]
    public void R6_4_a_year_of_renew_and_downgrade_costs_ten_months_of_the_new_configuration()
    {
        var medium = Given.Expiring("ecs", "ecs.medium", "2019-04-01") with { Components = FiveMbps };
        var request = new DowngradeRequest(12, "ecs.small", new Bandwidth(BandwidthBilling.ByBandwidth, 2), []);

        var change = RenewDowngrade.Apply(Given.Rules, medium, Given.Account(100_000), request, Given.Local("2019-03-20 10:00")).Value;

        Assert.Equal(12_000, change.Effects.Order?.Total);
        Assert.Equal("2020-04-01 00:00", Given.Show(change.Instance.Expiry));
    }

    [Fact]
    public void R6_4_before_expiry_the_downgrade_waits_for_the_old_expiry()
    {
        var medium = Given.Expiring("ecs", "ecs.medium", "2019-04-01") with { Components = FiveMbps };
        var request = new DowngradeRequest(1, "ecs.small", new Bandwidth(BandwidthBilling.ByBandwidth, 2), []);

        var renewed = RenewDowngrade.Apply(Given.Rules, medium, Given.Account(10_000), request, Given.Local("2019-03-20 10:00")).Value;

        Assert.Equal("ecs.medium", renewed.Instance.Spec);
        Assert.Equal(FiveMbps, renewed.Instance.Components);
        Assert.Empty(renewed.Effects.Actions);
        Assert.Equal(new DueEvent(EventKind.ApplyChange, Given.Local("2019-04-01 00:00")),
            Schedule.Next(Given.Rules, renewed.Instance, renewed.Account));

        var applied = Lifecycle.Lifecycle.Advance(Given.Rules, renewed.Instance, renewed.Account, Given.Local("2019-04-01 00:00"))!;

        Assert.Equal("ecs.small", applied.Instance.Spec);
        Assert.Equal(new Bandwidth(BandwidthBilling.ByBandwidth, 2), applied.Instance.Components.Bandwidth);
        Assert.Null(applied.Instance.PendingChange);
        var action = Assert.Single(applied.Effects.Actions);
        Assert.Equal(ResourceActionKind.Modify, action.Kind);
        Assert.Equal("2019-04-01 00:00", Given.Show(action.At));
    }

    [Fact]
    public void R6_4_the_window_opens_15_days_before_expiry()
    {
        var medium = Given.Expiring("ecs", "ecs.medium", "2019-04-01") with { Components = FiveMbps };
        var request = new DowngradeRequest(1, null, new Bandwidth(BandwidthBilling.ByBandwidth, 2), []);

        var early = RenewDowngrade.Apply(Given.Rules, medium, Given.Account(10_000), request, Given.Local("2019-03-16 23:59"));
        var opening = RenewDowngrade.Apply(Given.Rules, medium, Given.Account(10_000), request, Given.Local("2019-03-17 00:00"));

        Assert.Equal(RefusalCode.RenewalWindowClosed, early.Refusal?.Code);
        Assert.True(opening.IsSuccess);
        Assert.Equal(2_200, opening.Value.Effects.Order?.Total);
    }

    [Theory]
    [InlineData(24)]
    [InlineData(10)]
    [InlineData(0)]
    public void R6_4_periods_are_1_to_9_or_12_only(int months)
    {
        var medium = Given.Expiring("ecs", "ecs.medium", "2019-04-01") with { Components = FiveMbps };
        var request = new DowngradeRequest(months, "ecs.small", null, []);

        var result = RenewDowngrade.Apply(Given.Rules, medium, Given.Account(1_000_000), request, Given.Local("2019-03-20 10:00"));

        Assert.Equal(RefusalCode.InvalidPeriod, result.Refusal?.Code);
    }

    [Fact]
    public void R6_4_a_larger_instance_type_is_refused()
    {
        var medium = Given.Expiring("ecs", "ecs.medium", "2019-04-01");
        var request = new DowngradeRequest(1, "ecs.large", null, []);

        var result = RenewDowngrade.Apply(Given.Rules, medium, Given.Account(1_000_000), request, Given.Local("2019-03-20 10:00"));

        Assert.Equal((RefusalCode.Validation, "spec"), (result.Refusal?.Code, result.Refusal?.Field));
    }

    [Fact]
    public void R6_4_a_smaller_instance_type_is_refused_after_expiry()
    {
        // Auto-renew keeps it running past E (R4.5), but the type can shrink only before expiry.
        var medium = Given.Expiring("ecs", "ecs.medium", "2019-03-10", RenewalMode.Auto) with { Components = FiveMbps };
        var request = new DowngradeRequest(1, "ecs.small", null, []);

        var result = RenewDowngrade.Apply(Given.Rules, medium, Given.Account(1_000_000), request, Given.Local("2019-03-12 10:00"));

        Assert.Equal((RefusalCode.RenewalWindowClosed, "spec"), (result.Refusal?.Code, result.Refusal?.Field));
    }

    [Theory]
    [InlineData(BandwidthBilling.ByBandwidth, 5)]
    [InlineData(BandwidthBilling.ByBandwidth, 8)]
    public void R6_4_under_bandwidth_billing_only_a_lower_bandwidth_is_allowed(BandwidthBilling billing, int mbps)
    {
        var medium = Given.Expiring("ecs", "ecs.medium", "2019-04-01") with { Components = FiveMbps };
        var request = new DowngradeRequest(1, null, new Bandwidth(billing, mbps), []);

        var result = RenewDowngrade.Apply(Given.Rules, medium, Given.Account(1_000_000), request, Given.Local("2019-03-20 10:00"));

        Assert.Equal((RefusalCode.Validation, "bandwidth.mbps"), (result.Refusal?.Code, result.Refusal?.Field));
    }

    [Fact]
    public void R6_4_bandwidth_billing_may_switch_to_traffic_billing_with_a_peak()
    {
        // ecs.medium 2000 + traffic billing 0 = 2000
        var medium = Given.Expiring("ecs", "ecs.medium", "2019-04-01") with { Components = FiveMbps };
        var request = new DowngradeRequest(1, null, new Bandwidth(BandwidthBilling.ByTraffic, 100), []);

        var change = RenewDowngrade.Apply(Given.Rules, medium, Given.Account(10_000), request, Given.Local("2019-03-20 10:00")).Value;

        Assert.Equal(2_000, change.Effects.Order?.Total);
        Assert.Equal(new Bandwidth(BandwidthBilling.ByTraffic, 100), change.Instance.PendingChange?.Components?.Bandwidth);
    }

    [Fact]
    public void R6_4_under_traffic_billing_a_new_peak_is_allowed_but_not_bandwidth_billing()
    {
        var traffic = Given.Expiring("ecs", "ecs.medium", "2019-04-01") with
        {
            Components = new(new Bandwidth(BandwidthBilling.ByTraffic, 100), []),
        };
        var now = Given.Local("2019-03-20 10:00");

        var peak = new DowngradeRequest(1, null, new Bandwidth(BandwidthBilling.ByTraffic, 50), []);
        var bandwidth = new DowngradeRequest(1, null, new Bandwidth(BandwidthBilling.ByBandwidth, 1), []);
        var newPeak = RenewDowngrade.Apply(Given.Rules, traffic, Given.Account(10_000), peak, now);
        var toBandwidth = RenewDowngrade.Apply(Given.Rules, traffic, Given.Account(10_000), bandwidth, now);

        Assert.Equal(2_000, newPeak.Value.Effects.Order?.Total);
        Assert.Equal((RefusalCode.Validation, "bandwidth.chargeType"), (toBandwidth.Refusal?.Code, toBandwidth.Refusal?.Field));
    }

    [Fact]
    public void R6_4_subscription_data_disks_can_move_to_payg()
    {
        // ecs.small 1000 + 100 GB × 5 = 1500 now; the new cycle is 1000 + a PAYG disk at 0.
        var small = Given.Expiring("ecs", "ecs.small", "2019-04-01") with
        {
            Components = new(null, [new DataDisk("d-1", 100, ChargeType.Subscription)]),
        };
        var request = new DowngradeRequest(1, null, null, [new DiskChange("d-1", ChargeType.Payg)]);

        var change = RenewDowngrade.Apply(Given.Rules, small, Given.Account(10_000), request, Given.Local("2019-03-20 10:00")).Value;

        Assert.Equal(1_000, change.Effects.Order?.Total);
        Assert.Equal(ChargeType.Payg, Assert.Single(change.Instance.PendingChange!.Components!.DataDisks).ChargeType);
    }

    [Fact]
    public void R6_4_data_disks_move_to_payg_only()
    {
        var small = Given.Expiring("ecs", "ecs.small", "2019-04-01") with
        {
            Components = new(null, [new DataDisk("d-1", 100, ChargeType.Subscription), new DataDisk("d-2", 50, ChargeType.Payg)]),
        };
        var request = new DowngradeRequest(1, null, null, [new("d-1", ChargeType.Payg), new("d-2", ChargeType.Subscription)]);

        var refused = RenewDowngrade.Apply(Given.Rules, small, Given.Account(10_000), request, Given.Local("2019-03-20 10:00"));

        Assert.Equal(Refusal.Invalid("dataDisks", "Data disk d-2: renew-and-downgrade moves disks to payg only."), refused.Refusal);
    }

    [Fact]
    public void R6_4_a_stopped_instance_is_renewed_from_now_and_downgraded_at_once()
    {
        // Stopped at its expiry 2019-03-10 00:00; renewed 2019-03-12 10:00 for a month → 2019-04-13 00:00 (R3.4).
        var stopped = Given.Expiring("ecs", "ecs.medium", "2019-03-10") with
        {
            Components = FiveMbps,
            Status = InstanceStatus.Stopped,
            StoppedAt = Given.Local("2019-03-10 00:00"),
            StopCause = StopCause.Expiry,
        };
        var request = new DowngradeRequest(1, null, new Bandwidth(BandwidthBilling.ByBandwidth, 2), []);

        var change = RenewDowngrade.Apply(Given.Rules, stopped, Given.Account(10_000), request, Given.Local("2019-03-12 10:00")).Value;

        Assert.Equal(2_200, change.Effects.Order?.Total);
        Assert.Equal(InstanceStatus.Running, change.Instance.Status);
        Assert.Equal("2019-04-13 00:00", Given.Show(change.Instance.Expiry));
        Assert.Equal(new Bandwidth(BandwidthBilling.ByBandwidth, 2), change.Instance.Components.Bandwidth);
        Assert.Null(change.Instance.PendingChange);
        Assert.Contains(change.Effects.Actions, a => a.Kind == ResourceActionKind.Modify);
        Assert.Contains(change.Effects.Actions, a => a.Kind == ResourceActionKind.Start);
    }

    [Fact]
    public void R6_4_an_expired_running_instance_renews_from_expiry_and_downgrades_at_once()
    {
        var expired = Given.Expiring("ecs", "ecs.medium", "2019-03-10", RenewalMode.Auto) with { Components = FiveMbps };
        var request = new DowngradeRequest(1, null, new Bandwidth(BandwidthBilling.ByBandwidth, 2), []);

        var change = RenewDowngrade.Apply(Given.Rules, expired, Given.Account(10_000), request, Given.Local("2019-03-12 10:00")).Value;

        Assert.Equal(2_200, change.Effects.Order?.Total);
        Assert.Equal("2019-04-10 00:00", Given.Show(change.Instance.Expiry));
        Assert.Equal(new Bandwidth(BandwidthBilling.ByBandwidth, 2), change.Instance.Components.Bandwidth);
        Assert.Null(change.Instance.PendingChange);
        Assert.Equal(ResourceActionKind.Modify, Assert.Single(change.Effects.Actions).Kind);
    }

    [Fact]
    public void R6_5_a_temporary_bandwidth_upgrade_is_not_renewed()
    {
        // Base: ecs.small 1000 + 5 Mbps × 100 = 1500 a month; the temporary 20 Mbps is not priced.
        var boosted = Given.Expiring("ecs", "ecs.small", "2019-04-01") with
        {
            Components = FiveMbps with { TemporaryUpgrade = new TemporaryBandwidth(20, Given.Local("2019-03-25 00:00")) },
        };

        var month = Renewal.Quote(Given.Rules, boosted, 1, Given.Local("2019-03-20 10:00")).Value;
        var year = Renewal.Quote(Given.Rules, boosted, 12, Given.Local("2019-03-20 10:00")).Value;

        Assert.Equal(1_500, month.Amount);
        Assert.Equal(15_000, year.Amount);
    }

    [Fact]
    public void R6_6_standard_payg_becomes_platinum_subscription_in_place()
    {
        var standard = Given.Bought("rocketmq", "rocketmq.standard", "2019-03-01 10:00", null, id: "rmq-1", chargeType: ChargeType.Payg);
        var now = Given.Local("2019-03-10 15:00");

        var change = EditionChange.Change(Given.Rules, standard, Given.Account(5_000_000), "platinum", 12, now).Value;

        var platinum = change.Instance;
        Assert.Equal(new InstanceId("rmq-1"), platinum.Id);
        Assert.Equal("platinum", platinum.Edition);
        Assert.Equal("rocketmq.platinum.2k", platinum.Spec);
        Assert.Equal(ChargeType.Subscription, platinum.ChargeType);
        Assert.Equal(InstanceStatus.Running, platinum.Status);
        Assert.Equal("2020-03-11 00:00", Given.Show(platinum.Expiry));
        Assert.Equal(3_000_000, change.Effects.Order?.Total);
        Assert.Equal(2_000_000, change.Account.Balance);
        Assert.Equal(ResourceActionKind.Modify, Assert.Single(change.Effects.Actions).Kind);
    }

    [Fact]
    public void R6_6_a_one_month_edition_change_costs_one_month_of_platinum()
    {
        var standard = Given.Bought("rocketmq", "rocketmq.standard", "2019-03-01 10:00", null, chargeType: ChargeType.Payg);

        var change = EditionChange.Change(
            Given.Rules, standard, Given.Account(500_000), "platinum", 1, Given.Local("2019-03-10 15:00")).Value;

        Assert.Equal(200_000, change.Account.Balance);
        Assert.Equal("2019-04-11 00:00", Given.Show(change.Instance.Expiry));
    }

    [Fact]
    public void R6_6_platinum_cannot_change_straight_back_to_standard()
    {
        var platinum = Given.Bought("rocketmq", "rocketmq.platinum.2k", "2019-03-01 10:00", 1);

        var result = EditionChange.Change(Given.Rules, platinum, Given.Account(5_000_000), "standard", 1, Given.Local("2019-03-10 15:00"));

        Assert.Equal(RefusalCode.EditionChangeNotAllowed, result.Refusal?.Code);
    }

    [Fact]
    public void R6_7_downgrade_to_standard_converts_at_expiry_instead_of_stopping()
    {
        // Bought 2019-03-01 10:00 for a month: expires 2019-04-02 00:00; then PAYG at 20 an hour.
        var platinum = Given.Bought("rocketmq", "rocketmq.platinum.2k", "2019-03-01 10:00", 1, id: "rmq-1");
        var account = Given.Account(0);
        var set = Unsubscription.SetPostExpirationAction(
            Given.Rules, platinum, account, PostExpirationAction.DowngradeToStandard, Given.Local("2019-03-02 09:00")).Value;

        var (steps, instances, after) = Simulation.Run(Given.Rules, [set.Instance], account, Given.Local("2019-04-02 01:00"));

        var actions = steps.SelectMany(s => s.Change.Effects.Actions).ToList();
        Assert.DoesNotContain(actions, a => a.Kind is ResourceActionKind.Stop or ResourceActionKind.Release);
        var convert = Assert.Single(steps, s => s.Due.Kind == EventKind.ConvertToPayg);
        Assert.Equal("2019-04-02 00:00", Given.Show(convert.Due.At));
        var standard = Assert.Single(instances);
        Assert.Equal(new InstanceId("rmq-1"), standard.Id);
        Assert.Equal(ChargeType.Payg, standard.ChargeType);
        Assert.Equal("standard", standard.Edition);
        Assert.Equal("rocketmq.standard", standard.Spec);
        Assert.Equal(InstanceStatus.Running, standard.Status);
        Assert.Null(standard.ExpiresAt);
        Assert.Equal(-20, after.Balance);
    }

    [Fact]
    public void R6_8_mqtt_billing_method_switch_requires_a_migration()
    {
        var mqtt = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30");

        var result = EditionChange.ChangeChargeType(
            Given.Rules, mqtt, Given.Account(1_000_000), ChargeType.Payg, null, Given.Local("2019-03-20 10:00"));

        Assert.Equal(RefusalCode.MigrationRequired, result.Refusal?.Code);
        var detail = result.Refusal!.Detail;
        Assert.Contains("create a new", detail, StringComparison.Ordinal);
        Assert.Contains("connect consumers to both", detail, StringComparison.Ordinal);
        Assert.Contains("move producers", detail, StringComparison.Ordinal);
        Assert.Contains("delete it", detail, StringComparison.Ordinal);
    }

    [Fact]
    public void R6_8_ecs_switches_from_payg_to_subscription_in_place()
    {
        var payg = Given.Bought("ecs", "ecs.small", "2019-03-01 10:00", null, id: "ecs-1", chargeType: ChargeType.Payg);

        var change = EditionChange.ChangeChargeType(
            Given.Rules, payg, Given.Account(5_000), ChargeType.Subscription, 1, Given.Local("2019-03-10 15:00")).Value;

        Assert.Equal(new InstanceId("ecs-1"), change.Instance.Id);
        Assert.Equal(ChargeType.Subscription, change.Instance.ChargeType);
        Assert.Equal("ecs.small", change.Instance.Spec);
        Assert.Equal("2019-04-11 00:00", Given.Show(change.Instance.Expiry));
        Assert.Equal(4_000, change.Account.Balance);
    }

    [Fact]
    public void R6_8_mqtt_edition_change_needs_a_migration()
    {
        var basic = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30");
        var refused = EditionChange.Change(
            Given.Rules, basic, Given.Account(10_000_000), "platinum", 1, Given.Local("2019-03-20 10:00")).Refusal!;
        Assert.Equal(RefusalCode.MigrationRequired, refused.Code);
        Assert.Contains("connect consumers to both", refused.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void R6_4_renewals_after_a_renew_and_downgrade_are_priced_with_the_new_configuration()
    {
        // ecs.medium (2000) + 5 Mbps (500) down to ecs.small (1000) + 2 Mbps (200): the next cycles cost 1200 a month.
        var medium = Given.Expiring("ecs", "ecs.medium", "2019-04-01") with
        {
            Components = new Components(new Bandwidth(BandwidthBilling.ByBandwidth, 5), []),
        };
        var now = Given.Local("2019-03-20 10:00");
        var request = new DowngradeRequest(1, "ecs.small", new Bandwidth(BandwidthBilling.ByBandwidth, 2), []);
        var downgraded = RenewDowngrade.Apply(Given.Rules, medium, Given.Account(10_000), request, now).Value;
        Assert.Equal(1200, downgraded.Effects.Order!.Total);
        var next = Renewal.Quote(Given.Rules, downgraded.Instance, 1, Given.Local("2019-03-21 10:00")).Value;
        Assert.Equal((1200L, "2019-06-01 00:00"), (next.Amount, Given.Show(next.NewExpiresAt)));
    }
}
