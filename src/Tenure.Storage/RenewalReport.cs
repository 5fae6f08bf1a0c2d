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
        // Their accounts in one statement, however many, named in one parameter: an array on PostgreSQL, a JSON array on SQLite
        // (a list of parameters stops at 32,766; a subquery repeating the read made SQLite index all its rows again).
        var ids = upcoming.Select(u => u.Account.Value).Distinct().Order(StringComparer.Ordinal).ToArray();
        var accounts = AccountsWhere(Postgres ? "= ANY(@ids)" : "IN (SELECT value FROM json_each(@ids))",
            new { ids = Postgres ? (object)ids : Columns.WriteJson(ids) }).Values.ToDictionary(a => a.Id);
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
    /// The clock's running auto-renew instances expiring in <c>[from, to)</c>, earliest expiry (then ID) first, folded into
    /// <see cref="RenewalReports.Runs"/> as they are read, from the columns that order and price them (ix_instances_upcoming
    /// holds them all: migration 0021): each distinct set of price columns is read into <see cref="RenewalTerms"/> once.
    /// </summary>
    public (List<RenewalTerms> Terms, List<UpcomingRenewal> Upcoming) UpcomingAutoRenewals(
        string clockId, string? product, Instant from, Instant to)
    {
        var terms = new List<RenewalTerms>();
        var index = new Dictionary<(string, string, string, string?, long), int>();
        (string, string, string, string?, long) last = default;
        var at = -1;
        UpcomingRenewal Renewal(UpcomingRow r)
        {
            // Rows in a row mostly share their terms: comparing with the last row's is cheaper than hashing them.
            var key = (r.Product, r.Spec, r.Components, r.PendingChange, r.AutoRenewMonths);
            if (at >= 0 && key == last) return new UpcomingRenewal(r.Id, new AccountId(r.AccountId), Columns.At(r.ExpiresAt), at);
            last = key;
            if (!index.TryGetValue(key, out at))
            {
                at = terms.Count;
                index[key] = at;
                terms.Add(new RenewalTerms(r.Product, r.Spec, Columns.ReadJson<Components>(r.Components) ?? Components.None,
                    r.PendingChange is null ? null : Columns.ReadJson<PendingChange>(r.PendingChange), checked((int)r.AutoRenewMonths)));
            }

            return new UpcomingRenewal(r.Id, new AccountId(r.AccountId), Columns.At(r.ExpiresAt), at);
        }

        var rows = Query<UpcomingRow>(
            "SELECT id, account_id, expires_at, product, spec, components, pending_change, auto_renew_months " + UpcomingFilter(product) +
            " ORDER BY expires_at, id", new { clockId, product, from = Columns.Ticks(from), to = Columns.Ticks(to) }, buffered: false);
        return (terms, RenewalReports.Runs(rows.Select(Renewal)));
    }

    /// <summary>The clock's running auto-renew instances expiring in <c>[@from, @to)</c>, of <c>@product</c> when one is named.</summary>
    private static string UpcomingFilter(string? product) =>
        "FROM instances WHERE clock_id = @clockId AND expires_at >= @from AND expires_at < @to AND status = 'Running' AND mode = 'Auto'" +
        (product is null ? string.Empty : " AND product = @product");

    private sealed class UpcomingRow
    {
        public string Id { get; set; } = "";
        public string AccountId { get; set; } = "";
        public long ExpiresAt { get; set; }
        public string Product { get; set; } = "";
        public string Spec { get; set; } = "";
        public string Components { get; set; } = "";
        public string? PendingChange { get; set; }
        public long AutoRenewMonths { get; set; }
    }
}
