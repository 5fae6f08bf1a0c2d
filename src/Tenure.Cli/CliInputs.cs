using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Tenure.Cli;

/// <summary>
/// Options whose parse errors read as sentences ("--months must be a whole number of months, e.g. 3"), never as
/// System.CommandLine's "expected type 'System.Int32'"; and the times and amounts people type.
/// </summary>
internal static class CliInputs
{
    private static readonly LocalDateTimePattern[] LocalPatterns =
    [
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd HH:mm"),
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd'T'HH:mm"),
        LocalDateTimePattern.CreateWithInvariantCulture("uuuu-MM-dd"),
    ];

    /// <summary>A whole number; <paramref name="unit"/> and <paramref name="example"/> complete the error sentence.</summary>
    public static Option<int> Whole(string name, string description, string unit, int example) =>
        new(name) { Description = description, CustomParser = r => WholeOf(r, name, unit, example) ?? 0 };

    /// <summary>An optional whole number, null when the option is not given.</summary>
    public static Option<int?> OptionalWhole(string name, string description, string unit, int example) =>
        new(name) { Description = description, CustomParser = r => WholeOf(r, name, unit, example) };

    /// <summary>An amount in the currency's major units ("50", "12.50"), as minor units.</summary>
    public static Option<long> Amount(string name, string description) =>
        new(name)
        {
            Description = description,
            CustomParser = r =>
            {
                var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : string.Empty;
                if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var major)
                    && major > 0 && major <= 1_000_000_000_000m && decimal.Round(major, 2) == major)
                {
                    return (long)(major * 100);
                }

                r.AddError($"{name} must be a positive amount with at most two decimals, e.g. 50 or 12.50 ('{text}' is not).");
                return 0;
            },
        };

    /// <summary>
    /// A time as typed: a UTC instant (<c>2019-03-20T02:00:00Z</c>) or a local time in the billing zone
    /// (<c>2019-03-20 10:00</c>, or a date for its midnight); a time in a daylight-saving gap moves on, as the rules do (R1.5).
    /// Null when it is neither.
    /// </summary>
    public static Instant? Time(string text, DateTimeZone? zone)
    {
        if (InstantPattern.ExtendedIso.Parse(text) is { Success: true } instant) return instant.Value;
        foreach (var pattern in LocalPatterns)
        {
            if (pattern.Parse(text) is { Success: true } local) return (zone ?? DateTimeZone.Utc).AtLeniently(local.Value).ToInstant();
        }

        return null;
    }

    /// <summary>The sentence for a time that did not parse.</summary>
    public static string TimeError(string name, string text) =>
        $"{name} '{text}' is not a time: give one in the billing zone like 2019-03-20 10:00 (or a date), "
        + "or in UTC like 2019-03-20T02:00:00Z.";

    private static int? WholeOf(ArgumentResult result, string name, string unit, int example)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return value;
        result.AddError($"{name} must be a whole number of {unit}, e.g. {example} ('{text}' is not).");
        return null;
    }
}
