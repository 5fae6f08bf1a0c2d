using NodaTime;
using Tenure.Domain;
using Tenure.Engine.Lifecycle;
using Tenure.Storage;

namespace Tenure.Engine.Clocks;

/// <summary>R12.1: create test clocks and advance them, running every event that falls due on the way.</summary>
public sealed class TestClocks(Database database, LifecycleEngine engine)
{
    public TestClock Create(Instant frozenTime, Instant now)
    {
        var clock = new TestClock(Session.NewId("clk"), frozenTime);
        using var session = database.Begin();
        session.InsertTestClock(clock, now);
        session.Commit();
        return clock;
    }

    public TestClock? Find(string id)
    {
        using var session = database.BeginRead();
        return session.TestClock(id);
    }

    /// <summary>
    /// Moves the clock to <paramref name="to"/>, running in time order every event of its instances
    /// due up to and including that instant (events that schedule further events too); returns the
    /// clock and how many events ran. A clock never goes back.
    /// </summary>
    public Outcome<(TestClock Clock, int EventsProcessed)> Advance(string id, Instant to)
    {
        if (Find(id) is not { } clock) return new Refusal(RefusalCode.NotFound, $"No test clock '{id}'.");
        if (to < clock.FrozenTime) return Refusal.Invalid("to", $"A test clock only moves forward; it is at {clock.FrozenTime}.");
        var ran = engine.RunAllDue(id, to, onTime: true);
        using var session = database.Begin();
        session.AdvanceTestClock(id, to);
        session.Commit();
        return (clock with { FrozenTime = to }, ran);
    }
}
