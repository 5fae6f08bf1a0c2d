using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Storage;

namespace Tenure.Api;

/// <summary>What every reading handler needs: the database, the rules and the clocks.</summary>
public sealed class ApiContext(Database database, Rules rules, IClock clock)
{
    public Database Database { get; } = database;

    public Rules Rules { get; } = rules;

    public IClock Clock { get; } = clock;

    /// <summary>The account's now: its test clock's frozen time, or the system clock (R1.4, R12).</summary>
    public Instant NowFor(Session session, string clockId) =>
        clockId == Session.SystemClock
            ? Clock.GetCurrentInstant()
            : session.TestClock(clockId)?.FrozenTime ?? throw new InvalidOperationException($"Test clock {clockId} does not exist.");

    /// <summary>
    /// The now of each clock whose instances a list may show: the account's one, or with no account (an operator's
    /// list) the system clock and every test clock.
    /// </summary>
    public Dictionary<string, Instant> ClockNows(Session session, string? accountId)
    {
        if (accountId is not null)
        {
            return session.AccountRow(accountId) is { } row ? new() { [row.ClockId] = NowFor(session, row.ClockId) } : [];
        }

        var nows = session.TestClocks().ToDictionary(c => c.Id, c => c.FrozenTime);
        nows[Session.SystemClock] = Clock.GetCurrentInstant();
        return nows;
    }

    /// <summary>An account the caller may see, with its now, for reading; null answers 404.</summary>
    public Scope? Account(Session session, Caller caller, string accountId)
    {
        if (!caller.Sees(accountId) || session.AccountRow(accountId) is not { } row) return null;
        var account = session.Accounts([accountId], forUpdate: false)[accountId];
        return new Scope(row, account, NowFor(session, row.ClockId));
    }

    /// <summary>
    /// An instance the caller may see, with its account, for reading; null answers 404 (a foreign instance is not found, R13.1).
    /// </summary>
    public (Instance Instance, Scope Scope)? Instance(Session session, Caller caller, string instanceId)
    {
        if (session.Instance(instanceId) is not { } instance || !caller.Sees(instance.AccountId.Value)) return null;
        return Account(session, caller, instance.AccountId.Value) is { } scope ? (instance, scope) : null;
    }
}

/// <summary>An account as a command sees it: its row, its money, and its now.</summary>
public sealed record Scope(AccountRow Row, Account Account, Instant Now);
