using NodaTime;
using Tenure.Domain;
using Tenure.Engine.Lifecycle;
using Tenure.Storage;

namespace Tenure.Engine.Clocks;

/// <summary>R12.1: create test clocks and advance them, running every event that falls due on the way.</summary>
public sealed class TestClocks(Database database, LifecycleEngine engine)
{
    /// <summary>
    /// A new clock at <paramref name="frozenTime"/>, in a unit of work of its own (tests and tools; the API's runs in its command).
    /// </summary>
    public TestClock Create(Instant frozenTime, Instant now)
    {
        using var session = database.Begin();
        var clock = Create(session, frozenTime, now);
        session.Commit();
        return clock;
    }

    /// <summary>
    /// Runs the clock's due events up to <paramref name="to"/>, then moves it there (tests and tools; the API moves it in its command).
    /// </summary>
    public Outcome<(TestClock Clock, int EventsProcessed)> Advance(string id, Instant to) => RunDue(id, to).Then<(TestClock, int)>(ran =>
    {
        using var session = database.Begin();
        Move(session, id, to);
        session.Commit();
        return (new TestClock(id, to), ran);
    });

    /// <summary>A new clock at <paramref name="frozenTime"/>, written in the command's session.</summary>
    public static TestClock Create(Session session, Instant frozenTime, Instant now)
    {
        var clock = new TestClock(Session.NewId("clk"), frozenTime);
        session.InsertTestClock(clock, now);
        return clock;
    }

    public TestClock? Find(string id)
    {
        using var session = database.BeginRead();
        return session.TestClock(id);
    }

    /// <summary>
    /// The longest single advance: a year's cycle with its reminders, grace and release fits, while the
    /// events one request runs stay bounded (a PAYG instance is charged hourly: at most 9,600 charges
    /// in 400 days, where ten years were 87,672). Longer spans are advanced in steps.
    /// </summary>
    public static readonly Duration MaxAdvance = Duration.FromDays(400);

    /// <summary>
    /// Runs in time order every event of the clock's instances due up to and including
    /// <paramref name="to"/> (events that schedule further events too), batch by batch; returns how
    /// many ran. The clock itself moves in the command that follows (<see cref="Move"/>): if that
    /// never commits, a retry finds these events done and runs nothing twice.
    /// </summary>
    public Outcome<int> RunDue(string id, Instant to)
    {
        if (Find(id) is not { } clock) return new Refusal(RefusalCode.NotFound, $"No test clock '{id}'.");
        if (to < clock.FrozenTime) return Refusal.Invalid("to", $"A test clock only moves forward; it is at {clock.FrozenTime}.");
        if (to - clock.FrozenTime > MaxAdvance)
        {
            return new Refusal(RefusalCode.InvalidPeriod,
                $"A test clock moves at most {MaxAdvance.Days} days per advance (it is at {clock.FrozenTime}); advance in steps.", "to");
        }

        return engine.RunAllDue(id, to, onTime: true);
    }

    /// <summary>Moves the clock to <paramref name="to"/> in the command's session; a clock never goes back.</summary>
    public static void Move(Session session, string id, Instant to) =>
        session.AdvanceTestClock(id, to);
}
