using Dapper;
using NodaTime;

namespace Tenure.Storage;

/// <summary>A live console session: the key it was made from (a key ID or the operator's reference) and its account.</summary>
public sealed record ConsoleSessionRow(string KeyRef, string? AccountId);

/// <summary>Console sign-ins (R13.3): the cookie refers to one of these, never to the key itself.</summary>
public sealed partial class Session
{
    /// <summary>Starts a session; sessions that have ended by now are removed on the way, so the table holds live ones only.</summary>
    public void StartConsoleSession(string idHash, string keyRef, string? accountId, Instant now, Instant expiresAt)
    {
        Execute("DELETE FROM console_sessions WHERE expires_at <= @now", new { now = Columns.Ticks(now) });
        Execute("INSERT INTO console_sessions (id_hash, key_ref, account_id, created_at, expires_at) " +
                "VALUES (@idHash, @keyRef, @accountId, @now, @expiresAt)",
            new { idHash, keyRef, accountId, now = Columns.Ticks(now), expiresAt = Columns.Ticks(expiresAt) });
    }

    public void EndConsoleSession(string idHash) => Execute("DELETE FROM console_sessions WHERE id_hash = @idHash", new { idHash });

    /// <summary>"Sign out everywhere": every session of the account, or with a null account every operator session.</summary>
    public void EndConsoleSessions(string? accountId) =>
        Execute(accountId is null
            ? "DELETE FROM console_sessions WHERE account_id IS NULL"
            : "DELETE FROM console_sessions WHERE account_id = @accountId", new { accountId });

    /// <summary>
    /// The session with this hashed ID if it has not expired and, for an account's, its key is not
    /// revoked; read outside any transaction and never cached.
    /// </summary>
    public static async Task<ConsoleSessionRow?> FindConsoleSessionAsync(
        Database database, string idHash, Instant now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string KeyRef, string? AccountId)>(new CommandDefinition(
            "SELECT s.key_ref, s.account_id FROM console_sessions s LEFT JOIN api_keys k ON k.id = s.key_ref " +
            "WHERE s.id_hash = @idHash AND s.expires_at > @now AND (s.account_id IS NULL OR (k.id IS NOT NULL AND k.revoked_at IS NULL))",
            new { idHash, now = Columns.Ticks(now) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.FirstOrDefault() is { KeyRef: not null } row ? new ConsoleSessionRow(row.KeyRef, row.AccountId) : null;
    }
}
