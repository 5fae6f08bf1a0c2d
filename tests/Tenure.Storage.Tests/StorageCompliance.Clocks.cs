using NodaTime;
using Tenure.Domain.Instances;
using Tenure.Domain.Renewals;
using Tenure.Engine.Lifecycle;

namespace Tenure.Storage.Tests;

/// <summary>Test clocks and the backlog gauge on each database (R12.1).</summary>
public abstract partial class StorageCompliance
{
    private void Write(Action<Session> write)
    {
        using var session = Db.Begin();
        write(session);
        session.Commit();
    }

    [Fact]
    public void R12_1_test_clocks_are_listed_in_ID_order_and_only_move_forward()
    {
        Write(s =>
        {
            s.InsertTestClock(new TestClock("clk-b", Local("2019-03-01 10:00")), Local("2019-01-01 00:00"));
            s.InsertTestClock(new TestClock("clk-a", Local("2019-03-01 10:00")), Local("2019-01-01 00:00"));
            s.AdvanceTestClock("clk-a", Local("2019-03-05 10:00"));
            s.AdvanceTestClock("clk-a", Local("2019-03-02 10:00"));
        });
        Assert.Equal(
            [new TestClock("clk-a", Local("2019-03-05 10:00")), new TestClock("clk-b", Local("2019-03-01 10:00"))],
            Read(s => s.TestClocks()));
        Assert.Equal(new TestClock("clk-b", Local("2019-03-01 10:00")), Read(s => s.TestClock("clk-b")));
        Assert.Null(Read(s => s.TestClock("clk-none")));
    }

    [Fact]
    public void The_backlog_gauge_counts_the_instances_due_and_the_oldest_due_time()
    {
        var (accountId, clock) = NewAccount("2019-03-01 09:00", 5000);
        Buy(accountId, clock.Id, "ecs", "ecs.small", 1, "2019-03-01 10:00"); // expires 04-02: the T-7 reminder is due 03-26 08:00
        Buy(accountId, clock.Id, "ecs", "ecs.small", 1, "2019-03-02 10:00");
        Assert.Equal((0L, (Instant?)null), Db.Backlog(clock.Id, Local("2019-03-26 07:59")));
        Assert.Equal((1L, Local("2019-03-26 08:00")), Db.Backlog(clock.Id, Local("2019-03-26 09:00")));
        Assert.Equal((2L, Local("2019-03-26 08:00")), Db.Backlog(clock.Id, Local("2019-03-27 08:00")));
        Assert.Equal((0L, (Instant?)null), Db.Backlog(Session.SystemClock, Local("2019-03-27 08:00")));
    }

    [Fact]
    public void R8_7_a_command_between_two_batches_of_an_advance_is_seen_by_the_kept_forecast_as_by_a_fresh_read()
    {
        // A's T-7 reminder (03-23) runs alone in the first batch and plans the account's book: A, C and B auto-renew, 3000
        // against 2500. Then a command sets B to manual; B has no event before C's T-7 reminder (03-24), whose 7 days hold
        // A's, C's and (while auto) B's attempts: 2000 now, covered. The kept book must see the command as a fresh read does.
        var kept = Scenario(new KeptBooks());
        var fresh = Scenario(null);
        Assert.Equal(fresh, kept);
        Assert.Equal(
        [
            "A 2019-01-29 10:00 purchased", "A 2019-03-23 08:00 lowBalance", "A 2019-03-23 08:00 reminderSent",
            "B 2019-02-01 10:00 purchased", "B 2019-02-01 11:00 renewalModeChanged",
            "C 2019-01-30 10:00 purchased", "C 2019-03-24 08:00 reminderSent",
        ], kept);
        Assert.Empty(Verifier.Check(Db));
    }

    /// <summary>The world above on a clock of its own, advanced batch by batch with <paramref name="kept"/>; its timeline.</summary>
    private List<string> Scenario(KeptBooks? kept)
    {
        var (accountId, clock) = NewAccount("2019-01-28 09:00", 8500);
        var a = Buy(accountId, clock.Id, "ecs", "ecs.small", 2, "2019-01-29 10:00", autoRenew: true); // expires 03-30, tries 03-27
        var c = Buy(accountId, clock.Id, "ecs", "ecs.small", 2, "2019-01-30 10:00", autoRenew: true); // expires 03-31, tries 03-28
        var b = Buy(accountId, clock.Id, "ecs", "ecs.small", 2, "2019-02-01 10:00", autoRenew: true); // expires 04-02, tries 03-30
        var engine = new LifecycleEngine(Db, Rules, batchSize: 1);
        var to = Local("2019-03-24 12:00");
        Assert.Equal((1, 1), engine.RunBatch(clock.Id, to, onTime: true, kept));
        Write(s =>
        {
            var account = s.Accounts([accountId], forUpdate: true)[accountId];
            var instance = s.Instance(b.Id.Value, forUpdate: true)!;
            s.Save(RenewalSettings.Set(Rules, instance, account, RenewalMode.Manual, null, Local("2019-02-01 11:00")).Value,
                Local("2019-02-01 11:00"), clock.Id);
        });
        while (engine.RunBatch(clock.Id, to, onTime: true, kept) is { Instances: > 0 }) { }
        var names = new Dictionary<string, string> { [a.Id.Value] = "A", [b.Id.Value] = "B", [c.Id.Value] = "C" };
        return [.. Read(s => s.Query<(string Id, long At, string Kind)>(
                "SELECT t.instance_id, t.at, t.kind FROM timeline_events t JOIN instances i ON i.id = t.instance_id " +
                "WHERE i.account_id = @accountId", new { accountId }).ToList())
            .Select(e => $"{names[e.Id]} {Show(Instant.FromUnixTimeTicks(e.At))} {e.Kind}").Order(StringComparer.Ordinal)];
    }
}
