using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Instances;
using Tenure.Domain.Renewals;

namespace Tenure.Storage;

/// <summary>The rows of the renewal report (R8.9), grouped by the database; <see cref="RenewalReports"/> decides the figures.</summary>
public sealed partial class Session
{
    /// <summary>R8.9: the report of <paramref name="span"/> over the instances of one clock whose now is <paramref name="now"/>.</summary>
    public RenewalReport RenewalReport(Rules rules, string clockId, string? product, ReportSpan span, Instant now)
    {
        var (terms, upcoming) = UpcomingAutoRenewals(clockId, product, span.UpcomingFrom, span.UpcomingTo);
        // In chunks: a month to come can name more accounts than SQLite takes parameters in one statement (32,766).
        var accounts = new Dictionary<AccountId, Domain.Accounts.Account>();
        foreach (var chunk in upcoming.Select(i => i.Account.Value).Distinct().Chunk(10_000))
        {
            foreach (var account in Accounts(chunk, forUpdate: false).Values) accounts[account.Id] = account;
        }

        return RenewalReports.Of(rules, span, product, RenewedCycles(clockId, product, span.DueFrom, span.DueTo),
            UnrenewedCycles(clockId, product, span.DueFrom, span.DueTo), terms, upcoming, accounts, now);
    }

    /// <summary>
    /// Renewals of the clock's cycles that expired in <c>[from, to)</c>, per attempt day (null: by hand), of one or all products.
    /// </summary>
    public List<RenewedCount> RenewedCycles(string clockId, string? product, Instant from, Instant to) =>
        [.. Query<(long? AttemptDay, long Count, long Amount)>(
                // From ix_order_items_report alone: the item carries its instance's clock and product (migration 0019).
                "SELECT CAST(attempt_day AS BIGINT), COUNT(*), CAST(SUM(amount) AS BIGINT) FROM order_items " +
                "WHERE clock_id = @clockId AND renews_expiry >= @from AND renews_expiry < @to" +
                (product is null ? string.Empty : " AND product = @product") + " GROUP BY attempt_day",
                new { clockId, product, from = Columns.Ticks(from), to = Columns.Ticks(to) })
            .Select(r => new RenewedCount(r.AttemptDay is { } d ? (int)d : null, r.Count, r.Amount))];

    /// <summary>
    /// The clock's cycles that expired in <c>[from, to)</c> and were not renewed, per state: an instance still
    /// expiring there was not renewed since (a renewal moves the expiry on).
    /// </summary>
    public List<UnrenewedCount> UnrenewedCycles(string clockId, string? product, Instant from, Instant to) =>
        [.. Query<(string Status, long Count)>(
                "SELECT status, COUNT(*) FROM instances WHERE clock_id = @clockId AND expires_at >= @from AND expires_at < @to" +
                (product is null ? string.Empty : " AND product = @product") + " GROUP BY status",
                new { clockId, product, from = Columns.Ticks(from), to = Columns.Ticks(to) })
            .Select(r => new UnrenewedCount(Columns.Enum<InstanceStatus>(r.Status), r.Count))];

    /// <summary>
    /// The clock's running auto-renew instances expiring in <c>[from, to)</c>, earliest expiry (then ID) first, as the columns
    /// that order and price them: each distinct set of price columns is read into <see cref="RenewalTerms"/> once.
    /// </summary>
    public (List<RenewalTerms> Terms, List<UpcomingRenewal> Upcoming) UpcomingAutoRenewals(
        string clockId, string? product, Instant from, Instant to)
    {
        var terms = new List<RenewalTerms>();
        var index = new Dictionary<(string, string, string, string?, long), int>();
        var upcoming = new List<UpcomingRenewal>();
        foreach (var r in Query<(string Id, string AccountId, long ExpiresAt, string Product, string Spec, string Components,
            string? Pending, long Months)>(
                "SELECT id, account_id, expires_at, product, spec, components, pending_change, auto_renew_months FROM instances " +
                "WHERE clock_id = @clockId AND expires_at >= @from AND expires_at < @to AND status = 'Running' AND mode = 'Auto'" +
                (product is null ? string.Empty : " AND product = @product") + " ORDER BY expires_at, id",
                new { clockId, product, from = Columns.Ticks(from), to = Columns.Ticks(to) }))
        {
            var key = (r.Product, r.Spec, r.Components, r.Pending, r.Months);
            if (!index.TryGetValue(key, out var at))
            {
                at = terms.Count;
                index[key] = at;
                terms.Add(new RenewalTerms(r.Product, r.Spec, Columns.ReadJson<Components>(r.Components) ?? Components.None,
                    r.Pending is null ? null : Columns.ReadJson<PendingChange>(r.Pending), checked((int)r.Months)));
            }

            upcoming.Add(new UpcomingRenewal(r.Id, new AccountId(r.AccountId), Columns.At(r.ExpiresAt), at));
        }

        return (terms, upcoming);
    }
}
