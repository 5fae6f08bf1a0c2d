using System.Globalization;
using NodaTime;
using NodaTime.Text;
using Tenure.Domain.Time;

namespace Tenure.Api.Web;

/// <summary>A tick on a time axis: where it is and what it says.</summary>
public sealed record AxisTick(Instant At, string Label);

/// <summary>
/// The ticks of a time axis in the billing zone, at whole hours, days, months or years, no closer
/// than a label's width, so no date or time is written twice.
/// </summary>
/// <remarks>
/// Hour steps are used only for spans of at most a day, where a time of day cannot come round
/// again; the first tick and the first of each new day also carry the date. Day ticks carry the
/// year on the first tick and at a new year.
/// </remarks>
public static class TimeAxis
{
    private static readonly LocalDateTimePattern HourMinute = Pattern("HH:mm");
    private static readonly LocalDateTimePattern DayHourMinute = Pattern("MM-dd HH:mm");
    private static readonly LocalDateTimePattern MonthDay = Pattern("MM-dd");
    private static readonly LocalDateTimePattern YearMonthDay = Pattern("uuuu-MM-dd");
    private static readonly LocalDateTimePattern YearMonth = Pattern("uuuu-MM");
    private static readonly LocalDateTimePattern Year = Pattern("uuuu");

    private enum Unit { Hour, Day, Month, Year }

    private static readonly (Unit Unit, int Count)[] Steps =
    [
        (Unit.Hour, 1), (Unit.Hour, 2), (Unit.Hour, 3), (Unit.Hour, 6), (Unit.Hour, 12),
        (Unit.Day, 1), (Unit.Day, 2), (Unit.Day, 7), (Unit.Day, 14),
        (Unit.Month, 1), (Unit.Month, 2), (Unit.Month, 3), (Unit.Month, 6),
        (Unit.Year, 1), (Unit.Year, 2), (Unit.Year, 5), (Unit.Year, 10), (Unit.Year, 100),
    ];

    /// <summary>At most <paramref name="maxTicks"/> ticks from <paramref name="from"/> to <paramref name="to"/> (both included).</summary>
    public static IReadOnlyList<AxisTick> Ticks(BillingCalendar calendar, Instant from, Instant to, int maxTicks)
    {
        foreach (var (unit, count) in Steps)
        {
            if (unit == Unit.Hour && to - from > Duration.FromDays(1)) continue;
            var ticks = Walk(calendar, from, to, unit, count, maxTicks + 1);
            if (ticks.Count <= maxTicks) return Label(calendar, ticks, unit);
        }

        return [];
    }

    private static List<Instant> Walk(BillingCalendar calendar, Instant from, Instant to, Unit unit, int count, int limit)
    {
        var start = calendar.Local(from);
        var date = start.Date;
        // The first whole step at or after the start, aligned on the unit (every 3rd hour of the day, every 3rd month of the year).
        var first = unit switch
        {
            Unit.Hour => date.At(new LocalTime(start.Hour / count * count, 0)),
            Unit.Day => date.AtMidnight(),
            Unit.Month => new LocalDate(date.Year, ((date.Month - 1) / count * count) + 1, 1).AtMidnight(),
            _ => new LocalDate(date.Year / count * count, 1, 1).AtMidnight(),
        };
        var ticks = new List<Instant>();
        for (var i = 0; ticks.Count < limit; i++)
        {
            var local = unit switch
            {
                Unit.Hour => first.PlusHours((long)i * count),
                Unit.Day => first.PlusDays(i * count),
                Unit.Month => first.PlusMonths(i * count),
                _ => first.PlusYears(i * count),
            };
            var at = calendar.Zone.AtLeniently(local).ToInstant();
            if (at > to) break;
            if (at >= from && (ticks.Count == 0 || at > ticks[^1])) ticks.Add(at);
        }

        return ticks;
    }

    private static List<AxisTick> Label(BillingCalendar calendar, List<Instant> ticks, Unit unit)
    {
        var labels = new List<AxisTick>(ticks.Count);
        LocalDateTime? previous = null;
        foreach (var at in ticks)
        {
            var local = calendar.Local(at);
            var pattern = unit switch
            {
                Unit.Hour => previous is { } p && p.Date == local.Date ? HourMinute : DayHourMinute,
                Unit.Day => previous is { } p && p.Year == local.Year ? MonthDay : YearMonthDay,
                Unit.Month => YearMonth,
                _ => Year,
            };
            labels.Add(new AxisTick(at, pattern.Format(local)));
            previous = local;
        }

        return labels;
    }

    private static LocalDateTimePattern Pattern(string text) => LocalDateTimePattern.Create(text, CultureInfo.InvariantCulture);
}
