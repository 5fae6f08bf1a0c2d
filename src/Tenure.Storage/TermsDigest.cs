using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace Tenure.Storage;

/// <summary>
/// R8.9: the <c>instances.terms_digest</c> column (migration 0026), one number for the columns that price an instance's
/// renewal — product, spec, months, components and pending change, as stored — so that the renewals to come group per
/// account and price from a narrow index instead of from the JSON text. The first 64 bits of a SHA-256 of them: two
/// different sets of terms in one account sharing it is as likely as a guessed hash. Equal terms written as different
/// text get different digests, which only splits a group (<see cref="Session.UpcomingGroups"/> merges equal terms).
/// </summary>
internal static class TermsDigest
{
    public static long Of(string product, string spec, long months, string components, string? pendingChange)
    {
        // Each part behind its length, so that no two lists of parts make the same bytes.
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{product.Length}:{product}{spec.Length}:{spec}{months}:{components.Length}:{components}" +
            $"{pendingChange?.Length ?? -1}:{pendingChange}");
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), hash);
        return BinaryPrimitives.ReadInt64LittleEndian(hash);
    }

    public static long Of(InstanceRow r) => Of(r.Product, r.Spec, r.AutoRenewMonths, r.Components, r.PendingChange);

    /// <summary>
    /// Gives the instances written before migration 0026 their digest, once: while its table <c>terms_digest_fill</c> exists,
    /// which the same transaction drops. Each distinct set of price columns is hashed once and joined back to its rows.
    /// </summary>
    public static void Fill(Database database)
    {
        using var connection = database.Open();
        var pending = database.Dialect == Dialect.Postgres
            ? "SELECT to_regclass('terms_digest_fill') IS NOT NULL"
            : "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'terms_digest_fill')";
        if (!connection.ExecuteScalar<bool>(pending)) return;
        using var transaction = connection.BeginTransaction();
        var terms = connection.Query<(string Product, string Spec, long Months, string Components, string? PendingChange)>(
            "SELECT DISTINCT product, spec, auto_renew_months, components, pending_change FROM instances", transaction: transaction);
        connection.Execute(
            "CREATE TEMPORARY TABLE terms_digests (product TEXT NOT NULL, spec TEXT NOT NULL, months BIGINT NOT NULL, " +
            "components TEXT NOT NULL, pending_change TEXT, digest BIGINT NOT NULL); " +
            "CREATE INDEX ix_terms_digests ON terms_digests (product, spec, months, components)", transaction: transaction);
        connection.Execute(
            "INSERT INTO terms_digests VALUES (@Product, @Spec, @Months, @Components, @PendingChange, @Digest)",
            terms.Select(t => new { t.Product, t.Spec, t.Months, t.Components, t.PendingChange,
                Digest = Of(t.Product, t.Spec, t.Months, t.Components, t.PendingChange) }).ToList(),
            transaction);
        connection.Execute(
            "UPDATE instances SET terms_digest = d.digest FROM terms_digests d WHERE instances.product = d.product AND " +
            "instances.spec = d.spec AND instances.auto_renew_months = d.months AND instances.components = d.components AND " +
            "instances.pending_change IS NOT DISTINCT FROM d.pending_change; DROP TABLE terms_digests; DROP TABLE terms_digest_fill",
            transaction: transaction, commandTimeout: 0);
        transaction.Commit();
    }
}
