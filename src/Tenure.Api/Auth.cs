using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Tenure.Storage;

namespace Tenure.Api;

/// <summary>Who is calling: the operator, or one account (R13.1); and the account key it came with, if any.</summary>
public sealed record Caller(bool IsOperator, string? AccountId)
{
    public static Caller Operator { get; } = new(true, null);

    /// <summary>The account key (or the key behind a console session) that authenticated the request; null for the operator.</summary>
    public string? KeyId { get; init; }

    /// <summary>Whom limits and idempotency keys belong to: "operator" or the account's ID, however the key was spelled (R13.3).</summary>
    public string Principal => IsOperator ? "operator" : AccountId!;

    /// <summary>Whether the caller may see this account's objects (a foreign one answers 404).</summary>
    public bool Sees(string accountId) => IsOperator || AccountId == accountId;
}

/// <summary>
/// R13.1: API keys. Account keys are <c>tnr_PREFIX_SECRET</c>, shown once and stored as the prefix
/// (for lookup) and a SHA-256 hash; the operator key comes from configuration. A console session
/// token (<c>tcs_…</c>, see <see cref="ConsoleTokens"/>) stands for the key it was signed in with.
/// </summary>
public static class ApiKeys
{
    public static string NewKey(out string prefix, out string hash)
    {
        prefix = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var key = $"tnr_{prefix}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";
        hash = Hash(key);
        return key;
    }

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The bearer key of an Authorization header (any casing of the scheme, any spaces around the key), or null.</summary>
    public static string? Bearer(string header)
    {
        var trimmed = header.Trim();
        const string scheme = "Bearer";
        var bearer = trimmed.Length > scheme.Length && trimmed.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            && char.IsWhiteSpace(trimmed[scheme.Length]);
        return bearer
            ? trimmed[scheme.Length..].Trim()
            : null;
    }

    /// <summary>The account key this text is, if it has an account key's shape and a stored, unrevoked key matches it.</summary>
    public static async Task<StoredKey?> FindAsync(Database database, string key, CancellationToken cancellationToken)
    {
        if (key.Split('_') is not ["tnr", { Length: 12 } prefix, { Length: 32 }]) return null;
        var stored = await Session.FindKeyAsync(database, prefix, cancellationToken).ConfigureAwait(false);
        return stored is not null && Same(stored.Hash, Hash(key)) ? stored : null;
    }

    public static bool Same(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}

/// <summary>The caller of a request, set by the authentication middleware.</summary>
public static class CallerOfRequest
{
    public static Caller Caller(this HttpContext context) =>
        context.Items[typeof(Caller)] as Caller ?? throw new InvalidOperationException("The request was not authenticated.");
}
