using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Domain.Lifecycle;
using Tenure.Domain.Renewals;
using static Tenure.Domain.Tests.Given;

namespace Tenure.Domain.Tests;

public sealed class AutoRenewTests
{
    private static readonly Instance AutoEcs = Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.Auto);

    internal static List<string> Plan(Instance instance, Account account) =>
        Schedule.Plan(Given.Rules, instance, account).Select(e => $"{e.Kind} {Show(e.At)}").ToList();

    internal static List<string> Steps(IEnumerable<Step> steps) =>
        steps.SelectMany(s => s.Change.Effects.Events.Select(e => $"{Show(e.At)} {TimelineKinds.Name(e.Kind)}")).ToList();

    [Fact]
    public void R4_3_attempts_run_at_T_minus_3_minus_1_T_plus_6_plus_14_at_08_00_then_stop_at_T_plus_15()
    {
        Assert.Equal(
        [
            "Reminder 2019-03-23 08:00",
            "AutoRenewAttempt 2019-03-27 08:00",
            "AutoRenewAttempt 2019-03-29 08:00",
            "Expire 2019-03-30 00:00",
            "AutoRenewAttempt 2019-03-30 08:00",
            "AutoRenewAttempt 2019-04-05 08:00",
            "AutoRenewAttempt 2019-04-13 08:00",
            "Stop 2019-04-14 00:00",
            "ReleaseWarning 2019-04-28 00:00",
            "Release 2019-04-29 00:00",
        ], Plan(AutoEcs, Account()));
    }

    [Fact]
    public void R4_3_first_attempt_succeeds_renews_from_E_and_cancels_the_rest()
    {
        var run = Simulation.Run(Given.Rules, [AutoEcs], Account(balance: 1000), Local("2019-04-20 00:00"));
        Assert.Equal(["2019-03-23 08:00 reminderSent", "2019-03-27 08:00 renewed"], Steps(run.Steps));
        var renewed = run.Instances[0];
        Assert.Equal("2019-04-30 00:00", Show(renewed.Expiry));
        Assert.Equal(0, run.Account.Balance);
        var order = run.Steps[1].Change.Effects.Order!;
        Assert.Equal(1000, order.Total);
        Assert.Equal(Local("2019-03-30 00:00"), order.Items[0].PeriodStart);
        Assert.Equal("AutoRenewAttempt 2019-04-27 08:00",
            Plan(renewed, run.Account).First(p => p.StartsWith("Auto", StringComparison.Ordinal)));
    }

    [Fact]
    public void R4_3_failures_retry_on_03_29_03_30_04_05_04_13_and_success_at_T_plus_14_still_renews_from_E()
    {
        var failing = Simulation.Run(Given.Rules, [AutoEcs], Account(), Local("2019-04-13 07:59"));
        Assert.Equal(
        [
            "2019-03-23 08:00 reminderSent",
            "2019-03-23 08:00 lowBalance",
            "2019-03-27 08:00 autoRenewFailed",
            "2019-03-29 08:00 autoRenewFailed",
            "2019-03-30 00:00 expired",
            "2019-03-30 08:00 autoRenewFailed",
            "2019-04-05 08:00 autoRenewFailed",
        ], Steps(failing.Steps));

        var toppedUp = failing.Account with { Balance = 1500 };
        var last = Simulation.Run(Given.Rules, failing.Instances, toppedUp, Local("2019-04-14 00:00"));
        Assert.Equal(["2019-04-13 08:00 renewed"], Steps(last.Steps));
        Assert.Equal("2019-04-30 00:00", Show(last.Instances[0].Expiry));
        Assert.Equal(InstanceStatus.Running, last.Instances[0].Status);
        Assert.Equal(500, last.Account.Balance);
    }

    [Fact]
    public void R4_4_a_failed_attempt_notifies_with_the_reason_and_after_T_plus_14_no_more_attempts()
    {
        var run = Simulation.Run(Given.Rules, [AutoEcs], Account(), Local("2019-04-13 09:00"));
        var failures = run.Steps.SelectMany(s => s.Change.Effects.Notices).Where(n => n.Kind == NoticeKind.AutoRenewFailed).ToList();
        Assert.Equal(5, failures.Count);
        Assert.Equal([-3, -1, 0, 6, 14], failures.Select(n => n.Data.AttemptOffset));
        Assert.Equal([false, false, false, false, true], failures.Select(n => n.Data.LastAttempt));
        Assert.All(failures, n => Assert.True(n.Data.Shortfall > 0));
        Assert.Equal(["Stop 2019-04-14 00:00", "ReleaseWarning 2019-04-28 00:00", "Release 2019-04-29 00:00"],
            Plan(run.Instances[0], run.Account));
    }

    [Fact]
    public void R4_5_auto_instance_keeps_running_after_expiry_until_T_plus_15_and_manual_renewal_then_renews_from_E()
    {
        var run = Simulation.Run(Given.Rules, [AutoEcs], Account(), Local("2019-04-10 12:00"));
        var expired = run.Instances[0];
        Assert.Equal(InstanceStatus.Running, expired.Status);
        Assert.True(expired.IsExpired(Local("2019-04-10 12:00")));

        var renewed = Renewal.Renew(Given.Rules, expired, run.Account with { Balance = 1000 }, 1, Local("2019-04-10 12:00")).Value;
        Assert.Equal("2019-04-30 00:00", Show(renewed.Instance.Expiry));
        Assert.Empty(renewed.Effects.Actions);

        var stopped = Simulation.Run(Given.Rules, [AutoEcs], Account(), Local("2019-04-14 00:00")).Instances[0];
        Assert.Equal(InstanceStatus.Stopped, stopped.Status);
        Assert.Equal("2019-04-14 00:00", Show(stopped.StoppedAt!.Value));
    }

    [Fact]
    public void R4_6_manual_renewal_before_an_attempt_moves_the_schedule_to_the_new_expiry()
    {
        var renewed = Renewal.Renew(Given.Rules, AutoEcs, Account(balance: 1000), 1, Local("2019-03-25 09:00")).Value;
        Assert.Equal("2019-04-30 00:00", Show(renewed.Instance.Expiry));
        var run = Simulation.Run(Given.Rules, [renewed.Instance], renewed.Account, Local("2019-04-26 00:00"));
        Assert.Equal(["2019-04-23 08:00 reminderSent", "2019-04-23 08:00 lowBalance"], Steps(run.Steps));
        var next = Schedule.Next(Given.Rules, run.Instances[0], run.Account)!.Value;
        Assert.Equal("AutoRenewAttempt 2019-04-27 08:00", $"{next.Kind} {Show(next.At)}");
    }

    [Fact]
    public void R4_8_when_the_balance_covers_only_some_the_earliest_expiring_renew_first()
    {
        var later = Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.Auto, id: "i-a");
        var earlier = Expiring("ecs", "ecs.small", "2019-03-29", RenewalMode.Auto, id: "i-z");
        var run = Simulation.Run(Given.Rules, [later, earlier], Account(balance: 1000), Local("2019-03-27 08:00"));
        var byId = run.Instances.ToDictionary(i => i.Id.Value);
        Assert.Equal("2019-04-29 00:00", Show(byId["i-z"].Expiry));
        Assert.Equal("2019-03-30 00:00", Show(byId["i-a"].Expiry));
        Assert.Contains(run.Steps,
            s => s.InstanceId.Value == "i-a" && s.Change.Effects.Events.Any(e => e.Kind == TimelineKind.AutoRenewFailed));
        Assert.Equal(0, run.Account.Balance);
    }

    [Fact]
    public void R4_8_attempts_due_at_the_same_instant_go_to_the_earliest_expiry_first()
    {
        // i-a's T-3 and i-z's T fall together at 2019-03-30 08:00; the balance covers one renewal.
        var later = Expiring("ecs", "ecs.small", "2019-04-02", RenewalMode.Auto, id: "i-a");
        var earlier = Expiring("ecs", "ecs.small", "2019-03-30", RenewalMode.Auto, id: "i-z");
        var broke = Simulation.Run(Given.Rules, [later, earlier], Account(), Local("2019-03-29 09:00"));
        var run = Simulation.Run(Given.Rules, broke.Instances, broke.Account with { Balance = 1000 }, Local("2019-03-30 08:00"));
        var byId = run.Instances.ToDictionary(i => i.Id.Value);
        Assert.Equal("2019-04-30 00:00", Show(byId["i-z"].Expiry));
        Assert.Equal("2019-04-02 00:00", Show(byId["i-a"].Expiry));
        Assert.Equal(["2019-03-30 00:00 expired", "2019-03-30 08:00 renewed", "2019-03-30 08:00 autoRenewFailed"], Steps(run.Steps));
    }
}
