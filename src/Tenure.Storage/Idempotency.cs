using Dapper;
using NodaTime;

namespace Tenure.Storage;

/// <summary>The answer stored for an Idempotency-Key: the request it answered (its hash) and the response to replay.</summary>
public sealed record StoredAnswer(string RequestHash, int Status, string Body, string? Location);

/// <summary>
/// R13.2: Idempotency-Keys, claimed and answered inside the command's own transaction. A crash
/// before the commit loses the claim with the command; after it, the answer is there to replay.
/// </summary>
public sealed partial class Session
{
    /// <summary>
    /// Claims <paramref name="key"/> for this command; null when claimed (the command runs), else the
    /// answer stored by the first request. On PostgreSQL a concurrent duplicate waits here, on the
    /// key's index entry, until the first request's transaction ends.
    /// </summary>
    public async Task<StoredAnswer?> ClaimKeyAsync(
        string principal, string key, string requestHash, Instant now, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        var claimed = await Connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO idempotency (principal, key, request_hash, status_code, body, created_at) " +
            "VALUES (@principal, @key, @requestHash, 0, '', @now) ON CONFLICT DO NOTHING",
            new { principal, key, requestHash, now = Columns.Ticks(now) }, Transaction, cancellationToken: cancellationToken))
            .ConfigureAwait(false);
        if (claimed == 1) return null;
        var row = await Connection.QuerySingleAsync<(string Hash, long Status, string Body, string? Location)>(new CommandDefinition(
            "SELECT request_hash, status_code, body, location FROM idempotency WHERE principal = @principal AND key = @key",
            new { principal, key }, Transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new StoredAnswer(row.Hash, (int)row.Status, row.Body, row.Location);
    }

    /// <summary>The answer stored for <paramref name="key"/>, read outside any transaction; null when it has none (yet).</summary>
    public static async Task<StoredAnswer?> FindAnswerAsync(
        Database database, string principal, string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Hash, long Status, string Body, string? Location)>(new CommandDefinition(
            "SELECT request_hash, status_code, body, location FROM idempotency " +
            "WHERE principal = @principal AND key = @key AND status_code <> 0",
            new { principal, key }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.FirstOrDefault() is { Hash: not null } row ? new StoredAnswer(row.Hash, (int)row.Status, row.Body, row.Location) : null;
    }

    /// <summary>Stores the answer of the key this session claimed, written with the command's rows (one PostgreSQL round trip).</summary>
    public void AnswerKey(string principal, string key, int status, string body, string? location) =>
        _rows.Add("WITH v (principal, key, status, body, location) AS (VALUES",
            ") UPDATE idempotency SET status_code = v.status, body = v.body, location = v.location FROM v " +
            "WHERE idempotency.principal = v.principal AND idempotency.key = v.key",
            principal, key, (long)status, body, (object?)location ?? RowBuffer.TypedNull.Text);
}

/// <summary>Keeps the idempotency table small: answers older than the retention are forgotten.</summary>
public static class IdempotencyRetention
{
    /// <summary>Rows per delete, so that pruning holds the SQLite writer for milliseconds, never a command's patience.</summary>
    private const int Chunk = 1000;

    /// <summary>Deletes answers stored before <paramref name="before"/>, a chunk per transaction; returns how many.</summary>
    public static int Prune(Database database, Instant before)
    {
        var total = 0;
        while (true)
        {
            using var session = database.Begin();
            var deleted = session.Execute(
                "DELETE FROM idempotency WHERE (principal, key) IN " +
                "(SELECT principal, key FROM idempotency WHERE created_at < @before LIMIT @chunk)",
                new { before = Columns.Ticks(before), chunk = Chunk });
            session.Commit();
            total += deleted;
            if (deleted < Chunk) return total;
        }
    }
}
