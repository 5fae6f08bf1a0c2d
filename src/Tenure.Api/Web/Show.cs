using System.Globalization;
using System.Text;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;
using Tenure.Domain.Instances;
using Tenure.Domain.Time;
using Tenure.Engine.Notices;

namespace Tenure.Api.Web;

/// <summary>
/// How the console writes money, times, names and its words for people, in the page's language (R9.6). English keeps its
/// forms (2019-03-30 08:00, 1234.50 USD); the others write through <see cref="LocaleFormat"/> (2019年3月30日 08:00,
/// 1,234.50 USD), as their notices do. Words come from the same resource files and localizer as <c>@L</c> in the pages,
/// for what code words with values: a notice after an action, a quote's wording, a renewal mode, a chart's labels. A notice
/// is worded when it is made, since it reaches the next page already written (Shell shows it through <c>L</c> again, which
/// leaves a text that is not a key as it is).
/// </summary>
public static class Show
{
    private static readonly IStringLocalizer Resources =
        new ResourceManagerStringLocalizerFactory(Options.Create(new LocalizationOptions()), NullLoggerFactory.Instance)
            .Create(typeof(ConsoleText));

    /// <summary>Whether the page is in English, whose forms stay as they were.</summary>
    internal static bool English => ConsoleText.Current == "en";

    /// <summary>
    /// <paramref name="english"/> (the key) in the page's language, its placeholders filled invariantly. Resource names are
    /// one regardless of case (the resource build keeps one of "renewal" and "Renewal"), so outside English a key not found
    /// by its own case takes the other's.
    /// </summary>
    public static string Text(string english, params object[] values)
    {
        ArgumentNullException.ThrowIfNull(english);
        var found = Resources[english, values];
        if (!found.ResourceNotFound || English || english.Length == 0) return found;
        var first = char.IsUpper(english[0]) ? char.ToLowerInvariant(english[0]) : char.ToUpperInvariant(english[0]);
        var other = Resources[first + english[1..], values];
        return other.ResourceNotFound ? found : other;
    }

    /// <summary>
    /// What the API's error <paramref name="code"/> means, in the page's language (the key <c>error: insufficient-funds</c>,
    /// …; <c>error: other</c> for a code without one), for the English detail that follows it; null in English, whose page
    /// shows the detail alone, or without a code.
    /// </summary>
    public static string? Refusal(string? code)
    {
        if (code is null || English) return null;
        var found = Resources["error: " + code];
        return found.ResourceNotFound ? Text("error: other") : found;
    }

    /// <summary>
    /// Minor units as "1234.50 USD" in English, as everywhere else; in the other languages as their notices write it
    /// (<see cref="LocaleFormat"/>: "1,234.50 USD").
    /// </summary>
    public static string Money(long amount, string currency) =>
        English ? new Domain.Money.Money(amount, currency).ToString() : LocaleFormat.Money(amount, currency, ConsoleText.Current);

    /// <summary>An instant in the billing zone, to the minute ("2019年3月30日 08:00" in Chinese and Japanese; "—" for none).</summary>
    public static string At(BillingCalendar calendar, Instant? at) =>
        at is not { } a ? "—"
        : English ? calendar.Local(a).ToString("uuuu-MM-dd HH:mm", CultureInfo.InvariantCulture)
        : LocaleFormat.DateTime(calendar, a, ConsoleText.Current);

    /// <summary>The billing-zone date of an instant.</summary>
    public static string Date(BillingCalendar calendar, Instant at)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        return DateOf(calendar.DateOf(at));
    }

    /// <summary>A local date (a day of the billing calendar): "2019-03-30", "2019年3月30日".</summary>
    public static string DateOf(LocalDate date) =>
        English ? date.ToString("uuuu-MM-dd", CultureInfo.InvariantCulture) : LocaleFormat.DateOf(date, ConsoleText.Current);

    /// <summary>A day without its year, for a chart's axis: "05-02", "5月2日".</summary>
    public static string Day(LocalDate date) =>
        date.ToString(English ? "MM-dd" : "M'月'd'日'", CultureInfo.InvariantCulture);

    /// <summary>A month, for a chart's axis: "Apr 19", "2019年4月".</summary>
    public static string Month(LocalDate month) =>
        month.ToString(English ? "MMM yy" : "uuuu'年'M'月'", CultureInfo.InvariantCulture);

    /// <summary>A rate as a percentage to a tenth: "66.7 %" in English, "66.7%" in Chinese and Japanese.</summary>
    public static string Percent(double rate) =>
        (rate * 100).ToString("0.#", CultureInfo.InvariantCulture) + (English ? " %" : "%");

    /// <summary>Items of a list in one line: "a; b" in English, "a；b" in Chinese and Japanese.</summary>
    public static string List(IEnumerable<string> items) => string.Join(English ? "; " : "；", items);

    /// <remarks>
    /// Resource names differ by more than case, so the lower-case words are keyed "mode: …" beside the tabs' "Manual renewal"
    /// and "Do not renew" (the English file still says "manual renewal").
    /// </remarks>
    public static string Mode(RenewalMode mode, int? months) => mode switch
    {
        RenewalMode.Auto => Text(months == 1 ? "auto-renew every {0} month" : "auto-renew every {0} months", months ?? 0),
        RenewalMode.NoRenew => Text("mode: do not renew"),
        _ => Text("mode: manual renewal"),
    };

    /// <summary>An instance's status in words, and whether its paid period has ended: "running (expired)".</summary>
    public static string Status(InstanceStatus status, bool expired)
    {
        var words = Text(status.ToString().ToLowerInvariant());
        return expired ? Text("{0} (expired)", words) : words;
    }

    /// <summary>A name such as "expiryReminder" or "DowngradeToStandard" in the page's words ("expiry reminder").</summary>
    public static string Word(string name) => Text(Words(name));

    /// <summary>"autoRenewAttempt" or "DowngradeToStandard" as "auto renew attempt", "downgrade to standard".</summary>
    public static string Words(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var words = new StringBuilder(name.Length + 8);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && words.Length > 0) words.Append(' ');
            words.Append(char.ToLowerInvariant(c));
        }

        return words.ToString();
    }

    /// <summary>
    /// Planned events worded as what they are: an auto-renewal attempt says which of the product's attempts it is, and that
    /// it happens only if the earlier ones fail; a stop or release happens only if the instance is not renewed first.
    /// </summary>
    /// <param name="items">The planned events, in order.</param>
    /// <param name="attempts">How many auto-renewal attempts the product makes in all (R4.2); those not planned are behind.</param>
    public static IEnumerable<(PlannedEventDto Event, string Words)> Planned(IReadOnlyList<PlannedEventDto> items, int attempts)
    {
        ArgumentNullException.ThrowIfNull(items);
        var attempt = attempts - items.Count(e => e.Kind == "autoRenewAttempt");
        foreach (var e in items)
        {
            yield return (e, e.Kind switch
            {
                "autoRenewAttempt" => ++attempt is var n && n > 1
                    ? Text("Auto-renewal attempt {0} of {1}, if the earlier ones fail", n, attempts)
                    : Text("Auto-renewal attempt {0} of {1}", n, attempts),
                "reminder" => Text("Expiry reminder sent"),
                "expire" => Text("Expiry: the paid period ends"),
                "stop" => Text("Stop, unless renewed before"),
                "release" => Text("Release, unless renewed before"),

                // "Release warning sent" is also a past event's words, which a language may word otherwise.
                "releaseWarning" => Text("Release warning sent (planned)"),
                "convertToPayg" => Text("Change to pay-as-you-go"),
                "paygCharge" => Text("Hourly pay-as-you-go charge"),
                "paygOverdueStop" => Text("Stop for an overdue balance, unless topped up"),
                "applyChange" => Text("The pending change takes effect"),
                _ => Word(e.Kind),
            });
        }
    }
}
