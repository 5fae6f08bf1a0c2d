using System.Globalization;
using NodaTime;
using NodaTime.Text;
using Tenure.Domain.Accounts;
using Tenure.Domain.Time;

namespace Tenure.Engine.Notices;

/// <summary>
/// R9.6: dates, times and money as a reader of each locale writes them — dates in the billing zone, amounts with their
/// currency: <c>March 30, 2019</c> and <c>USD 1,234.50</c> in English, <c>2019年3月30日</c> and <c>1,234.50 USD</c> in
/// Chinese and Japanese. Notices and the console both write through it, so they agree.
/// </summary>
public static class LocaleFormat
{
    private static readonly LocalDatePattern EnglishDate = LocalDatePattern.Create("MMMM d, uuuu", CultureInfo.InvariantCulture);
    private static readonly LocalDatePattern CjkDate = LocalDatePattern.Create("uuuu'年'M'月'd'日'", CultureInfo.InvariantCulture);
    private static readonly LocalTimePattern Time = LocalTimePattern.Create("HH:mm", CultureInfo.InvariantCulture);

    /// <summary>The local date of <paramref name="at"/> in the billing zone.</summary>
    public static string Date(BillingCalendar calendar, Instant at, string locale)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        return DateOf(calendar.DateOf(at), locale);
    }

    public static string DateOf(LocalDate date, string locale) =>
        (IsEnglish(locale) ? EnglishDate : CjkDate).Format(date);

    /// <summary>The local date and time (to the minute) of <paramref name="at"/> in the billing zone.</summary>
    public static string DateTime(BillingCalendar calendar, Instant at, string locale)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        var local = calendar.Local(at);
        return $"{DateOf(local.Date, locale)} {Time.Format(local.TimeOfDay)}";
    }

    /// <summary>Minor units (two decimals, R7.1) with the currency's code: before the number in English, after it otherwise.</summary>
    public static string Money(long minor, string currency, string locale)
    {
        var sign = minor < 0 ? "-" : string.Empty;
        var units = Math.Abs(minor / 100).ToString("#,0", CultureInfo.InvariantCulture);
        var number = $"{sign}{units}.{Math.Abs(minor % 100):D2}";
        return IsEnglish(locale) ? $"{currency} {number}" : $"{number} {currency}";
    }

    private static bool IsEnglish(string locale) => (Locales.Find(locale) ?? Locales.Default) == "en";
}
