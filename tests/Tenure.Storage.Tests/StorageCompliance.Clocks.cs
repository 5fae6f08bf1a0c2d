using NodaTime;
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
    public void R12_1_an_advance_batch_takes_its_accounts_whole_and_runs_each_up_to_the_target()
    {
        // A batch of one row claims A's T-7 reminder (03-23 08:00), the clock's earliest event, and takes what of A's account
        // is due whole: C's reminder (03-24 08:00) runs in it too, while D's of another account, due at the same instant, is left
        // for the next batch; B is not due before 03-26. Before, the batch stopped at the due time of the first row it had not
        // claimed, C's or D's, and ran A's reminder alone. Each T-7 check plans A, C and B's attempts: 3000 against 2500.
        var (accountId, clock) = NewAccount("2019-01-28 09:00", 8500);
        var a = Buy(accountId, clock.Id, "ecs", "ecs.small", 2, "2019-01-29 10:00", autoRenew: true); // expires 03-30, tries 03-27
        var c = Buy(accountId, clock.Id, "ecs", "ecs.small", 2, "2019-01-30 10:00", autoRenew: true); // expires 03-31, tries 03-28
        var b = Buy(accountId, clock.Id, "ecs", "ecs.small", 2, "2019-02-01 10:00", autoRenew: true); // expires 04-02, tries 03-30
        var (otherId, _) = NewAccount("2019-01-28 09:00", 8500, on: clock);
        var d = Buy(otherId, clock.Id, "ecs", "ecs.small", 2, "2019-01-30 12:00"); // expires 03-31 as C, so T-7 as C's
        var engine = new LifecycleEngine(Db, Rules, batchSize: 1);
        var to = Local("2019-03-24 12:00");
        var names = new Dictionary<string, string> { [a.Id.Value] = "A", [b.Id.Value] = "B", [c.Id.Value] = "C", [d.Id.Value] = "D" };

        Assert.Equal((2, 2), engine.RunBatch(clock.Id, to, onTime: true));
        Assert.Equal(
        [
            "A 2019-03-23 08:00 lowBalance", "A 2019-03-23 08:00 reminderSent", "C 2019-03-24 08:00 lowBalance",
            "C 2019-03-24 08:00 reminderSent",
        ], Timeline(names));
        Assert.Equal((1, 1), engine.RunBatch(clock.Id, to, onTime: true));
        Assert.Equal("D 2019-03-24 08:00 reminderSent", Assert.Single(Timeline(names), e => e.StartsWith('D')));
        Assert.Equal((0, 0), engine.RunBatch(clock.Id, to, onTime: true));
        Assert.Empty(Verifier.Check(Db));
    }

    [Fact]
    public void R12_1_a_batch_that_sends_its_rows_as_it_goes_writes_what_one_that_holds_them_to_its_commit_does()
    {
        // Half a year of three auto-renew instances, renewed until the balance runs out, then stopped and released: a batch that
        // sends its rows after every event (a renewal's item is reported under its instance, saved before it) and one that
        // holds them all.
        // Each bought 2 months for 2000 (2500 of 8500 left); a month's renewal is 1000: A's on 03-27 and C's on 03-28 are paid,
        // B's attempts from 03-30 find 500: three purchases and two renewals.
        var asItGoes = HalfYear(writeEvery: 1);
        Assert.Equal(HalfYear(writeEvery: 20_000), asItGoes);
        Assert.Contains("A 2019-03-27 08:00 renewed", asItGoes);
        Assert.Contains("C 2019-03-28 08:00 renewed", asItGoes);
        Assert.Equal(["balance 500", "orders 5"], asItGoes[^2..]);
        Assert.Empty(Verifier.Check(Db));
    }

    /// <summary>The world above on a clock of its own, advanced with <paramref name="writeEvery"/>: timeline, events, money.</summary>
    private List<string> HalfYear(int writeEvery)
    {
        var (accountId, clock) = NewAccount("2019-01-28 09:00", 8500);
        var a = Buy(accountId, clock.Id, "ecs", "ecs.small", 2, "2019-01-29 10:00", autoRenew: true);
        var c = Buy(accountId, clock.Id, "ecs", "ecs.small", 2, "2019-01-30 10:00", autoRenew: true);
        var b = Buy(accountId, clock.Id, "ecs", "ecs.small", 2, "2019-02-01 10:00", autoRenew: true);
        var engine = new LifecycleEngine(Db, Rules, writeEvery: writeEvery);
        var ran = engine.RunAllDue(clock.Id, Local("2019-07-31 12:00"), onTime: true);
        var names = new Dictionary<string, string> { [a.Id.Value] = "A", [b.Id.Value] = "B", [c.Id.Value] = "C" };
        return [.. Timeline(names), $"events {ran}", $"balance {Read(s => s.Accounts([accountId], forUpdate: false)[accountId].Balance)}",
            $"orders {Read(s => s.Query<int>("SELECT COUNT(*) FROM orders WHERE account_id = @accountId", new { accountId }).Single())}"];
    }

    /// <summary>The clock's lifecycle events of these instances since they were bought, as "name local-time kind", sorted.</summary>
    private List<string> Timeline(Dictionary<string, string> names) =>
        [.. Read(s => s.Query<(string Id, long At, string Kind)>(
                "SELECT instance_id, at, kind FROM timeline_events WHERE kind <> 'purchased'").ToList())
            .Where(e => names.ContainsKey(e.Id))
            .Select(e => $"{names[e.Id]} {Show(Instant.FromUnixTimeTicks(e.At))} {e.Kind}").Order(StringComparer.Ordinal)];
}
