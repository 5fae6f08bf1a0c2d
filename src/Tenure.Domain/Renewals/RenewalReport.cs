using System.Collections.Immutable;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Domain.Money;

namespace Tenure.Domain.Renewals;

/// <summary>R8.9: renewals of cycles that came due, as storage counts them per attempt day (null: renewed by hand).</summary>
public sealed record RenewedCount(int? AttemptDay, long Count, long Amount);

/// <summary>R8.9: cycles that came due and were not renewed, counted by the instance's state now.</summary>
public sealed record UnrenewedCount(InstanceStatus Status, long Count);

/// <summary>R8.9: what prices an automatic renewal: its instance's product, spec, components and pending change, and its months.</summary>
public sealed record RenewalTerms(string Product, string Spec, Components Components, PendingChange? PendingChange, int Months)
{
    public static RenewalTerms Of(Instance instance) =>
        new(instance.Product, instance.Spec, instance.Components, instance.PendingChange, instance.AutoRenewMonths);
}

/// <summary>
/// R8.9: automatic renewals still to come: <paramref name="Count"/> instances of one account expiring at one instant on one
/// <see cref="RenewalTerms"/> (its index in the report's list of them: many instances share terms, which are priced once),
/// consecutive in the account's charging order, the first of them <paramref name="InstanceId"/>.
/// </summary>
public readonly record struct UpcomingRenewal(string InstanceId, AccountId Account, Instant Expiry, int Terms, int Count = 1);

/// <summary>R8.9: the automatic renewals still to come on one local day, and how many of them what the accounts hold covers.</summary>
public sealed record UpcomingDay(LocalDate Date, long Count, long Amount, long Covered);

/// <summary>
/// The instants a report reads: cycles that came due in <c>[DueFrom, DueTo)</c> and renewals still to come in
/// <c>[UpcomingFrom, UpcomingTo)</c> (empty when the span lies in the past).
/// </summary>
public sealed record ReportSpan(LocalDate From, LocalDate To, Instant DueFrom, Instant DueTo, Instant UpcomingFrom, Instant UpcomingTo);

/// <summary>R8.9: the renewal report of a span.</summary>
public sealed record RenewalReport(
    LocalDate From, LocalDate To, long Due, long Renewed, long RenewedManually, long RenewedAutomatically,
    ImmutableSortedDictionary<int, long> ByAttemptDay, long Stopped, long Released, double RenewalRate, long Revenue,
    ImmutableArray<UpcomingDay> Upcoming);

/// <summary>R8.9: the operator's renewal report, decided over the counts storage groups.</summary>
public static partial class RenewalReports
{
    /// <summary>The longest span a report covers: a year and a day, so a leap year fits.</summary>
    public const int MaxSpanDays = 366;

    /// <summary>How far ahead of now renewals still to come are listed: every instance is loaded and priced, so it stays short.</summary>
    public const int UpcomingHorizonDays = 31;

    /// <summary>
    /// The span from local date <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive) in the billing zone.
    /// A cycle has come due when its expiry has passed (before <paramref name="now"/>); one expiring later is still to come.
    /// </summary>
    public static Outcome<ReportSpan> Span(Rules rules, LocalDate from, LocalDate to, Instant now)
    {
        if (to <= from) return Refusal.Invalid("to", $"The span must end after it starts ({from:uuuu-MM-dd}).");
        var days = Period.Between(from, to, PeriodUnits.Days).Days;
        if (days > MaxSpanDays) return Refusal.Invalid("to", $"A report covers at most {MaxSpanDays} days; this span has {days}.");
        var start = rules.Calendar.StartOf(from);
        var end = rules.Calendar.StartOf(to);
        var dueTo = Max(start, Min(end, now));
        var upcomingFrom = Max(start, now);
        var upcomingTo = Max(upcomingFrom, Min(end, rules.Calendar.PlusDays(now, UpcomingHorizonDays)));
        return new ReportSpan(from, to, start, dueTo, upcomingFrom, upcomingTo);
    }

    /// <summary>
    /// The report: every cycle that came due was renewed (by hand, or by the attempt that paid it), or was not
    /// (its instance now stopped, released, or still running in grace). The rate is renewed over due (0 when
    /// nothing came due), to four places. Upcoming renewals are the auto-renew instances in <paramref name="upcoming"/>,
    /// covered (R13.4's <see cref="Coverage"/>) in the order the engine would charge them (R4.8): each covered one
    /// spends what it costs before the next is judged, so an account holding enough for one of two covers one. An account
    /// with an active payment method covers all of its renewals (R7.8), as the forecast counts it (R8.7).
    /// </summary>
    /// <param name="upcoming">
    /// Auto-renew instances expiring in the span's upcoming window, one by one or folded into <see cref="Runs"/>; sorted here
    /// earliest expiry (then ID) first unless given so: all of them, or those of the accounts <see cref="ReadOneByOne"/> names.
    /// </param>
    /// <param name="accounts">The accounts of <paramref name="upcoming"/> and <paramref name="groups"/>.</param>
    /// <param name="groups">
    /// The renewals still to come of the other accounts, grouped per account and terms: only those of accounts that
    /// <see cref="ReadOneByOne"/> does not name (their renewals are in <paramref name="upcoming"/>) are counted.
    /// </param>
    public static RenewalReport Of(
        Rules rules, ReportSpan span, string? product, IReadOnlyList<RenewedCount> renewed, IReadOnlyList<UnrenewedCount> unrenewed,
        IReadOnlyList<RenewalTerms> terms, IReadOnlyList<UpcomingRenewal> upcoming, IReadOnlyDictionary<AccountId, Account> accounts,
        Instant now, IReadOnlyList<UpcomingGroup>? groups = null)
    {
        var attemptDays = (product is null ? rules.Catalog.Products : rules.Catalog.Products.Where(p => p.Code == product))
            .SelectMany(p => p.AutoRenewAttemptDays).Concat(renewed.Where(r => r.AttemptDay is not null).Select(r => r.AttemptDay!.Value))
            .Distinct().ToImmutableSortedDictionary(d => d, d => renewed.Where(r => r.AttemptDay == d).Sum(r => r.Count));
        var manually = renewed.Where(r => r.AttemptDay is null).Sum(r => r.Count);
        var automatically = attemptDays.Values.Sum();
        var total = manually + automatically;
        var due = total + unrenewed.Sum(u => u.Count);
        return new RenewalReport(
            span.From, span.To, due, total, manually, automatically, attemptDays,
            unrenewed.Where(u => u.Status == InstanceStatus.Stopped).Sum(u => u.Count),
            unrenewed.Where(u => u.Status == InstanceStatus.Released).Sum(u => u.Count),
            due == 0 ? 0 : Math.Round((double)total / due, 4), renewed.Sum(r => r.Amount),
            Upcoming(rules, terms, upcoming, groups ?? [], accounts, now));
    }

    /// <summary>
    /// Folds renewals given earliest expiry (then instance ID) first into runs: the renewals of one account at one expiry on
    /// the same terms that follow each other in the account's charging order become one, counted, in the order of its first.
    /// Covering a run is covering its renewals one after another, so the report is the same either way.
    /// </summary>
    public static List<UpcomingRenewal> Runs(IEnumerable<UpcomingRenewal> inOrder)
    {
        var runs = new List<UpcomingRenewal>();
        var last = new Dictionary<AccountId, int>();
        foreach (var renewal in inOrder)
        {
            if (last.TryGetValue(renewal.Account, out var at) && runs[at].Expiry == renewal.Expiry && runs[at].Terms == renewal.Terms)
            {
                runs[at] = runs[at] with { Count = runs[at].Count + renewal.Count };
                continue;
            }

            last[renewal.Account] = runs.Count;
            runs.Add(renewal);
        }

        return runs;
    }

    /// <summary>Earliest expiry, then instance ID, first: as given when it already is (storage reads them so), else sorted.</summary>
    private static IReadOnlyList<UpcomingRenewal> InChargingOrder(IReadOnlyList<UpcomingRenewal> upcoming)
    {
        static int Compare(UpcomingRenewal a, UpcomingRenewal b) =>
            a.Expiry != b.Expiry ? a.Expiry.CompareTo(b.Expiry) : string.CompareOrdinal(a.InstanceId, b.InstanceId);
        for (var i = 1; i < upcoming.Count; i++)
        {
            if (Compare(upcoming[i - 1], upcoming[i]) > 0) return [.. upcoming.Order(Comparer<UpcomingRenewal>.Create(Compare))];
        }

        return upcoming;
    }

    private static Instant Min(Instant a, Instant b) => a < b ? a : b;

    private static Instant Max(Instant a, Instant b) => a > b ? a : b;
}
