using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Localization;
using NodaTime;
using Tenure.Domain.Instances;
using Tenure.Domain.Time;
using Tenure.Engine.Notices;

namespace Tenure.Api.Web;

/// <summary>
/// The console's dates, money and worded values in the page's language (R9.6): English pages keep <see cref="Show"/>'s
/// forms unchanged, the others write through <see cref="LocaleFormat"/> (2019年3月30日 08:00, 1,234.50 USD), as their
/// notices do, and word values through the resource files.
/// </summary>
public static class Localized
{
    private static bool English => ConsoleText.Current == "en";

    /// <summary>The console's words in this request's language, for what a handler writes: page titles and notices.</summary>
    public static IStringLocalizer Words(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.RequestServices.GetRequiredService<IStringLocalizer<ConsoleText>>();
    }

    /// <summary>An instant in the billing zone, to the minute ("—" when there is none).</summary>
    public static string At(BillingCalendar calendar, Instant? at) =>
        English || at is not { } a ? Show.At(calendar, at) : LocaleFormat.DateTime(calendar, a, ConsoleText.Current);

    /// <summary>The billing-zone date of an instant.</summary>
    public static string Date(BillingCalendar calendar, Instant at) =>
        English ? Show.Date(calendar, at) : LocaleFormat.Date(calendar, at, ConsoleText.Current);

    /// <summary>A local date (a day of the billing calendar).</summary>
    public static string DateOf(LocalDate date) => English
        ? date.ToString("uuuu-MM-dd", System.Globalization.CultureInfo.InvariantCulture)
        : LocaleFormat.DateOf(date, ConsoleText.Current);

    /// <summary>Minor units with their currency.</summary>
    public static string Money(long amount, string currency) =>
        English ? Show.Money(amount, currency) : LocaleFormat.Money(amount, currency, ConsoleText.Current);

    /// <summary>A name such as "DowngradeToStandard" in words ("downgrade to standard" is the key of its translation).</summary>
    public static string Words(IStringLocalizer words, string name)
    {
        ArgumentNullException.ThrowIfNull(words);
        return Word(words, Show.Words(name));
    }

    /// <summary>
    /// The translation of <paramref name="key"/>. Resource names are one regardless of case (the resource build keeps
    /// one of "renewal" and "Renewal"), so outside English a word not found by its own case takes the other's.
    /// </summary>
    internal static string Word(IStringLocalizer words, string key)
    {
        var found = words[key];
        if (!found.ResourceNotFound || English || key.Length == 0) return found;
        var first = char.IsUpper(key[0]) ? char.ToLowerInvariant(key[0]) : char.ToUpperInvariant(key[0]);
        var other = words[first + key[1..]];
        return other.ResourceNotFound ? found : other;
    }

    /// <summary>A renewal mode as <see cref="Show.Mode"/> words it, in the page's language.</summary>
    public static string Mode(IStringLocalizer words, RenewalMode mode, int? months)
    {
        ArgumentNullException.ThrowIfNull(words);
        return mode == RenewalMode.Auto
            ? words[months == 1 ? "auto-renew every {0} month" : "auto-renew every {0} months", months ?? 0]
            : Word(words, Show.Mode(mode, months));
    }

    /// <summary>
    /// <see cref="Show.Planned"/> in the page's language: an auto-renewal attempt's words carry its numbers, so they are
    /// worded again from the count Show keeps; every other event's words are their key.
    /// </summary>
    public static IEnumerable<(PlannedEventDto Event, string Words)> Planned(
        IStringLocalizer words, IReadOnlyList<PlannedEventDto> items, int attempts)
    {
        ArgumentNullException.ThrowIfNull(words);
        var attempt = attempts - items.Count(e => e.Kind == "autoRenewAttempt");
        foreach (var (e, english) in Show.Planned(items, attempts))
        {
            if (e.Kind != "autoRenewAttempt")
            {
                // Resource names are unique regardless of case, and "release warning sent" is also a past event's words.
                yield return (e, e.Kind == "releaseWarning" ? words["Release warning sent (planned)"] : Word(words, english));
                continue;
            }

            var n = ++attempt;
            yield return (e, n > 1
                ? words["Auto-renewal attempt {0} of {1}, if the earlier ones fail", n, attempts]
                : words["Auto-renewal attempt {0} of {1}", n, attempts]);
        }
    }
}
