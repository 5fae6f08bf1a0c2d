using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Catalog;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.Renewals;
using static Tenure.Domain.Tests.AutoRenewTests;
using static Tenure.Domain.Tests.Given;

namespace Tenure.Domain.Tests;

public sealed class LifecycleTests
{
    private static Rules WithProduct(string code, Func<Product, Product> change)
    {
        var product = Given.Rules.Catalog.Get(code);
        return Given.Rules with
        {
            Catalog = Given.Rules.Catalog with { Products = Given.Rules.Catalog.Products.Replace(product, change(product)) },
        };
    }

    [Fact]
    public void R1_4_time_comes_only_from_the_caller()
    {
        // The same decision at two "nows" differs only by what the caller passes; the machine's clock is never read.
        var manual = Expiring("ecs", "ecs.small", "2019-03-30");
        Assert.Null(Lifecycle.Lifecycle.Advance(Given.Rules, manual, Account(), Local("2019-03-23 07:59")));
        var reminded = Lifecycle.Lifecycle.Advance(Given.Rules, manual, Account(), Local("2019-03-23 08:00"))!;
        Assert.Equal(Local("2019-03-23 08:00"), reminded.Effects.Notices.Single().At);
    }

    [Fact]
    public void R5_1_states_and_the_expired_flag()
    {
        var auto = Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.Auto);
        Assert.False(auto.IsExpired(Local("2019-03-29 23:59")));
        Assert.True(auto.IsExpired(Local("2019-03-30 00:00")));
        var stopped = Simulation.Run(Given.Rules, [auto], Account(), Local("2019-04-14 00:00")).Instances[0];
        Assert.Equal(InstanceStatus.Stopped, stopped.Status);
        Assert.False(stopped.IsExpired(Local("2019-04-14 00:00")));
        var released = Simulation.Run(Given.Rules, [auto], Account(), Local("2019-05-01 00:00")).Instances[0];
        Assert.Equal(InstanceStatus.Released, released.Status);
    }

    [Fact]
    public void R5_2_without_auto_renew_an_instance_stops_at_expiry_or_after_the_products_delay()
    {
        var manual = Expiring("ecs", "ecs.small", "2019-03-30");
        Assert.Contains("Stop 2019-03-30 00:00", Plan(manual, Account()));
        var delayed = WithProduct("ecs", p => p with { StopDelayDays = 3 });
        Assert.Contains("Stop 2019-04-02 00:00", Schedule.Plan(delayed, manual, Account()).Select(e => $"{e.Kind} {Show(e.At)}"));
        var noRenew = Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.NoRenew);
        Assert.Contains("Stop 2019-03-30 00:00", Plan(noRenew, Account()));
    }

    [Theory]
    [InlineData("ecs", "ecs.small", "2019-04-14 00:00")]
    [InlineData("mqtt", "mqtt.basic.1k", "2019-04-06 00:00")]
    [InlineData("rocketmq", "rocketmq.platinum.2k", "2019-04-06 00:00")]
    public void R5_3_a_stopped_instance_is_released_after_the_products_retention(string product, string spec, string release)
    {
        var run = Simulation.Run(Given.Rules, [Expiring(product, spec, "2019-03-30")], Account(), Local("2019-06-01 00:00"));
        var released = run.Instances[0];
        Assert.Equal(InstanceStatus.Released, released.Status);
        Assert.Equal("2019-03-30 00:00", Show(run.Steps.Single(s => s.Due.Kind == EventKind.Stop).Due.At));
        Assert.Equal(release, Show(released.ReleasedAt!.Value));
    }

    [Fact]
    public void R5_3_release_on_stop_products_are_released_at_the_moment_they_would_stop()
    {
        var oss = Expiring("oss-package", "oss.500g", "2019-03-30");
        Assert.Equal(
            [
                "Reminder 2019-03-23 08:00", "Reminder 2019-03-27 08:00", "ReleaseWarning 2019-03-29 00:00", "Reminder 2019-03-29 08:00",
                "Expire 2019-03-30 00:00", "Release 2019-03-30 00:00",
            ],
            Plan(oss, Account()));
        var run = Simulation.Run(Given.Rules, [oss], Account(), Local("2019-03-30 00:00"));
        Assert.DoesNotContain(run.Steps, s => s.Due.Kind == EventKind.Stop);
        Assert.Equal(InstanceStatus.Released, run.Instances[0].Status);
        Assert.Equal(RefusalCode.NotRenewable, Renewal.Quote(Given.Rules, run.Instances[0], 1, Local("2019-03-30 09:00")).Refusal!.Code);
    }

    [Fact]
    public void R5_4_renewing_a_stopped_instance_starts_it_again_with_a_start_action()
    {
        var stopped = Simulation.Run(
            Given.Rules, [Expiring("ecs", "ecs.small", "2019-03-30")], Account(), Local("2019-04-02 15:00")).Instances[0];
        Assert.Equal(InstanceStatus.Stopped, stopped.Status);
        var renewed = Renewal.Renew(Given.Rules, stopped, Account(balance: 1000), 1, Local("2019-04-02 15:00")).Value;
        Assert.Equal(InstanceStatus.Running, renewed.Instance.Status);
        Assert.Equal([ResourceActionKind.Start], renewed.Effects.Actions.Select(a => a.Kind));
        Assert.Contains(renewed.Effects.Notices, n => n.Kind == NoticeKind.Started);
        Assert.Contains(renewed.Effects.Events, e => e.Kind == TimelineKind.Started);
    }

    [Fact]
    public void R5_5_release_is_final_with_the_post_release_action()
    {
        var run = Simulation.Run(Given.Rules, [Expiring("ecs", "ecs.small", "2019-03-30")], Account(), Local("2019-04-14 00:00"));
        var released = run.Instances[0];
        Assert.Null(Schedule.Next(Given.Rules, released, run.Account));
        var release = run.Steps.Single(s => s.Due.Kind == EventKind.Release).Change.Effects.Actions.Single();
        Assert.Equal(ResourceActionKind.Release, release.Kind);
        Assert.Equal("deleteResources", release.Detail);
        Assert.Equal(RefusalCode.NotRenewable,
            Renewal.Renew(Given.Rules, released, Account(balance: 10_000), 1, Local("2019-04-15 00:00")).Refusal!.Code);
        Assert.Null(Lifecycle.Lifecycle.Advance(Given.Rules, released, run.Account, Local("2030-01-01 00:00")));
    }

    [Fact]
    public void R5_6_no_stop_agreement_keeps_expired_instances_running_except_noRenew()
    {
        var manual = Expiring("ecs", "ecs.small", "2019-03-30", id: "i-manual");
        var noRenew = Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.NoRenew, id: "i-norenew");
        var run = Simulation.Run(Given.Rules, [manual, noRenew], Account(noStop: true), Local("2019-06-01 00:00"));
        var byId = run.Instances.ToDictionary(i => i.Id.Value);
        Assert.Equal(InstanceStatus.Running, byId["i-manual"].Status);
        Assert.True(byId["i-manual"].IsExpired(Local("2019-06-01 00:00")));
        Assert.Equal(InstanceStatus.Released, byId["i-norenew"].Status);
        Assert.Equal("2019-04-14 00:00", Show(byId["i-norenew"].ReleasedAt!.Value));

        // Renewing under the agreement starts from E: the customer pays for the days used after expiry.
        var renewed = Renewal.Renew(
            Given.Rules, byId["i-manual"], Account(balance: 3000, noStop: true), 3, Local("2019-06-01 00:00")).Value;
        Assert.Equal("2019-06-30 00:00", Show(renewed.Instance.Expiry));
    }

    [Fact]
    public void R6_7_downgrade_to_standard_still_happens_under_a_no_stop_agreement()
    {
        var platinum = Expiring("rocketmq", "rocketmq.platinum.2k", "2019-03-30") with
        {
            PostExpirationAction = PostExpirationAction.DowngradeToStandard,
        };
        var run = Simulation.Run(Given.Rules, [platinum], Account(balance: 1000, noStop: true), Local("2019-03-30 00:00"));
        var converted = run.Instances[0];
        Assert.Equal((ChargeType.Payg, "standard", InstanceStatus.Running), (converted.ChargeType, converted.Edition, converted.Status));
        Assert.Equal(Local("2019-03-30 00:00"), converted.PaygBilledThrough);
    }

    [Fact]
    public void R5_2_switching_an_expired_auto_instance_to_manual_stops_it_at_once()
    {
        var failed = Simulation.Run(
            Given.Rules, [Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.Auto)], Account(), Local("2019-04-02 12:00"));
        var manual = RenewalSettings
            .Set(Given.Rules, failed.Instances[0], failed.Account, RenewalMode.Manual, null, Local("2019-04-02 12:00"))
            .Value.Instance;
        Assert.Equal(["Stop 2019-04-02 12:00", "ReleaseWarning 2019-04-16 12:00", "Release 2019-04-17 12:00"],
            Plan(manual, failed.Account));
        var stopped = Simulation.Run(Given.Rules, [manual], failed.Account, Local("2019-04-02 12:00")).Instances[0];
        Assert.Equal((InstanceStatus.Stopped, Local("2019-04-02 12:00")), (stopped.Status, stopped.StoppedAt));
    }

    [Fact]
    public void R5_6_ending_the_agreement_stops_expired_instances_now_and_releases_them_after_retention()
    {
        var kept = Simulation.Run(
            Given.Rules, [Expiring("ecs", "ecs.small", "2019-03-30")], Account(noStop: true), Local("2019-05-01 10:00"));
        Assert.Equal(InstanceStatus.Running, kept.Instances[0].Status);
        var ended = Accounts.NoStopAgreement.Set(Given.Rules, kept.Account, false, kept.Instances, Local("2019-05-01 10:00"));
        Assert.Equal(["Stop 2019-05-01 10:00", "ReleaseWarning 2019-05-15 10:00", "Release 2019-05-16 10:00"],
            Plan(ended.Instance, ended.Account));
        var released = Simulation.Run(Given.Rules, ended.Instances, ended.Account, Local("2019-06-01 00:00")).Instances[0];
        Assert.Equal(Local("2019-05-16 10:00"), released.ReleasedAt);
    }

    [Fact]
    public void R5_6_a_change_carries_each_next_event_under_the_account_it_leaves()
    {
        // Under the agreement the expired instance has nothing ahead; the change that ends it says "stop now".
        var expired = Expiring("ecs", "ecs.small", "2019-03-30");
        var kept = Simulation.Run(Given.Rules, [expired], Account(noStop: true), Local("2019-05-01 10:00"));
        Assert.Null(Schedule.Next(Given.Rules, kept.Instances[0], kept.Account));
        var ended = Accounts.NoStopAgreement.Set(Given.Rules, kept.Account, false, kept.Instances, Local("2019-05-01 10:00"));
        Assert.Equal([new DueEvent(EventKind.Stop, Local("2019-05-01 10:00"))], ended.NextDue);
    }

    [Fact]
    public void R5_6_R7_6_a_plan_reads_the_account_only_where_SamePlans_looks()
    {
        // Every pair of account states SamePlans calls the same gives every kind of instance the same plan.
        var since = new Instant?[] { null, Local("2019-03-01 13:00"), Local("2019-03-02 13:00") };
        var accounts = (from balance in new long[] { -100, 0, 100 } from negativeSince in since from noStop in new[] { false, true }
                        select Account(balance, noStop) with { NegativeSince = negativeSince }).ToList();
        var mqtt = Expiring("mqtt", "mqtt.basic.1k", "2019-03-30");
        var stopped = Simulation.Run(Given.Rules, [mqtt], Account(), Local("2019-04-01 00:00")).Instances[0];
        Instance[] instances =
        [
            Expiring("ecs", "ecs.small", "2019-03-30"), Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.Auto),
            Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.NoRenew),
            Bought("rocketmq", "rocketmq.standard", "2019-03-01 10:20", null, chargeType: ChargeType.Payg),
            stopped,
        ];
        var pairs = 0;
        foreach (var a in accounts)
        {
            foreach (var b in accounts.Where(b => Schedule.SamePlans(a, b)))
            {
                pairs++;
                foreach (var instance in instances)
                {
                    Assert.Equal(Schedule.Plan(Given.Rules, instance, a).Take(40), Schedule.Plan(Given.Rules, instance, b).Take(40));
                }
            }
        }

        Assert.Equal(2 * ((7 * 7) + (1 * 1) + (1 * 1)), pairs); // per switch: 7 states never overdue, and each overdue instant alone
    }

    [Fact]
    public void R5_7_every_state_change_is_an_event_with_a_resource_action()
    {
        var run = Simulation.Run(Given.Rules, [Expiring("mqtt", "mqtt.basic.1k", "2019-03-30")], Account(), Local("2019-04-10 00:00"));
        var stop = run.Steps.Single(s => s.Due.Kind == EventKind.Stop).Change.Effects;
        Assert.Equal((TimelineKind.Stopped, ResourceActionKind.Stop), (stop.Events.Single().Kind, stop.Actions.Single().Kind));
        var release = run.Steps.Single(s => s.Due.Kind == EventKind.Release).Change.Effects;
        Assert.Equal((TimelineKind.Released, ResourceActionKind.Release), (release.Events.Single().Kind, release.Actions.Single().Kind));
        Assert.Equal(Local("2019-04-06 00:00"), release.Actions.Single().At);
        Assert.Equal("i-1:release:2019-04-05T16:00:00Z", release.Actions.Single().IdempotencyKey);
    }

    [Fact]
    public void R9_1_manual_gets_T_minus_7_3_1_noRenew_one_at_expiry_auto_one_at_T_minus_7()
    {
        string[] Reminders(RenewalMode mode) =>
            [
                .. Schedule.Plan(Given.Rules, Expiring("ecs", "ecs.small", "2019-03-30", mode), Account())
                    .Where(e => e.Kind == EventKind.Reminder)
                    .Select(e => Show(e.At)),
            ];

        Assert.Equal(["2019-03-23 08:00", "2019-03-27 08:00", "2019-03-29 08:00"], Reminders(RenewalMode.Manual));
        Assert.Equal(["2019-03-30 00:00"], Reminders(RenewalMode.NoRenew));
        Assert.Equal(["2019-03-23 08:00"], Reminders(RenewalMode.Auto));
        var ticket = Schedule.Plan(Given.Rules, Expiring("event-ticket", "ticket", "2019-03-30"), Account())
            .Where(e => e.Kind == EventKind.Reminder);
        Assert.Equal(["2019-03-23 08:00"], ticket.Select(e => Show(e.At)));
    }

    [Fact]
    public void R9_2_failed_attempts_stops_releases_and_renewals_send_notices()
    {
        var failed = Simulation.Run(
            Given.Rules, [Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.Auto)], Account(), Local("2019-05-01 00:00"));
        var kinds = failed.Steps.SelectMany(s => s.Change.Effects.Notices).Select(n => n.Kind).ToList();
        Assert.Equal(
        [
            NoticeKind.ExpiryReminder, NoticeKind.LowBalance, NoticeKind.AutoRenewFailed, NoticeKind.AutoRenewFailed,
            NoticeKind.AutoRenewFailed, NoticeKind.AutoRenewFailed, NoticeKind.AutoRenewFailed, NoticeKind.Stopped,
            NoticeKind.ReleaseWarning, NoticeKind.Released,
        ], kinds);
        var renewed = Renewal.Renew(
            Given.Rules, Expiring("ecs", "ecs.small", "2019-03-30"), Account(balance: 1000), 1, Local("2019-03-20 10:00")).Value;
        Assert.Equal(NoticeKind.Renewed, renewed.Effects.Notices.Single().Kind);
        Assert.Equal(Local("2019-04-30 00:00"), renewed.Effects.Notices.Single().Data.ExpiresAt);
    }

    [Fact]
    public void R9_3_release_warning_one_day_before_release_and_none_when_no_release_will_come()
    {
        Assert.Contains("ReleaseWarning 2019-04-13 00:00", Plan(Expiring("ecs", "ecs.small", "2019-03-30"), Account()));
        var downgrading = Expiring("rocketmq", "rocketmq.platinum.2k", "2019-03-30") with
        {
            PostExpirationAction = PostExpirationAction.DowngradeToStandard,
        };
        Assert.DoesNotContain(Schedule.Plan(Given.Rules, downgrading, Account()),
            e => e.Kind is EventKind.ReleaseWarning or EventKind.Release);
        Assert.DoesNotContain(Schedule.Plan(Given.Rules, Expiring("ecs", "ecs.small", "2019-03-30"), Account(noStop: true)),
            e => e.Kind == EventKind.ReleaseWarning);
    }

    [Fact]
    public void R9_4_a_notice_has_one_key_per_instance_kind_cycle_and_day_offset_and_a_passed_day_is_not_sent_late()
    {
        var manual = Expiring("ecs", "ecs.small", "2019-03-30");
        var once = Lifecycle.Lifecycle.Advance(Given.Rules, manual, Account(), Local("2019-03-23 08:00"))!.Effects.Notices.Single();
        var again = Lifecycle.Lifecycle.Advance(Given.Rules, manual, Account(), Local("2019-03-23 09:30"))!.Effects.Notices.Single();
        Assert.Equal("i-1:ExpiryReminder:2019-03-29T16:00:00Z:-7", once.DedupeKey);
        Assert.Equal(once.DedupeKey, again.DedupeKey);

        var keys = Simulation.Run(Given.Rules, [manual], Account(), Local("2019-03-29 09:00")).Steps
            .SelectMany(s => s.Change.Effects.Notices)
            .Select(n => n.DedupeKey)
            .ToList();
        Assert.Equal(
            [
                "i-1:ExpiryReminder:2019-03-29T16:00:00Z:-7", "i-1:ExpiryReminder:2019-03-29T16:00:00Z:-3",
                "i-1:ExpiryReminder:2019-03-29T16:00:00Z:-1",
            ],
            keys);

        // An engine that was down from 03-22 to 03-24 records the T-7 reminder as skipped rather than sending it late.
        var late = Lifecycle.Lifecycle.Advance(Given.Rules, manual, Account(), Local("2019-03-24 10:00"))!;
        Assert.Empty(late.Effects.Notices);
        Assert.Equal(TimelineKind.ReminderSkipped, late.Effects.Events.Single().Kind);
    }

    [Fact]
    public void R9_4_catch_up_after_downtime_runs_due_events_in_order_at_their_own_instants()
    {
        // Down from before T-3 until after the stop: attempts still run (and fail) in order, the stop keeps its instant.
        var auto = Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.Auto);
        var instance = auto;
        var account = Account(balance: 500);
        var ran = new List<string>();
        var now = Local("2019-04-20 12:00");
        while (Lifecycle.Lifecycle.Advance(Given.Rules, instance, account, now, [instance]) is { } change)
        {
            ran.AddRange(change.Effects.Events.Select(e => $"{Show(e.At)} {TimelineKinds.Name(e.Kind)}"));
            instance = change.Instance;
            account = change.Account;
        }

        Assert.Equal(
        [
            "2019-03-23 08:00 reminderSkipped", "2019-03-27 08:00 autoRenewFailed", "2019-03-29 08:00 autoRenewFailed",
            "2019-03-30 00:00 expired", "2019-03-30 08:00 autoRenewFailed", "2019-04-05 08:00 autoRenewFailed",
            "2019-04-13 08:00 autoRenewFailed", "2019-04-14 00:00 stopped",
        ], ran);
        Assert.Equal(InstanceStatus.Stopped, instance.Status);
        Assert.Equal(Local("2019-04-14 00:00"), instance.StoppedAt);
        Assert.Equal(ImmutableList<Accounts.Coupon>.Empty, account.Coupons);
    }

    [Fact]
    public void R2_5_payg_instances_have_no_expiry_and_are_charged_hourly_from_creation()
    {
        var payg = Bought("rocketmq", "rocketmq.standard", "2019-03-01 10:20", null, chargeType: ChargeType.Payg);
        Assert.Null(payg.ExpiresAt);
        Assert.Equal(["PaygCharge 2019-03-01 11:20", "PaygCharge 2019-03-01 12:20"],
            Schedule.Plan(Given.Rules, payg, Account()).Take(2).Select(e => $"{e.Kind} {Show(e.At)}"));
        // An endless plan holds no reminder to find: asking for the first of a kind is refused, not a loop.
        Assert.Throws<ArgumentException>(() => Schedule.Next(Given.Rules, payg, Account(), EventKind.Reminder));
        Assert.Equal(RefusalCode.NotRenewable, Renewal.Quote(Given.Rules, payg, 1, Local("2019-03-02 00:00")).Refusal!.Code);
        var run = Simulation.Run(Given.Rules, [payg], Account(balance: 100), Local("2019-03-01 13:20"));
        Assert.Equal(3, run.Steps.Length);
        Assert.Equal(40, run.Account.Balance);
        Assert.All(run.Steps, s => Assert.Equal(-20, s.Change.Effects.Ledger.Single().Amount));
        Assert.Equal(Duration.FromHours(1), run.Steps[1].Due.At - run.Steps[0].Due.At);
    }
}
