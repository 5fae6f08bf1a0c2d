using System.Collections.Immutable;
using System.Data.Common;
using System.Globalization;
using Dapper;
using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Domain.Renewals;

namespace Tenure.Storage;

/// <summary>The rows of the renewal report (R8.9), grouped by the database; <see cref="RenewalReports"/> decides the figures.</summary>
public sealed partial class Session
{
    /// <summary>R8.9: the report of <paramref name="span"/> over the instances of one clock whose now is <paramref name="now"/>.</summary>
    public RenewalReport RenewalReport(Rules rules, string clockId, string? product, ReportSpan span, Instant now)
    {
        var (terms, groups, accounts) = UpcomingGroups(clockId, product, span.UpcomingFrom, span.UpcomingTo);
        var oneByOne = RenewalReports.ReadOneByOne(rules, terms, groups);
        var upcoming = oneByOne.Count == 0
            ? []
            : UpcomingAutoRenewals(clockId, product, span.UpcomingFrom, span.UpcomingTo, terms, oneByOne);
        return RenewalReports.Of(rules, span, product, RenewedCycles(clockId, product, span.DueFrom, span.DueTo),
            UnrenewedCycles(clockId, product, span.DueFrom, span.DueTo), terms, upcoming, accounts, now, groups);
    }

    /// <summary>
    /// Renewals of the clock's cycles that expired in <c>[from, to)</c>, per attempt day (null: by hand), of one or all products.
    /// </summary>
    public List<RenewedCount> RenewedCycles(string clockId, string? product, Instant from, Instant to) =>
        [.. PlannedForTheSpan().Query<(long? AttemptDay, long Count, long Amount)>(
                // From ix_order_items_report alone: the item carries its instance's clock and product (migration 0019). Grouped per
                // expiry and attempt day first, in the order of SQLite's index (migration 0026), then per attempt day.
                "SELECT CAST(attempt_day AS BIGINT), CAST(SUM(n) AS BIGINT), CAST(SUM(amount) AS BIGINT) FROM (" +
                "SELECT attempt_day, COUNT(*) AS n, SUM(amount) AS amount FROM order_items " +
                "WHERE clock_id = @clockId AND renews_expiry >= @from AND renews_expiry < @to" +
                (product is null ? string.Empty : " AND product = @product") +
                " GROUP BY renews_expiry, attempt_day) d GROUP BY attempt_day",
                new { clockId, product, from = Columns.Ticks(from), to = Columns.Ticks(to) })
            .Select(r => new RenewedCount(r.AttemptDay is { } d ? (int)d : null, r.Count, r.Amount))];

    /// <summary>
    /// The clock's cycles that expired in <c>[from, to)</c> and were not renewed, per state: an instance still
    /// expiring there was not renewed since (a renewal moves the expiry on).
    /// </summary>
    public List<UnrenewedCount> UnrenewedCycles(string clockId, string? product, Instant from, Instant to) =>
        [.. PlannedForTheSpan().Query<(string Status, long Count)>(
                "SELECT status, COUNT(*) FROM instances WHERE clock_id = @clockId AND expires_at >= @from AND expires_at < @to" +
                (product is null ? string.Empty : " AND product = @product") + " GROUP BY status",
                new { clockId, product, from = Columns.Ticks(from), to = Columns.Ticks(to) })
            .Select(r => new UnrenewedCount(Columns.Enum<InstanceStatus>(r.Status), r.Count))];

    /// <summary>
    /// The clock's running auto-renew instances expiring in <c>[from, to)</c>, grouped per account and terms digest (migration
    /// 0026's index holds them in that order, so it is read alone and grouped without a sort): a row per group, its expiries in
    /// one column, with its account joined; then the price columns of one instance of each digest, each distinct set of which
    /// is read into <see cref="RenewalTerms"/> once, and the accounts' coupons.
    /// </summary>
    public (List<RenewalTerms> Terms, List<UpcomingGroup> Groups, Dictionary<AccountId, Account> Accounts) UpcomingGroups(
        string clockId, string? product, Instant from, Instant to)
    {
        // Of the account only what the rules see (its contact details are not read).
        var sql = "SELECT g.account_id, g.terms_digest, g.sample, g.expiries, a.currency, a.balance, a.no_stop_on_expiry, " +
            "a.negative_since, a.payment_method_token, a.payment_method_label, a.payment_method_status " +
            // One instance of the group: on SQLite a bare column, the ID of the group's last row (a MIN cost a fifth of the read).
            "FROM (SELECT account_id, terms_digest, " + (Postgres ? "MIN(id)" : "id") + " AS sample, " +
            (Postgres ? "array_agg(expires_at)" : "group_concat(expires_at, ',')") + " AS expiries " + UpcomingFilter(product) +
            " GROUP BY account_id, terms_digest) g JOIN accounts a ON a.id = g.account_id";
        var read = new List<(AccountId Account, long Digest, ImmutableArray<Instant> Expiries)>();
        var samples = new Dictionary<long, string>();
        var rows = new Dictionary<string, AccountRow>();
        Flush();
        PlannedForTheSpan();
        // Read by position, the account's columns once per account; PostgreSQL sends the expiries as an array of ticks.
        using (var reader = (DbDataReader)Connection.ExecuteReader(
            sql, new { clockId, product, from = Columns.Ticks(from), to = Columns.Ticks(to) }, Transaction))
        {
            string? Text(int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
            while (reader.Read())
            {
                var (accountId, digest) = (reader.GetString(0), reader.GetInt64(1));
                ImmutableArray<Instant> expiries =
                    Postgres ? [.. reader.GetFieldValue<long[]>(3).Select(Columns.At)] : Expiries(reader.GetString(3));
                read.Add((new AccountId(accountId), digest, expiries));
                if (!samples.ContainsKey(digest)) samples[digest] = reader.GetString(2);
                if (rows.ContainsKey(accountId)) continue;
                rows[accountId] = new AccountRow
                {
                    Id = accountId, Currency = reader.GetString(4), Balance = reader.GetInt64(5),
                    NoStopOnExpiry = Convert.ToInt64(reader.GetValue(6), CultureInfo.InvariantCulture),
                    NegativeSince = reader.IsDBNull(7) ? null : reader.GetInt64(7), PaymentMethodToken = Text(8),
                    PaymentMethodLabel = Text(9), PaymentMethodStatus = Text(10),
                };
            }
        }

        // The price columns of one instance per digest: as many rows as distinct terms, however many instances share them.
        var terms = new TermsList();
        var ofDigest = Query<UpcomingRow>(
                "SELECT id, account_id, expires_at, product, spec, components, pending_change, auto_renew_months, terms_digest " +
                $"FROM instances WHERE id {AnyOf("ids")}", new { ids = ListOf(samples.Values.ToArray()) })
            .ToDictionary(r => r.TermsDigest, terms.Of);
        var groups = read.ConvertAll(r => new UpcomingGroup(r.Account, ofDigest[r.Digest], r.Expiries));

        // Their coupons in one statement, however many accounts, named in one parameter: an array on PostgreSQL, a JSON array
        // on SQLite (a list of parameters stops at 32,766). A count of each account's coupons in the grouped statement instead
        // made PostgreSQL's estimate of it large enough to compile it (JIT, 1.8 s at 1,000,000 instances).
        var ids = rows.Keys.ToArray();
        var coupons = (ids.Length == 0 ? [] : Query<CouponRow>(
                $"SELECT * FROM coupons WHERE remaining > 0 AND account_id {AnyOf("ids")}", new { ids = ListOf(ids) }))
            .GroupBy(c => c.AccountId).ToDictionary(g => g.Key, g => g.Select(c => c.ToDomain()));
        return (terms.Terms, groups,
            rows.Values.ToDictionary(r => new AccountId(r.Id), r => r.ToDomain(coupons.GetValueOrDefault(r.Id, []))));
    }

    /// <summary>The expiries of a group, as SQLite lists them (ticks, comma-separated; PostgreSQL gives an array).</summary>
    private static ImmutableArray<Instant> Expiries(string list)
    {
        var expiries = ImmutableArray.CreateBuilder<Instant>();
        foreach (var range in list.AsSpan().Split(','))
        {
            expiries.Add(Columns.At(long.Parse(list.AsSpan()[range], CultureInfo.InvariantCulture)));
        }

        return expiries.ToImmutable();
    }

    /// <summary>
    /// The running auto-renew instances of these accounts expiring in <c>[from, to)</c>, earliest expiry (then ID) first, folded
    /// into <see cref="RenewalReports.Runs"/> as they are read, their price columns found in (or added to) <paramref name="terms"/>.
    /// </summary>
    public List<UpcomingRenewal> UpcomingAutoRenewals(
        string clockId, string? product, Instant from, Instant to, List<RenewalTerms> terms, IEnumerable<AccountId> accounts)
    {
        var known = new TermsList(terms);
        var ids = accounts.Select(a => a.Value).Order(StringComparer.Ordinal).ToArray();
        var rows = PlannedForTheSpan().Query<UpcomingRow>(
            "SELECT id, account_id, expires_at, product, spec, components, pending_change, auto_renew_months " + UpcomingFilter(product) +
            $" AND account_id {AnyOf("ids")}" +
            " ORDER BY expires_at, id",
            new
            {
                clockId, product, from = Columns.Ticks(from), to = Columns.Ticks(to), ids = ListOf(ids),
            },
            buffered: false);
        return RenewalReports.Runs(
            rows.Select(r => new UpcomingRenewal(r.Id, new AccountId(r.AccountId), Columns.At(r.ExpiresAt), known.Of(r))));
    }

    /// <summary>
    /// The clock's running auto-renew instances expiring in <c>[@from, @to)</c>, of <c>@product</c> when one is named.
    /// On SQLite from migration 0026's index by name: without statistics its planner takes the range on the expiry for the
    /// narrower search and would look up every row of ix_instances_expiry's range, then sort them.
    /// </summary>
    private string UpcomingFilter(string? product) =>
        "FROM instances" + (Postgres ? string.Empty : " INDEXED BY ix_instances_upcoming") +
        " WHERE clock_id = @clockId AND expires_at >= @from AND expires_at < @to AND status = 'Running' AND mode = 'Auto'" +
        (product is null ? string.Empty : " AND product = @product");

    /// <summary>
    /// PostgreSQL plans the report's statements for the span they are given, for this transaction (<c>SET LOCAL</c>). Npgsql
    /// prepares a statement run twice, and after five runs the server may keep a generic plan, which does not know how much
    /// of the clock a span holds: for the renewals to come it took 4,954 rows for 464,283, and chose the expiry index and
    /// an external sort (2.3 s) over the index-only scan in group order (0.5 s).
    /// </summary>
    private Session PlannedForTheSpan()
    {
        if (Postgres) Execute("SET LOCAL plan_cache_mode = force_custom_plan");
        return this;
    }

    /// <summary>The distinct sets of price columns read, each parsed into <see cref="RenewalTerms"/> once.</summary>
    private sealed class TermsList(List<RenewalTerms>? terms = null)
    {
        private readonly Dictionary<(string, string, string, string?, long), int> _index = [];
        private (string, string, string, string?, long) _last;
        private int _at = -1;

        public List<RenewalTerms> Terms { get; } = terms ?? [];

        public int Of(UpcomingRow r)
        {
            // Rows in a row mostly share their terms: comparing with the last row's is cheaper than hashing them.
            var key = (r.Product, r.Spec, r.Components, r.PendingChange, r.AutoRenewMonths);
            if (_at >= 0 && key == _last) return _at;
            _last = key;
            if (_index.TryGetValue(key, out _at)) return _at;
            var read = new RenewalTerms(r.Product, r.Spec, Columns.ReadJson<Components>(r.Components) ?? Components.None,
                r.PendingChange is null ? null : Columns.ReadJson<PendingChange>(r.PendingChange), checked((int)r.AutoRenewMonths));
            _at = Terms.FindIndex(t => t == read);
            if (_at < 0)
            {
                _at = Terms.Count;
                Terms.Add(read);
            }

            _index[key] = _at;
            return _at;
        }
    }

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
        public long TermsDigest { get; set; }
    }
}
