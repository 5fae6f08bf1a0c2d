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
}
