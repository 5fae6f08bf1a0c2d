using NodaTime;
using Tenure.Domain.Billing;
using Tenure.Domain.Instances;

namespace Tenure.Storage;

/// <summary>An order as billing records show it (R8.8): its split, its items, and the refunds that point at it.</summary>
public sealed record OrderRecord(
    string Id, string AccountId, Instant At, OrderKind Kind, long Total, long PaidByCoupons, long PaidByBalance, long PaidByMethod,
    IReadOnlyList<OrderItemRecord> Items, IReadOnlyList<LedgerLine> Refunds)
{
    public long Refunded => Refunds.Sum(r => r.Amount);
}

/// <summary>One instance's part of an order, with the period it paid for.</summary>
public sealed record OrderItemRecord(string InstanceId, OrderKind Kind, Instant PeriodStart, Instant PeriodEnd, long Amount);

/// <summary>What an order list is filtered by; null is "any".</summary>
public sealed record OrderFilter(string? AccountId, string? InstanceId = null, OrderKind? Kind = null, Instant? From = null,
    Instant? To = null);

/// <summary>Where a time-ordered list stopped: the last row's instant and ID.</summary>
public sealed record TimeCursor(Instant At, string Id)
{
    public override string ToString() => $"{At.ToUnixTimeTicks()}_{Id}";

    /// <summary>The cursor a page handed out, or null when <paramref name="text"/> is not one.</summary>
    public static TimeCursor? Parse(string text)
    {
        var split = text.IndexOf('_', StringComparison.Ordinal);
        return split > 0 && long.TryParse(text.AsSpan(0, split), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var ticks)
            && ticks <= Instant.MaxValue.ToUnixTimeTicks() && split < text.Length - 1
            ? new TimeCursor(Instant.FromUnixTimeTicks(ticks), text[(split + 1)..])
            : null;
    }
}

/// <summary>R8.8: reading orders, the ledger with the balance after each line, statements' lines and an instance's cost.</summary>
public sealed partial class Session
{
    private const string OrderColumns = "id, account_id, at, kind, total, paid_by_coupons, paid_by_balance, paid_by_method";

    private const string LedgerColumns = "id, at, kind, amount, instance_id, order_id, coupon_id, memo";

    /// <summary>Up to <paramref name="limit"/> orders after <paramref name="after"/> in time order (then ID), with items and
    /// refunds.</summary>
    public List<OrderRecord> Orders(OrderFilter filter, TimeCursor? after, int limit)
    {
        var rows = Query<OrderRow>(
            $"SELECT {OrderColumns} FROM orders o WHERE (@accountId IS NULL OR account_id = @accountId) " +
            "AND (@kind IS NULL OR kind = @kind) AND (@from IS NULL OR at >= @from) AND (@to IS NULL OR at < @to) " +
            "AND (@instanceId IS NULL OR EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id AND i.instance_id = @instanceId)) " +
            "AND (@afterAt IS NULL OR at > @afterAt OR (at = @afterAt AND id > @afterId)) ORDER BY at, id LIMIT @limit",
            new
            {
                accountId = filter.AccountId, kind = filter.Kind?.ToString(), from = Columns.Ticks(filter.From),
                    to = Columns.Ticks(filter.To),
                instanceId = filter.InstanceId, afterAt = Columns.Ticks(after?.At), afterId = after?.Id, limit,
            }).ToList();
        return WithParts(rows);
    }

    /// <summary>One order by ID, or null.</summary>
    public OrderRecord? Order(string id) =>
        WithParts([.. Query<OrderRow>($"SELECT {OrderColumns} FROM orders WHERE id = @id", new { id })]).FirstOrDefault();

    private List<OrderRecord> WithParts(List<OrderRow> rows)
    {
        if (rows.Count == 0) return [];
        var ids = rows.Select(r => r.Id).ToArray();
        var items = Query<(string OrderId, string InstanceId, string Kind, long PeriodStart, long Amount, long? NewExpiresAt)>(
                "SELECT order_id, instance_id, kind, period_start, amount, new_expires_at FROM order_items " +
                $"WHERE order_id {AnyOf("ids")} ORDER BY order_id, instance_id",
                new { ids = ListOf(ids) })
            .ToLookup(i => i.OrderId, i =>
            {
                var kind = Columns.Enum<OrderKind>(i.Kind);
                var start = Columns.At(i.PeriodStart);
                return new OrderItemRecord(i.InstanceId, kind, start, OrderPeriod.End(kind, start, Columns.At(i.NewExpiresAt)), i.Amount);
            });
        var refunds = LedgerRows($"WHERE order_id {AnyOf("ids")} AND kind = 'Refund' ORDER BY at, id", new { ids = ListOf(ids) }).ToLookup(l
            => l.OrderId!);
        return [.. rows.Select(r => new OrderRecord(r.Id, r.AccountId, Columns.At(r.At), Columns.Enum<OrderKind>(r.Kind), r.Total,
            r.PaidByCoupons,
            r.PaidByBalance, r.PaidByMethod, [.. items[r.Id]], [.. refunds[r.Id]]))];
    }

    /// <summary>
    /// Up to <paramref name="limit"/> of an account's ledger lines in [<paramref name="from"/>, <paramref name="to"/>) after
    /// <paramref name="after"/>, in time order (then ID), each with the balance after it: the sum of every cash line up to it.
    /// </summary>
    public List<(LedgerLine Line, long BalanceAfter)> Ledger(string accountId, Instant? from, Instant? to, (Instant At, long Id)? after,
        int limit)
    {
        var lines = LedgerRows(
            "WHERE account_id = @accountId AND (@from IS NULL OR at >= @from) AND (@to IS NULL OR at < @to) " +
            "AND (@afterAt IS NULL OR at > @afterAt OR (at = @afterAt AND id > @afterId)) ORDER BY at, id LIMIT @limit",
            new { accountId, from = Columns.Ticks(from), to = Columns.Ticks(to), afterAt = Columns.Ticks(after?.At), afterId = after?.Id,
                limit });
        if (lines.Count == 0) return [];
        var balance = Single<long?>(
            "SELECT CAST(SUM(amount) AS BIGINT) FROM ledger WHERE account_id = @accountId AND coupon_id IS NULL " +
            "AND (at < @at OR (at = @at AND id < @id))",
            new { accountId, at = Columns.Ticks(lines[0].At), id = lines[0].Id }) ?? 0;
        var shown = new List<(LedgerLine, long)>(lines.Count);
        foreach (var line in lines)
        {
            if (line.IsCash) balance = checked(balance + line.Amount);
            shown.Add((line, balance));
        }

        return shown;
    }

    /// <summary>The balance an account held just before <paramref name="at"/>: its cash lines before it (R7.4).</summary>
    public long BalanceBefore(string accountId, Instant at) =>
        Single<long?>("SELECT CAST(SUM(amount) AS BIGINT) FROM ledger WHERE account_id = @accountId AND coupon_id IS NULL AND at < @at",
            new { accountId, at = Columns.Ticks(at) }) ?? 0;

    /// <summary>Every ledger line of an account in [<paramref name="from"/>, <paramref name="to"/>), in time order (then ID): a
    /// statement's month.</summary>
    public List<LedgerLine> LedgerLines(string accountId, Instant from, Instant to) =>
        LedgerRows("WHERE account_id = @accountId AND at >= @from AND at < @to ORDER BY at, id",
            new { accountId, from = Columns.Ticks(from), to = Columns.Ticks(to) });

    /// <summary>An instance's parts of orders with what was refunded of each order, for what it cost (R8.8).</summary>
    public List<CostItem> InstanceCostItems(string instanceId) =>
        [.. Query<(string OrderId, long At, string Kind, long PeriodStart, long Amount, long Refunded)>(
                "SELECT o.id, o.at, i.kind, i.period_start, i.amount, " +
                "CAST(COALESCE((SELECT SUM(l.amount) FROM ledger l " +
                "WHERE l.order_id = o.id AND l.kind = 'Refund' AND l.instance_id = @instanceId), 0) AS BIGINT) " +
                "FROM order_items i JOIN orders o ON o.id = i.order_id WHERE i.instance_id = @instanceId",
                new { instanceId })
            .Select(r => new CostItem(r.OrderId, Columns.At(r.At), Columns.Enum<OrderKind>(r.Kind), Columns.At(r.PeriodStart), r.Amount,
                r.Refunded))];

    /// <summary>
    /// R8.8: the order a refund of <paramref name="instanceId"/> gives money back for: the latest order that paid a
    /// period of it (PAYG hours are never refunded), or null when none did.
    /// </summary>
    private string? RefundedOrder(string instanceId) =>
        Single<string?>(
            "SELECT o.id FROM order_items i JOIN orders o ON o.id = i.order_id " +
            "WHERE i.instance_id = @instanceId AND i.kind <> 'PaygHour' " +
            "ORDER BY o.at DESC, o.id DESC LIMIT 1",
            new { instanceId });

    private List<LedgerLine> LedgerRows(string where, object parameters) =>
        [.. Query<(long Id, long At, string Kind, long Amount, string? InstanceId, string? OrderId, string? CouponId, string Memo)>(
                $"SELECT {LedgerColumns} FROM ledger {where}", parameters)
            .Select(l => new LedgerLine(l.Id, Columns.At(l.At), Columns.Enum<LedgerKind>(l.Kind), l.Amount, l.InstanceId, l.OrderId,
                l.CouponId, l.Memo))];

    private sealed class OrderRow
    {
        public string Id { get; set; } = "";
        public string AccountId { get; set; } = "";
        public long At { get; set; }
        public string Kind { get; set; } = "";
        public long Total { get; set; }
        public long PaidByCoupons { get; set; }
        public long PaidByBalance { get; set; }
        public long PaidByMethod { get; set; }
    }
}
