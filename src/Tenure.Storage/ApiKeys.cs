using Dapper;
using NodaTime;

namespace Tenure.Storage;

/// <summary>An account API key as stored: the public prefix it is found by, and the SHA-256 hash of the whole key.</summary>
public sealed record StoredKey(string Prefix, string Hash, string AccountId)
{
    /// <summary>The key's ID, made from its prefix (which is public: it is part of the key and of its listing).</summary>
    public string Id => IdOf(Prefix);

    /// <summary>When the key was last used (to the minute it is kept at), or null.</summary>
    public Instant? LastUsedAt { get; init; }

    public static string IdOf(string prefix) => "key-" + prefix;
}

/// <summary>A key as the operator lists it (R13.3): never its secret or hash.</summary>
public sealed record KeyListing(string Id, string Prefix, Instant CreatedAt, Instant? LastUsedAt, Instant? RevokedAt);

/// <summary>R13.1, R13.3: account API keys; several per account, each revocable.</summary>
public sealed partial class Session
{
    public void InsertKey(StoredKey key, Instant at) =>
        _rows.Add("INSERT INTO api_keys (id, prefix, hash, account_id, created_at) VALUES", string.Empty,
            key.Id, key.Prefix, key.Hash, key.AccountId, Columns.Ticks(at));

    /// <summary>
    /// The unrevoked key with this prefix, read outside any transaction (it never waits for a writer)
    /// and never cached, so a revocation holds from the next request on.
    /// </summary>
    public static async Task<StoredKey?> FindKeyAsync(Database database, string prefix, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Hash, string? AccountId, long? LastUsedAt)>(new CommandDefinition(
            "SELECT hash, account_id, last_used_at FROM api_keys WHERE prefix = @prefix AND revoked_at IS NULL", new { prefix },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.FirstOrDefault() is { Hash: not null, AccountId: { } account } row
            ? new StoredKey(prefix, row.Hash, account) { LastUsedAt = row.LastUsedAt is { } used ? Columns.At(used) : null }
            : null;
    }

    /// <summary>Whether the key is still unrevoked, read in this unit of work (a command re-checks its caller's key).</summary>
    public async Task<bool> KeyActiveAsync(string keyId, CancellationToken cancellationToken) =>
        (await QueryAsync<long>("SELECT COUNT(*) FROM api_keys WHERE id = @keyId AND revoked_at IS NULL", new { keyId }, cancellationToken)
            .ConfigureAwait(false)).Single() > 0;

    /// <summary>An account's keys, oldest first.</summary>
    public List<KeyListing> Keys(string accountId) =>
        [.. Query<(string Id, string Prefix, long CreatedAt, long? LastUsedAt, long? RevokedAt)>(
                "SELECT id, prefix, created_at, last_used_at, revoked_at FROM api_keys WHERE account_id = @accountId " +
                "ORDER BY created_at, id",
                new { accountId })
            .Select(ToListing)];

    /// <summary>One key of an account, or null.</summary>
    public KeyListing? Key(string accountId, string keyId) =>
        Query<(string Id, string Prefix, long CreatedAt, long? LastUsedAt, long? RevokedAt)>(
                "SELECT id, prefix, created_at, last_used_at, revoked_at FROM api_keys WHERE account_id = @accountId AND id = @keyId",
                new { accountId, keyId })
            .Select(ToListing).FirstOrDefault();

    /// <summary>Revokes a key (a revoked one keeps its first revocation time) and ends the console sessions made from it.</summary>
    public void RevokeKey(string accountId, string keyId, Instant at)
    {
        Execute("UPDATE api_keys SET revoked_at = @at WHERE account_id = @accountId AND id = @keyId AND revoked_at IS NULL",
            new { accountId, keyId, at = Columns.Ticks(at) });
        Execute("DELETE FROM console_sessions WHERE key_ref = @keyId", new { keyId });
    }

    /// <summary>Notes a key's use; never moves the time back.</summary>
    public void TouchKey(string keyId, Instant at) =>
        Execute("UPDATE api_keys SET last_used_at = @at WHERE id = @keyId AND (last_used_at IS NULL OR last_used_at < @at)",
            new { keyId, at = Columns.Ticks(at) });

    private static KeyListing ToListing((string Id, string Prefix, long CreatedAt, long? LastUsedAt, long? RevokedAt) row) =>
        new(row.Id, row.Prefix, Columns.At(row.CreatedAt), row.LastUsedAt is { } used ? Columns.At(used) : null,
            row.RevokedAt is { } revoked ? Columns.At(revoked) : null);
}
