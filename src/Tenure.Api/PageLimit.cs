using Microsoft.AspNetCore.Http.HttpResults;

namespace Tenure.Api;

/// <summary>API.md conventions: every list takes <c>?limit=</c> from 1 to 500 (default 50); anything else is 400, never clamped.</summary>
public static class PageLimit
{
    public const int Default = 50;

    public const int Max = 500;

    /// <summary>The problem of a limit out of bounds, or null when it is absent or fine.</summary>
    public static ProblemHttpResult? Problem(int? limit) =>
        limit is < 1 or > Max ? Problems.Invalid("limit", $"limit must be between 1 and {Max}.") : null;
}
