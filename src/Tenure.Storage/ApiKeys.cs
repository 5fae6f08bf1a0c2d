using Dapper;

namespace Tenure.Storage;

/// <summary>An account API key as stored: the public prefix it is found by, and the SHA-256 hash of the whole key.</summary>
public sealed record StoredKey(string Prefix, string Hash, string AccountId);

/// <summary>R13.1: account API keys.</summary>
public sealed partial class Session
{
    public void InsertKey(StoredKey key, NodaTime.Instant at) =>
        _rows.Add("INSERT INTO api_keys (prefix, hash, account_id, created_at) VALUES", string.Empty, key.Prefix, key.Hash, key.AccountId, Columns.Ticks(at));

    /// <summary>The key with this prefix, read outside any transaction (it never waits for a writer).</summary>
    public static async Task<StoredKey?> FindKeyAsync(Database database, string prefix, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Hash, string? AccountId)>(new CommandDefinition(
            "SELECT hash, account_id FROM api_keys WHERE prefix = @prefix", new { prefix }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.FirstOrDefault() is { Hash: not null, AccountId: { } account } row ? new StoredKey(prefix, row.Hash, account) : null;
    }
}
