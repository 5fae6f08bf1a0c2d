using System.Security.Cryptography;

namespace Tenure.Api;

/// <summary>
/// Console session tokens (R13.3): <c>tcs_</c> and 64 random hex digits, kept in the console's
/// cookie and stored only as their SHA-256 hash, so neither the cookie nor the database holds a key.
/// </summary>
public static class ConsoleTokens
{
    public const string Prefix = "tcs_";

    public static string New(out string idHash)
    {
        var token = Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        idHash = ApiKeys.Hash(token);
        return token;
    }

    public static bool IsToken(string text) => text.StartsWith(Prefix, StringComparison.Ordinal) && text.Length == Prefix.Length + 64;
}
