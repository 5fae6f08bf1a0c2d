using System.Globalization;
using System.Text;
using NodaTime;
using Tenure.Domain.Instances;
using Tenure.Domain.Time;
using Tenure.Engine.Notices;

namespace Tenure.Api.Web;

/// <summary>How the console writes money, times and names for people.</summary>
public static class Show
{
    /// <summary>
    /// Minor units as "1234.50 USD" in English, as everywhere else; in the other languages as their notices write it
    /// (<see cref="LocaleFormat"/>: "1,234.50 USD").
    /// </summary>
    public static string Money(long amount, string currency) =>
        English ? new Domain.Money.Money(amount, currency).ToString() : LocaleFormat.Money(amount, currency, ConsoleText.Current);

    /// <summary>An instant in the billing zone, to the minute ("2019年3月30日 08:00" in Chinese and Japanese).</summary>
    public static string At(BillingCalendar calendar, Instant? at) =>
        at is not { } a ? "—"
        : English ? calendar.Local(a).ToString("uuuu-MM-dd HH:mm", CultureInfo.InvariantCulture)
        : LocaleFormat.DateTime(calendar, a, ConsoleText.Current);

    public static string Date(BillingCalendar calendar, Instant at) =>
        English
            ? calendar.DateOf(at).ToString("uuuu-MM-dd", CultureInfo.InvariantCulture)
            : LocaleFormat.Date(calendar, at, ConsoleText.Current);

    /// <remarks>
    /// Resource names differ by more than case, so the lower-case words are keyed "mode: …" beside the tabs' "Manual renewal"
    /// and "Do not renew" (the English file still says "manual renewal").
    /// </remarks>
    public static string Mode(RenewalMode mode, int? months) => mode switch
    {
        RenewalMode.Auto => Say.Text(months == 1 ? "auto-renew every {0} month" : "auto-renew every {0} months", months ?? 0),
        RenewalMode.NoRenew => Say.Text("mode: do not renew"),
        _ => Say.Text("mode: manual renewal"),
    };

    /// <summary>An instance's status in words, and whether its paid period has ended: "running (expired)".</summary>
    public static string Status(InstanceStatus status, bool expired)
    {
        var words = Say.Text(status.ToString().ToLowerInvariant());
        return expired ? Say.Text("{0} (expired)", words) : words;
    }

    /// <summary>A notice's kind in words ("expiry reminder"), in the page's language.</summary>
    public static string Kind(string kind) => Say.Text(Words(kind));

    /// <summary>"autoRenewAttempt" or "DowngradeToStandard" as "auto renew attempt", "downgrade to standard".</summary>
    public static string Words(string name)
    {
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
    /// <param name="attempts">How many auto-renewal attempts the product makes in all (R4.2); those not planned are behind.</param>
    public static IEnumerable<(Api.PlannedEventDto Event, string Words)> Planned(IReadOnlyList<Api.PlannedEventDto> items, int attempts)
    {
        var attempt = attempts - items.Count(e => e.Kind == "autoRenewAttempt");
        foreach (var e in items)
        {
            yield return (e, e.Kind switch
            {
                "autoRenewAttempt" => ++attempt is var n && n > 1
                    ? Say.Text("Auto-renewal attempt {0} of {1}, if the earlier ones fail", n, attempts)
                    : Say.Text("Auto-renewal attempt {0} of {1}", n, attempts),
                "reminder" => Say.Text("Expiry reminder sent"),
                "expire" => Say.Text("Expiry: the paid period ends"),
                "stop" => Say.Text("Stop, unless renewed before"),
                "release" => Say.Text("Release, unless renewed before"),
                "releaseWarning" => Say.Text("Release warning sent"),
                "convertToPayg" => Say.Text("Change to pay-as-you-go"),
                "paygCharge" => Say.Text("Hourly pay-as-you-go charge"),
                "paygOverdueStop" => Say.Text("Stop for an overdue balance, unless topped up"),
                "applyChange" => Say.Text("The pending change takes effect"),
                _ => Words(e.Kind),
            });
        }
    }

    private static bool English => ConsoleText.Current == "en";
}
