using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Engine.Lifecycle;
using Tenure.Storage;

namespace Tenure.Api;

/// <summary>What every handler needs: the database, the rules and the clocks.</summary>
public sealed class ApiContext(Database database, Rules rules, IClock clock, LifecycleEngine engine)
{
    public Database Database { get; } = database;

    public Rules Rules { get; } = rules;

    public IClock Clock { get; } = clock;

    /// <summary>The account's now: its test clock's frozen time, or the system clock (R1.4, R12).</summary>
    public Instant NowFor(Session session, string clockId) =>
        clockId == Session.SystemClock
            ? Clock.GetCurrentInstant()
            : Instant.FromUnixTimeTicks(session.Single<long>("SELECT frozen_time FROM test_clocks WHERE id = @clockId", new { clockId }));

    /// <summary>
    /// An account the caller may see, with its now; null answers 404. With <paramref name="forUpdate"/>
    /// (commands) the row is locked on PostgreSQL — after any instance rows the command locked, as the engine does.
    /// </summary>
    public Scope? Account(Session session, Caller caller, string accountId, bool forUpdate = true)
    {
        if (!caller.Sees(accountId) || session.AccountRow(accountId) is not { } row) return null;
        var account = session.Accounts([accountId], forUpdate)[accountId];
        return new Scope(row, account, NowFor(session, row.ClockId));
    }

    /// <summary>
    /// An instance the caller may see, with its account; null answers 404 (a foreign instance is not found, R13.1).
    /// For commands the instance row is locked first, then the account, the engine's order, so neither deadlocks nor decides on a stale row.
    /// </summary>
    public (Instance Instance, Scope Scope)? Instance(Session session, Caller caller, string instanceId, bool forUpdate = true)
    {
        if (session.Instance(instanceId, forUpdate) is not { } instance || !caller.Sees(instance.AccountId.Value)) return null;
        if (forUpdate && session.AccountRow(instance.AccountId.Value) is { } row)
        {
            // Events the engine has not reached yet run first, so the command decides on the instance as it is now.
            engine.CatchUp(session, instance, row.ClockId, NowFor(session, row.ClockId));
            instance = session.Instance(instanceId)!;
        }

        return Account(session, caller, instance.AccountId.Value, forUpdate) is { } scope ? (instance, scope) : null;
    }

    /// <summary>Writes a decision and commits.</summary>
    public void Commit(Session session, Scope scope, Change change)
    {
        session.Save(change, scope.Now, scope.Row.ClockId);
        session.Commit();
    }
}

/// <summary>An account as a command sees it: its row, its money, and its now.</summary>
public sealed record Scope(AccountRow Row, Account Account, Instant Now);
