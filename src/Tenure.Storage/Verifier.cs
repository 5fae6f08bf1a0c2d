using Dapper;
using Tenure.Domain.Billing;
using Tenure.Domain.Instances;
using Tenure.Domain.Time;

namespace Tenure.Storage;

/// <summary>
/// <c>tenure verify</c>: checks the invariants money and lifecycle rest on over a whole database
/// and names every row that breaks one.
/// </summary>
public static class Verifier
{
    private static readonly (string Name, string Sql)[] Checks =
    [
        ("balance differs from the ledger (R7.4)",
            "SELECT a.id || ': balance ' || a.balance || ', ledger ' " +
            "|| COALESCE((SELECT SUM(l.amount) FROM ledger l WHERE l.account_id = a.id AND l.coupon_id IS NULL), 0) " +
            "FROM accounts a " +
            "WHERE a.balance <> COALESCE((SELECT SUM(l.amount) FROM ledger l WHERE l.account_id = a.id AND l.coupon_id IS NULL), 0)"),
        ("coupon remainder differs from its ledger rows (R7.4)",
            "SELECT c.id || ': remaining ' || c.remaining || ', ledger ' " +
            "|| COALESCE((SELECT SUM(l.amount) FROM ledger l WHERE l.coupon_id = c.id), 0) " +
            "FROM coupons c WHERE c.remaining <> COALESCE((SELECT SUM(l.amount) FROM ledger l WHERE l.coupon_id = c.id), 0)"),
        ("more than one order per instance, cycle and kind (R7.4)",
            "SELECT instance_id || ' ' || kind || ' @' || period_start || ': ' || COUNT(*) || ' orders' FROM order_items " +
            // Plan changes are keyed by their order alone (0004_order_item_key.sql).
            "WHERE kind NOT IN ('Upgrade', 'EditionChange', 'ChargeTypeChange') " +
            "GROUP BY instance_id, period_start, kind HAVING COUNT(*) > 1"),
        ("charge after release (R5.5)",
            "SELECT i.id || ': ledger row ' || l.id || ' at ' || l.at || ' after release at ' || i.released_at " +
            "FROM ledger l JOIN instances i ON i.id = l.instance_id " +
            "WHERE i.released_at IS NOT NULL AND l.at > i.released_at AND l.amount < 0"),
        ("unreleased subscription instance without a next event",
            "SELECT i.id || ': ' || i.status || ', mode ' || i.mode FROM instances i JOIN accounts a ON a.id = i.account_id " +
            "WHERE i.charge_type = 'Subscription' AND i.status <> 'Released' AND i.next_due_at IS NULL " +
            "AND NOT (a.no_stop_on_expiry = 1 AND i.mode <> 'NoRenew' AND i.post_expiration_action = 'Stop')"),
        ("duplicate outbox dedupe key (R9.4)",
            "SELECT dedupe_key || ': ' || COUNT(*) || ' rows' FROM outbox GROUP BY dedupe_key HAVING COUNT(*) > 1"),
        ("negative coupon remainder",
            "SELECT id || ': ' || remaining FROM coupons WHERE remaining < 0"),
        ("order with a negative part (R7.3, R7.9)",
            "SELECT id || ': coupons ' || paid_by_coupons || ', balance ' || paid_by_balance || ', method ' || paid_by_method " +
            "FROM orders WHERE paid_by_coupons < 0 OR paid_by_balance < 0 OR paid_by_method < 0"),
        ("succeeded payment without exactly one order it paid (R7.11)",
            "SELECT p.id || ': order ' || COALESCE(p.order_id, 'none') FROM payments p WHERE p.status = 'succeeded' " +
            "AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = p.order_id AND o.paid_by_method = p.amount)"),
        ("order paid by more than one payment (R7.11)",
            "SELECT order_id || ': ' || COUNT(*) || ' payments' FROM payments " +
            "WHERE order_id IS NOT NULL GROUP BY order_id HAVING COUNT(*) > 1"),
        ("succeeded payment not in the ledger exactly once (R7.4, R7.11)",
            "SELECT p.id || ': ' " +
            "|| (SELECT COUNT(*) FROM ledger l WHERE l.order_id = p.order_id AND l.kind = 'Payment') || ' ledger rows' " +
            "FROM payments p WHERE p.status = 'succeeded' " +
            "AND (SELECT COUNT(*) FROM ledger l WHERE l.order_id = p.order_id AND l.kind = 'Payment' AND l.amount = p.amount) <> 1"),
        ("refunded payment without its whole refund (R7.11)",
            "SELECT p.id || ': ' || p.amount FROM payments p WHERE p.status = 'refunded' " +
            "AND p.amount <> COALESCE((SELECT SUM(r.amount) FROM payment_refunds r WHERE r.payment_id = p.id), 0)"),
        ("refunds to the payment method exceed the payment (R7.11)",
            "SELECT p.id || ': paid ' || p.amount || ', refunded ' || SUM(r.amount) " +
            "FROM payments p JOIN payment_refunds r ON r.payment_id = p.id " +
            "GROUP BY p.id, p.amount HAVING SUM(r.amount) > p.amount"),
        ("payment in the ledger without a succeeded payment (R7.11)",
            "SELECT l.id || ': ' || l.amount FROM ledger l WHERE l.kind = 'Payment' " +
            "AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = l.order_id AND p.status = 'succeeded')"),
    ];

    private const string StatementCheck = "statement does not add up (R8.8)";

    /// <summary>
    /// Every violation as "check: row"; empty when the database is sound. Statements are months of
    /// <paramref name="calendar"/>'s zone (the deployment's billing zone; default Asia/Shanghai).
    /// </summary>
    public static List<string> Check(Database database, BillingCalendar? calendar = null)
    {
        using var session = database.Begin();
        var violations = new List<string>();
        foreach (var (name, sql) in Checks) violations.AddRange(session.Query<string>(sql).Select(row => $"{name}: {row}"));
        violations.AddRange(StatementViolations(session, calendar ?? BillingCalendar.Default).Select(row => $"{StatementCheck}: {row}"));
        session.Commit();
        return violations;
    }

    /// <summary>
    /// R8.8: every account's statements, month by month, made from its cash lines as the API makes them (StatementAudit).
    /// </summary>
    private static IEnumerable<string> StatementViolations(Session session, BillingCalendar calendar)
    {
        var balances = session.Query<(string Id, long Balance)>("SELECT id, balance FROM accounts")
            .ToDictionary(a => a.Id, a => a.Balance, StringComparer.Ordinal);
        var found = new List<string>();
        var account = string.Empty;
        var lines = new List<LedgerLine>();
        void Audit()
        {
            if (lines.Count > 0) found.AddRange(StatementAudit.Check(calendar, account, balances.GetValueOrDefault(account), lines));
            lines.Clear();
        }

        // Streamed a row at a time: the whole ledger is never in memory, one account's is.
        foreach (var (accountId, id, at, amount) in session.Connection.Query<(string, long, long, long)>(
            "SELECT account_id, id, at, amount FROM ledger WHERE coupon_id IS NULL ORDER BY account_id, at, id",
            transaction: session.Transaction, buffered: false))
        {
            if (accountId != account) Audit();
            account = accountId;
            lines.Add(new LedgerLine(id, Columns.At(at), LedgerKind.Charge, amount, null, null, null, string.Empty));
        }

        Audit();
        return found;
    }
}
