using NodaTime;
using Tenure.Domain.Instances;
using Tenure.Domain.Usage;

namespace Tenure.Domain.Tests;

/// <summary>R9.5 low-balance warnings and R11.2 usage alarms.</summary>
public sealed class NoticeAndUsageTests
{
    private static readonly Instant T7 = Given.Local("2019-03-23 08:00");

    private static readonly Dictionary<Metric, Instant> NoAlarmsYet = [];

    [Fact]
    public void R9_5_the_T_minus_7_reminder_of_an_auto_instance_warns_of_the_shortfall()
    {
        // Due by 2019-03-30 08:00: i-1 1000 at 03-27 08:00 and i-2 5000 at 03-29 08:00; 2500 in cash → 3500 short.
        var ecs = Given.Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.Auto, id: "i-1");
        var mqtt = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-04-01", RenewalMode.Auto, id: "i-2");

        var change = Lifecycle.Lifecycle.Advance(Given.Rules, ecs, Given.Account(2_500), T7, [ecs, mqtt])!;

        Assert.Equal([NoticeKind.ExpiryReminder, NoticeKind.LowBalance], change.Effects.Notices.Select(n => n.Kind));
        var warning = change.Effects.Notices[1];
        Assert.Equal(T7, warning.At);
        Assert.Equal(new InstanceId("i-1"), warning.InstanceId);
        Assert.Equal((3_500L, 2, "USD"), (warning.Data.Shortfall, warning.Data.Renewals, warning.Data.Currency));
    }

    [Fact]
    public void R9_5_no_warning_when_balance_covers_the_coming_week()
    {
        // i-3's first attempt (2019-03-31 08:00) is after the 7 days, so 6000 is enough.
        var ecs = Given.Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.Auto, id: "i-1");
        var mqtt = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-04-01", RenewalMode.Auto, id: "i-2");
        var later = Given.Expiring("ecs", "ecs.large", "2019-04-03", RenewalMode.Auto, id: "i-3");

        var change = Lifecycle.Lifecycle.Advance(Given.Rules, ecs, Given.Account(6_000), T7, [ecs, mqtt, later])!;

        Assert.Equal([NoticeKind.ExpiryReminder], change.Effects.Notices.Select(n => n.Kind));
    }

    [Fact]
    public void R9_5_coupons_count_towards_the_coming_charges()
    {
        var ecs = Given.Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.Auto, id: "i-1");
        var mqtt = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-04-01", RenewalMode.Auto, id: "i-2");
        var account = Given.Account(1_000, false, Given.Coupon("c-1", 5_000, "2019-12-31 00:00"));

        var change = Lifecycle.Lifecycle.Advance(Given.Rules, ecs, account, T7, [ecs, mqtt])!;

        Assert.DoesNotContain(change.Effects.Notices, n => n.Kind == NoticeKind.LowBalance);
    }

    [Fact]
    public void R9_5_a_manual_instance_gets_no_low_balance_warning()
    {
        var manual = Given.Expiring("ecs", "ecs.small", "2019-03-30", id: "i-1");

        var change = Lifecycle.Lifecycle.Advance(Given.Rules, manual, Given.Account(0), T7)!;

        Assert.Equal([NoticeKind.ExpiryReminder], change.Effects.Notices.Select(n => n.Kind));
    }

    [Fact]
    public void R11_2_at_70_percent_of_the_limit_nothing_alarms()
    {
        // mqtt.basic.1k: tps limit 1000, so 700 is the threshold itself.
        var mqtt = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30");

        var (raised, effects) = Alarms.Evaluate(Given.Rules, mqtt, Sample("2019-03-20 10:00", tps: 700), NoAlarmsYet);

        Assert.Empty(raised);
        Assert.Empty(effects.Notices);
    }

    [Fact]
    public void R11_2_over_70_percent_of_the_limit_alarms_with_a_notice()
    {
        var mqtt = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30");

        var (raised, effects) = Alarms.Evaluate(Given.Rules, mqtt, Sample("2019-03-20 10:00", tps: 701), NoAlarmsYet);

        Assert.Equal([new Alarm(Metric.Tps, Given.Local("2019-03-20 10:00"), 701, 1_000, 70)], raised);
        var notice = Assert.Single(effects.Notices);
        Assert.Equal(NoticeKind.Alarm, notice.Kind);
        Assert.Equal(new InstanceId("i-1"), notice.InstanceId);
    }

    [Fact]
    public void R11_2_each_metric_has_its_own_limit()
    {
        // subscriptions 5000 → 3500; connections 1000 → 700.
        var mqtt = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30");

        var (quiet, _) = Alarms.Evaluate(
            Given.Rules, mqtt, Sample("2019-03-20 10:00", subscriptions: 3_500, connections: 700), NoAlarmsYet);
        var (loud, _) = Alarms.Evaluate(
            Given.Rules, mqtt, Sample("2019-03-20 10:00", subscriptions: 3_501, connections: 701), NoAlarmsYet);

        Assert.Empty(quiet);
        Assert.Equal([(Metric.Subscriptions, 5_000L), (Metric.Connections, 1_000L)], loud.Select(a => (a.Metric, a.Limit)));
    }

    [Fact]
    public void R11_2_a_custom_threshold_replaces_the_default()
    {
        var mqtt = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30") with
        {
            Alarms = AlarmSettings.Default with { Tps = new AlarmSetting(90, true) },
        };

        var (at900, _) = Alarms.Evaluate(Given.Rules, mqtt, Sample("2019-03-20 10:00", tps: 900), NoAlarmsYet);
        var (at901, _) = Alarms.Evaluate(Given.Rules, mqtt, Sample("2019-03-20 10:00", tps: 901), NoAlarmsYet);

        Assert.Empty(at900);
        Assert.Equal(90, Assert.Single(at901).ThresholdPercent);
    }

    [Fact]
    public void R11_2_a_switched_off_metric_never_alarms()
    {
        var mqtt = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30") with
        {
            Alarms = AlarmSettings.Default with { Tps = new AlarmSetting(70, false) },
        };

        var (raised, effects) = Alarms.Evaluate(Given.Rules, mqtt, Sample("2019-03-20 10:00", tps: 5_000), NoAlarmsYet);

        Assert.Empty(raised);
        Assert.Empty(effects.Notices);
    }

    [Fact]
    public void R11_2_at_most_one_alarm_per_metric_per_hour()
    {
        var mqtt = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30");
        var last = new Dictionary<Metric, Instant> { [Metric.Tps] = Given.Local("2019-03-20 10:00") };

        var (within, _) = Alarms.Evaluate(Given.Rules, mqtt, Sample("2019-03-20 10:59", tps: 800, subscriptions: 4_000), last);
        var (after, _) = Alarms.Evaluate(Given.Rules, mqtt, Sample("2019-03-20 11:00", tps: 800), last);

        Assert.Equal([Metric.Subscriptions], within.Select(a => a.Metric));
        Assert.Equal([Metric.Tps], after.Select(a => a.Metric));
    }

    [Fact]
    public void R11_2_setting_alarms_keeps_unnamed_metrics_touches_the_instance_and_records_the_settings()
    {
        var mqtt = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30");
        var now = Given.Local("2019-03-20 10:00");
        var request = new AlarmRequest(Tps: new AlarmSetting(95, true), Connections: new AlarmSetting(50, false));

        var change = Alarms.Set(Given.Rules, mqtt, Given.Account(), request, now).Value;

        Assert.Equal(new AlarmSettings(new(95, true), new(70, true), new(50, false)), change.Instance.Alarms);
        Assert.Equal(Progress.Before(now), change.Instance.Progress);
        var recorded = new TimelineEvent(mqtt.Id, now, TimelineKind.AlarmsChanged, "tps 95% on, subscriptions 70% on, connections 50% off");
        Assert.Equal(recorded, Assert.Single(change.Effects.Events));
        Assert.Equal([new DueEvent(EventKind.Reminder, Given.Local("2019-03-23 08:00"))], change.NextDue);
        Assert.Empty(change.Effects.Notices);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void R11_2_a_threshold_outside_1_to_100_is_refused_with_its_field(int percent)
    {
        var mqtt = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30");

        var request = new AlarmRequest(Subscriptions: new AlarmSetting(percent, true));

        var refused = Alarms.Set(Given.Rules, mqtt, Given.Account(), request, Given.Local("2019-03-20 10:00"));

        Assert.Equal(Refusal.Invalid("subscriptions.thresholdPercent", "thresholdPercent must be between 1 and 100."), refused.Refusal);
    }

    [Fact]
    public void R11_2_a_request_that_names_no_metric_is_refused()
    {
        var mqtt = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30");

        var refused = Alarms.Set(Given.Rules, mqtt, Given.Account(), new AlarmRequest(), Given.Local("2019-03-20 10:00"));

        Assert.Equal(("alarms", RefusalCode.Validation), (refused.Refusal!.Field, refused.Refusal.Code));
    }

    [Fact]
    public void R11_2_a_released_instance_has_no_alarms_to_set()
    {
        var released = Given.Expiring("mqtt", "mqtt.basic.1k", "2019-03-30") with
        {
            Status = InstanceStatus.Released,
            ReleasedAt = Given.Local("2019-04-06 00:00"),
        };
        var request = new AlarmRequest(Tps: new AlarmSetting(90, true));

        var refused = Alarms.Set(Given.Rules, released, Given.Account(), request, Given.Local("2019-04-07 10:00"));

        Assert.Equal(Refusal.State("i-1 was released; it has no alarms to set."), refused.Refusal);
    }

    private static UsageSample Sample(string at, long tps = 0, long subscriptions = 0, long connections = 0) =>
        new(Given.Local(at), tps, subscriptions, connections);
}
