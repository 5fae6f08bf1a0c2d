using Microsoft.AspNetCore.Http.HttpResults;

namespace Tenure.Api;

/// <summary>The bounds of the free-text fields a request may carry (issue 11: a 1 MB e-mail address was accepted).</summary>
public static class Inputs
{
    /// <summary>RFC 5321's longest forward path, less its angle brackets.</summary>
    public const int MaxEmail = 254;

    public const int MaxName = 200;

    public const int MaxPhone = 32;

    public static ProblemHttpResult? Name(string name) =>
        string.IsNullOrWhiteSpace(name) || name.Length > MaxName
            ? Problems.Invalid("name", $"name is required (at most {MaxName} characters).")
            : null;

    public static ProblemHttpResult? Email(string email) =>
        email.Length > MaxEmail || email.IndexOf('@', StringComparison.Ordinal) is < 1 || email.EndsWith('@') || email.Any(char.IsControl)
            ? Problems.Invalid("email", $"email must be an e-mail address of at most {MaxEmail} characters.")
            : null;

    public static ProblemHttpResult? Phone(string? phone) =>
        phone is { Length: > MaxPhone } || phone?.Any(char.IsControl) == true
            ? Problems.Invalid("phone", $"phone has at most {MaxPhone} characters.")
            : null;
}
