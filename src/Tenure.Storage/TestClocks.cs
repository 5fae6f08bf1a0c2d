using NodaTime;

namespace Tenure.Storage;

/// <summary>A test clock: frozen at an instant until an operator advances it (R12.1).</summary>
public sealed record TestClock(string Id, Instant FrozenTime);

/// <summary>Test clocks (R12.1): the accounts on one live at its frozen time.</summary>
public sealed partial class Session
{
    public void InsertTestClock(TestClock clock, Instant createdAt) =>
        Execute("INSERT INTO test_clocks (id, frozen_time, created_at) VALUES (@Id, @frozen, @created)",
            new { clock.Id, frozen = Columns.Ticks(clock.FrozenTime), created = Columns.Ticks(createdAt) });

    public TestClock? TestClock(string id) =>
        Single<long?>("SELECT frozen_time FROM test_clocks WHERE id = @id", new { id }) is { } ticks
            ? new TestClock(id, Columns.At(ticks))
            : null;

    /// <summary>Every test clock, in ID order.</summary>
    public List<TestClock> TestClocks() =>
        [.. Query<(string Id, long FrozenTime)>("SELECT id, frozen_time FROM test_clocks ORDER BY id")
            .Select(c => new TestClock(c.Id, Columns.At(c.FrozenTime)))];

    /// <summary>Moves a clock's frozen time to <paramref name="to"/>; never back, so a late or repeated call changes nothing.</summary>
    public void AdvanceTestClock(string id, Instant to) =>
        Execute("UPDATE test_clocks SET frozen_time = @to WHERE id = @id AND frozen_time < @to", new { id, to = Columns.Ticks(to) });
}
