using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Tenure.Storage;

namespace Tenure.Api;

/// <summary>Who is calling: the operator, or one account (R13.1).</summary>
public sealed record Caller(bool IsOperator, string? AccountId)
{
    public static Caller Operator { get; } = new(true, null);

    /// <summary>Whether the caller may see this account's objects (a foreign one answers 404).</summary>
    public bool Sees(string accountId) => IsOperator || AccountId == accountId;
}

/// <summary>
/// R13.1: API keys. Account keys are <c>tnr_PREFIX_SECRET</c>, shown once and stored as the prefix
/// (for lookup) and a SHA-256 hash; the operator key comes from configuration.
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

    /// <summary>The caller a bearer key belongs to, or null for no key or an unknown one.</summary>
    public static async Task<Caller?> ResolveAsync(Database database, string operatorKeyHash, string? key, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(key)) return null;
        var hash = Hash(key);
        if (Same(hash, operatorKeyHash)) return Caller.Operator;
        if (key.Split('_') is not ["tnr", { Length: 12 } prefix, { Length: 32 }]) return null;
        var stored = await Session.FindKeyAsync(database, prefix, cancellationToken).ConfigureAwait(false);
        return stored is not null && Same(stored.Hash, hash) ? new Caller(false, stored.AccountId) : null;
    }

    private static bool Same(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}

/// <summary>The caller of a request, set by the authentication middleware.</summary>
public static class CallerOfRequest
{
    public static Caller Caller(this HttpContext context) =>
        context.Items[typeof(Caller)] as Caller ?? throw new InvalidOperationException("The request was not authenticated.");
}
