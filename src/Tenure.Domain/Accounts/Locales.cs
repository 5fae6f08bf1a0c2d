using System.Collections.Immutable;

namespace Tenure.Domain.Accounts;

/// <summary>
/// R9.6: the languages notices and the console speak — those of the seeds — by their BCP 47 tags; <c>en</c> unless the
/// account chose another.
/// </summary>
public static class Locales
{
    public const string Default = "en";

    /// <summary>Every supported tag, the default first.</summary>
    public static ImmutableArray<string> All { get; } = ["en", "zh-Hans", "zh-Hant", "ja"];

    /// <summary>The supported tag <paramref name="tag"/> names (case aside), or null.</summary>
    public static string? Find(string? tag) =>
        tag is null ? null : All.FirstOrDefault(t => string.Equals(t, tag, StringComparison.OrdinalIgnoreCase));

    /// <summary>R9.6: the account's locale as given, or a refusal naming the ones there are.</summary>
    public static Outcome<string> Parse(string? tag, string field = "locale") =>
        Find(tag) is { } found ? found : Refusal.Invalid(field, $"{field} must be one of {string.Join(", ", All)}.");
}
