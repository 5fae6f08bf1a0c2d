using System.Globalization;
using System.Text;
using NodaTime;
using Tenure.Domain.Instances;
using Tenure.Domain.Time;

namespace Tenure.Api.Web;

/// <summary>How the console writes money, times and names for people.</summary>
public static class Show
{
    /// <summary>Minor units as "1234.50 USD", as everywhere else.</summary>
    public static string Money(long amount, string currency) => new Domain.Money.Money(amount, currency).ToString();

    /// <summary>An instant in the billing zone, to the minute.</summary>
    public static string At(BillingCalendar calendar, Instant? at) =>
        at is { } a ? calendar.Local(a).ToString("uuuu-MM-dd HH:mm", CultureInfo.InvariantCulture) : "—";

    public static string Date(BillingCalendar calendar, Instant at) => calendar.DateOf(at).ToString("uuuu-MM-dd", CultureInfo.InvariantCulture);

    public static string Mode(RenewalMode mode, int? months) => mode switch
    {
        RenewalMode.Auto => $"auto-renew every {months} month{(months == 1 ? string.Empty : "s")}",
        RenewalMode.NoRenew => "do not renew",
        _ => "manual renewal",
    };

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
                    ? $"Auto-renewal attempt {n} of {attempts}, if the earlier ones fail"
                    : $"Auto-renewal attempt {n} of {attempts}",
                "reminder" => "Expiry reminder sent",
                "expire" => "Expiry: the paid period ends",
                "stop" => "Stop, unless renewed before",
                "release" => "Release, unless renewed before",
                "releaseWarning" => "Release warning sent",
                "convertToPayg" => "Change to pay-as-you-go",
                "paygCharge" => "Hourly pay-as-you-go charge",
                "paygOverdueStop" => "Stop for an overdue balance, unless topped up",
                "applyChange" => "The pending change takes effect",
                _ => Words(e.Kind),
            });
        }
    }
}
