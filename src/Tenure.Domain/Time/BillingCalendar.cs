using NodaTime;
using NodaTime.TimeZones;

namespace Tenure.Domain.Time;

/// <summary>
/// The calendar rules of R1–R3 in the deployment's billing zone: where expiries fall, how
/// renewals add months, and how local times map to instants.
/// </summary>
/// <remarks>
/// R1.1: rules run in the billing zone (default Asia/Shanghai); instants are UTC.
/// R1.5: any IANA zone works. A local time in a DST gap resolves to the first instant after
/// the gap; an ambiguous one to the earlier instant. Midnight in a gap is therefore the start
/// of that day (e.g. 01:00 in São Paulo on 2018-11-04), so an expiry is always the start of its
/// local day and no day is skipped or repeated.
/// </remarks>
public sealed class BillingCalendar
{
    /// <summary>The seeds' zone (UTC+8), Tenure's default.</summary>
    public const string DefaultZoneId = "Asia/Shanghai";

    private static readonly ZoneLocalMappingResolver Resolver =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    public BillingCalendar(DateTimeZone zone) => Zone = zone;

    public DateTimeZone Zone { get; }

    public static BillingCalendar Default { get; } = new(DateTimeZoneProviders.Tzdb[DefaultZoneId]);

    /// <summary>The calendar for an IANA zone ID; null when the ID is unknown.</summary>
    public static BillingCalendar? ForZone(string zoneId) =>
        DateTimeZoneProviders.Tzdb.GetZoneOrNull(zoneId) is { } zone ? new BillingCalendar(zone) : null;

    public LocalDateTime Local(Instant instant) => instant.InZone(Zone).LocalDateTime;

    public LocalDate DateOf(Instant instant) => instant.InZone(Zone).Date;

    /// <summary>The instant of a local date and time, resolving gaps and overlaps as R1.5 says.</summary>
    public Instant At(LocalDate date, LocalTime time) => Zone.ResolveLocal(date + time, Resolver).ToInstant();

    /// <summary>The first instant of a local day (00:00, or the end of a gap that swallowed it).</summary>
    public Instant StartOf(LocalDate date) => Zone.AtStartOfDay(date).ToInstant();

    /// <summary>R2.2: add months keeping the day of month, clamped to the end of a shorter month.</summary>
    public static LocalDate AddMonths(LocalDate date, int months) => date.PlusMonths(months);

    /// <summary>
    /// R2.1: a purchase (or a restart, R3.4) of <paramref name="months"/> at <paramref name="at"/> expires
    /// at 00:00 of the day after <c>date(at) + months</c>: 2017-11-08 10:00 + 1 month → 2017-12-09 00:00.
    /// </summary>
    public Instant ExpiryOfPurchase(Instant at, int months) =>
        StartOf(AddMonths(DateOf(at), months).PlusDays(1));

    /// <summary>
    /// R3.1/R3.2: renewing moves the expiry date by whole months, keeping 00:00; the month end is
    /// sticky because each renewal adds to the current date (Jan 31 → Feb 29 → Mar 29).
    /// </summary>
    public Instant Extend(Instant expiry, int months) => StartOf(AddMonths(DateOf(expiry), months));

    /// <summary>
    /// The instant <paramref name="days"/> calendar days from the local date of <paramref name="expiry"/>, at a local time.
    /// </summary>
    public Instant DayAt(Instant expiry, int days, LocalTime time) => At(DateOf(expiry).PlusDays(days), time);

    /// <summary>
    /// Whole calendar days from the local date of <paramref name="from"/> to that of <paramref name="to"/> (negative when earlier).
    /// </summary>
    public int DaysBetween(Instant from, Instant to) => Period.Between(DateOf(from), DateOf(to), PeriodUnits.Days).Days;

    /// <summary>The same local time <paramref name="days"/> calendar days later (R1.2: days are calendar days of the zone).</summary>
    public Instant PlusDays(Instant instant, int days)
    {
        var local = Local(instant);
        return At(local.Date.PlusDays(days), local.TimeOfDay);
    }
}
