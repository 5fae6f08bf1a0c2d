using NodaTime;

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
}
