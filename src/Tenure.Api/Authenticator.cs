using System.Threading.RateLimiting;
using NodaTime;
using Tenure.Storage;

namespace Tenure.Api;

/// <summary>What authenticating a request found: its caller, or that the client address used up its failure budget.</summary>
public sealed record Authentication(Caller? Caller, bool Throttled);

/// <summary>
/// R13.1, R13.3: turns a bearer key (an account key, the operator key or a console session token)
/// into its caller, reading the database each time (no cache, so a revocation holds on the next
/// request). Failed attempts (a wrong key or none) are limited per client address: once an address
/// has used its budget, its requests answer 429 without any key being checked, so guessing is
/// throttled, until the budget refills.
/// </summary>
public sealed class Authenticator : IDisposable
{
    /// <summary>A key's last use is written at most this often, so reads do not each become a write.</summary>
    private static readonly Duration TouchEvery = Duration.FromMinutes(1);

    private readonly Database _database;
    private readonly Writer _writer;
    private readonly IClock _clock;
    private readonly string _operatorHash;
    private readonly Duration _sessionLifetime;
    private readonly PartitionedRateLimiter<string> _failures;

    public Authenticator(ApiOptions options, Writer writer)
    {
        _database = options.Database;
        _writer = writer;
        _clock = options.Clock;
        _operatorHash = ApiKeys.Hash(options.OperatorKey);
        _sessionLifetime = options.ConsoleSessionLifetime;
        OperatorRef = "operator:" + ApiKeys.Hash(_operatorHash)[..16];
        var budget = new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.AuthFailureBurst, TokensPerPeriod = 1, QueueLimit = 0,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / Math.Max(1, options.AuthFailuresPerMinute),
        };
        _failures = PartitionedRateLimiter.Create<string, string>(address =>
            RateLimitPartition.GetTokenBucketLimiter(address, _ => budget));
    }

    /// <summary>What a console session of the operator refers to: changes with the operator key, which ends those sessions.</summary>
    public string OperatorRef { get; }

    /// <summary>Authenticates a key sent from <paramref name="address"/>; a wrong or missing key counts against the address.</summary>
    public async Task<Authentication> AuthenticateAsync(string address, string? key, CancellationToken cancellationToken)
    {
        using (var open = _failures.AttemptAcquire(address, 0))
        {
            if (!open.IsAcquired) return new Authentication(null, Throttled: true);
        }

        if (await ResolveAsync(key, cancellationToken).ConfigureAwait(false) is { } caller) return new Authentication(caller, false);
        using var failure = _failures.AttemptAcquire(address);
        return new Authentication(null, Throttled: !failure.IsAcquired);
    }

    private async Task<Caller?> ResolveAsync(string? key, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(key)) return null;
        if (ApiKeys.Same(ApiKeys.Hash(key), _operatorHash)) return Caller.Operator;
        if (ConsoleTokens.IsToken(key))
        {
            var session = await Session.FindConsoleSessionAsync(_database, ApiKeys.Hash(key), _clock.GetCurrentInstant(), cancellationToken)
                .ConfigureAwait(false);
            return session switch
            {
                { AccountId: null, KeyRef: var keyRef } when keyRef == OperatorRef => Caller.Operator,
                { AccountId: { } account, KeyRef: var keyId } => new Caller(false, account) { KeyId = keyId },
                _ => null,
            };
        }

        if (await ApiKeys.FindAsync(_database, key, cancellationToken).ConfigureAwait(false) is not { } stored) return null;
        var now = _clock.GetCurrentInstant();
        if (stored.LastUsedAt is not { } used || now - used >= TouchEvery)
        {
            await _writer.RunAsync(session =>
            {
                session.TouchKey(stored.Id, now);
                return Task.FromResult(true);
            }, cancellationToken).ConfigureAwait(false);
        }

        return new Caller(false, stored.AccountId) { KeyId = stored.Id };
    }

    /// <summary>Starts a console session for a signed-in caller; the token is the cookie's, its hash the database's.</summary>
    public async Task<string> StartConsoleSessionAsync(Caller caller, CancellationToken cancellationToken)
    {
        var token = ConsoleTokens.New(out var idHash);
        var now = _clock.GetCurrentInstant();
        await _writer.RunAsync(session =>
        {
            session.StartConsoleSession(idHash, caller.KeyId ?? OperatorRef, caller.AccountId, now, now + _sessionLifetime);
            return Task.FromResult(true);
        }, cancellationToken).ConfigureAwait(false);
        return token;
    }

    /// <summary>Signs one console session out.</summary>
    public Task EndConsoleSessionAsync(string token, CancellationToken cancellationToken) =>
        _writer.RunAsync(session =>
        {
            session.EndConsoleSession(ApiKeys.Hash(token));
            return Task.FromResult(true);
        }, cancellationToken);

    /// <summary>"Sign out everywhere": ends every console session of this session's account (or of the operator).</summary>
    public async Task EndEveryConsoleSessionAsync(string token, CancellationToken cancellationToken)
    {
        var found = await Session.FindConsoleSessionAsync(_database, ApiKeys.Hash(token), _clock.GetCurrentInstant(), cancellationToken)
            .ConfigureAwait(false);
        if (found is null) return; // already ended: nothing of it is left to end
        await _writer.RunAsync(session =>
        {
            session.EndConsoleSessions(found.AccountId);
            return Task.FromResult(true);
        }, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _failures.Dispose();
}
