using Dapper;
using NodaTime;
using Tenure.Domain.Instances;
using Tenure.Domain.Purchases;

namespace Tenure.Storage;

/// <summary>A <c>payments</c> row (R7.9, R7.11): what was asked of the gateway, and what it answered.</summary>
public sealed class PaymentRow
{
    public string Id { get; set; } = "";
    public string AccountId { get; set; } = "";
    public string InstanceId { get; set; } = "";

    /// <summary>R7.5: the other instances of the order a batch command's payment completes, comma-separated; null for one.</summary>
    public string? BatchInstanceIds { get; set; }

    /// <summary>Every instance the payment's settlement decides on: <see cref="InstanceId"/> first.</summary>
    public IReadOnlyList<string> Instances => [InstanceId, .. (BatchInstanceIds ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)];
    public long PeriodStart { get; set; }
    public long Amount { get; set; }
    public string Currency { get; set; } = "";
    public string Token { get; set; } = "";
    public string Description { get; set; } = "";

    /// <summary>
    /// <c>pending</c>, <c>succeeded</c>, <c>declined</c>, or <c>refunded</c> (it succeeded when its renewal could no longer be applied).
    /// </summary>
    public string Status { get; set; } = "";
    public string? Reason { get; set; }
    public long Attempts { get; set; }
    public string? Reference { get; set; }
    public string? OrderId { get; set; }
    public long CreatedAt { get; set; }
    public long? AnsweredAt { get; set; }
    public long? SettledAt { get; set; }
    public long? NextCallAt { get; set; }
    public string? LastError { get; set; }

    /// <summary>R2, R7.9: a purchase's payment: the purchase it completes, as JSON; null for every other payment.</summary>
    public string? Purchase { get; set; }

    /// <summary>The purchase <see cref="Purchase"/> holds, which the payment's settlement buys once it succeeded.</summary>
    public PurchaseIntent? PurchaseIntent => Purchase is null ? null : Columns.ReadJson<PurchaseIntent>(Purchase);

    public Instant At => Columns.At(CreatedAt);

    /// <summary>Whether the gateway has said "pending" once: from then on the worker asks, it does not charge again.</summary>
    public bool Answered => AnsweredAt is not null;
}

/// <summary>Payment methods on file (R7.8) and payments (R7.9–R7.11).</summary>
public sealed partial class Session
{
    private const string PaymentColumns =
        "id, account_id, instance_id, batch_instance_ids, period_start, amount, currency, token, description, status, reason, attempts, " +
        "reference, order_id, " +
        "created_at, answered_at, settled_at, next_call_at, last_error, purchase";

    /// <summary>R7.8: the account's payment method is replaced (a new method is active, whatever the old one's state).</summary>
    public void SetPaymentMethod(string accountId, string token, string label)
    {
        Execute(
            "UPDATE accounts SET payment_method_token = @token, payment_method_label = @label, payment_method_status = 'Active' " +
            "WHERE id = @accountId",
            new { accountId, token, label });
        _contacts.Remove(accountId);
    }

    /// <summary>R7.8: the account holds no payment method any more.</summary>
    public void RemovePaymentMethod(string accountId)
    {
        Execute(
            "UPDATE accounts SET payment_method_token = NULL, payment_method_label = NULL, payment_method_status = NULL " +
            "WHERE id = @accountId",
            new { accountId });
        _contacts.Remove(accountId);
    }

    /// <summary>
    /// R7.11: the pending row of a payment a decision asked for, written with the decision, so it is committed before
    /// the worker calls the gateway; its ID is the gateway's Idempotency-Key. The worker may call at once, or from
    /// <see cref="PaymentCallsFrom"/>.
    /// </summary>
    private void RequestPayment(string accountId, PaymentRequest payment, Instant at)
    {
        if (!_contacts.TryGetValue(accountId, out var account))
        {
            account = AccountRow(accountId) ?? throw new InvalidOperationException($"Account {accountId} does not exist.");
            _contacts[accountId] = account;
        }

        var token = account.PaymentMethodToken
            ?? throw new InvalidOperationException($"Account {accountId} has no payment method to charge.");
        LastPaymentId = NewId("pay");
        _rows.Add(
            "INSERT INTO payments (id, account_id, instance_id, batch_instance_ids, period_start, amount, currency, token, description, " +
            "status, attempts, created_at, next_call_at, purchase) VALUES",
            string.Empty, LastPaymentId, accountId, payment.InstanceId.Value,
            payment.Batch.IsEmpty ? RowBuffer.TypedNull.Text : string.Join(',', payment.Batch.Select(i => i.Value)),
            Columns.Ticks(payment.PeriodStart), payment.Amount, account.Currency, token,
            payment.Description, "pending", 0L, Columns.Ticks(at), PaymentCallsFrom is { } from ? Columns.Ticks(from) : 0L,
            payment.Purchase is { } purchase ? Columns.WriteJson(purchase) : RowBuffer.TypedNull.Text);
    }

    /// <summary>The ID of the last payment this session asked for, which a command then calls the gateway for itself.</summary>
    public string? LastPaymentId { get; private set; }

    /// <summary>
    /// When the worker may first call for a payment asked in this session (real time); null: at once. A command that calls
    /// the gateway itself within its request holds the worker back meanwhile, as a worker's lease does.
    /// </summary>
    public Instant? PaymentCallsFrom { get; set; }

    /// <summary>R7.9: a hard decline: the method stays on file but is not charged again until it is replaced.</summary>
    private void MarkMethodDeclined(string accountId) =>
        _rows.Add(
            "WITH v (id) AS (VALUES",
            ") UPDATE accounts SET payment_method_status = 'DeclinedHard' FROM v WHERE accounts.id = v.id",
            accountId);

    /// <summary>A payment; on PostgreSQL locked for the settlement that reads it.</summary>
    public async Task<PaymentRow?> LockPaymentAsync(string id, CancellationToken cancellationToken) =>
        (await QueryAsync<PaymentRow>($"SELECT {PaymentColumns} FROM payments WHERE id = @id{ForUpdate}", new { id }, cancellationToken)
            .ConfigureAwait(false))
        .FirstOrDefault();

    /// <summary>R7.11: the order a succeeded payment completed.</summary>
    public void PaidOrder(string id, string orderId) =>
        _rows.Add(
            "WITH v (id, order_id) AS (VALUES", ") UPDATE payments SET order_id = v.order_id FROM v WHERE payments.id = v.id", id, orderId);

    /// <summary>R7.11: records a pending payment's final answer and the order it completed, if it made one.</summary>
    public void SettlePayment(string id, string status, string? reason, string? reference, string? orderId, Instant at)
    {
        _settledPayment = id;
        Execute(
            "UPDATE payments SET status = @status, reason = @reason, reference = COALESCE(@reference, reference), order_id = @orderId, " +
            "settled_at = @at, next_call_at = NULL WHERE id = @id AND status = 'pending'",
            new { id, status, reason, reference, orderId, at = Columns.Ticks(at) });
    }

    /// <summary>
    /// The payments the worker is to call the gateway for at <paramref name="now"/> (real time), oldest call first; each
    /// is leased until <paramref name="leaseUntil"/> so another pass does not take it meanwhile.
    /// </summary>
    public static async Task<List<PaymentRow>> ClaimPaymentCallsAsync(
        Database database, Instant now, Instant leaseUntil, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var due = (await connection.QueryAsync<PaymentRow>(new CommandDefinition(
            $"SELECT {PaymentColumns} FROM payments WHERE status = 'pending' AND next_call_at <= @now " +
            "ORDER BY next_call_at, id LIMIT @limit",
            new { now = Columns.Ticks(now), limit }, cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
        var claimed = new List<PaymentRow>(due.Count);
        foreach (var row in due)
        {
            // Taken only if no one else moved it since the read (another node, a settlement).
            var taken = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE payments SET next_call_at = @lease, attempts = attempts + 1 " +
                "WHERE id = @id AND status = 'pending' AND next_call_at = @seen",
                new { id = row.Id, lease = Columns.Ticks(leaseUntil), seen = row.NextCallAt },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (taken == 1) claimed.Add(row);
        }

        return claimed;
    }

    /// <summary>
    /// What the worker learnt that does not settle the payment: the gateway said "pending" (<paramref name="answered"/>), or
    /// the call failed with <paramref name="error"/>; the next call is at <paramref name="nextCall"/>.
    /// </summary>
    public static async Task NotePaymentCallAsync(
        Database database, string id, bool answered, string? reference, string? error, Instant now, Instant nextCall,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE payments SET next_call_at = @next, last_error = @error, reference = COALESCE(@reference, reference), " +
            "answered_at = CASE WHEN @answered = 1 THEN COALESCE(answered_at, @now) ELSE answered_at END " +
            "WHERE id = @id AND status = 'pending'",
            new { id, next = Columns.Ticks(nextCall), error, reference, answered = answered ? 1 : 0, now = Columns.Ticks(now) },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// An account's (or, with no account, every) payment, newest first, filtered by instance and status, after the cursor.
    /// </summary>
    public List<PaymentRow> Payments(string? accountId, string? instanceId, string? status, string? before, int limit) =>
        [.. Query<PaymentRow>(
            $"SELECT {PaymentColumns} FROM payments WHERE (@accountId IS NULL OR account_id = @accountId) " +
            "AND (@instanceId IS NULL OR instance_id = @instanceId) " +
            "AND (@status IS NULL OR status = @status) AND (@before IS NULL OR id < @before) ORDER BY id DESC LIMIT @limit",
            new { accountId, instanceId, status, before, limit })];

    /// <summary>R2, R7.9: the pending payment of a purchase that is to create instance <paramref name="instanceId"/>, or null.</summary>
    public PaymentRow? PendingPurchase(string instanceId) =>
        Single<PaymentRow>(
            $"SELECT {PaymentColumns} FROM payments WHERE instance_id = @instanceId AND purchase IS NOT NULL AND status = 'pending'",
            new { instanceId });

    /// <summary>One payment, or null.</summary>
    public PaymentRow? Payment(string id) => Single<PaymentRow>($"SELECT {PaymentColumns} FROM payments WHERE id = @id", new { id });

    /// <summary>An account's orders with what each part paid, oldest first (for checks of R7.9's split).</summary>
    public List<(string Id, string Kind, long Total, long PaidByCoupons, long PaidByBalance, long PaidByMethod)> PaymentOrders(
        string accountId) =>
        [.. Query<(string, string, long, long, long, long)>(
            "SELECT id, kind, total, paid_by_coupons, paid_by_balance, paid_by_method FROM orders " +
            "WHERE account_id = @accountId ORDER BY at, id",
            new { accountId })];

    /// <summary>The ledger rows of one order, in the order written: what moved, by kind and amount.</summary>
    public List<(string Kind, long Amount)> PaymentLedgerLines(string orderId) =>
        [.. Query<(string, long)>("SELECT kind, amount FROM ledger WHERE order_id = @orderId ORDER BY id", new { orderId })];

    /// <summary>
    /// R7.11: a refund to the payment method that paid the cycle from <see cref="MethodRefund.PeriodStart"/>: written with the
    /// decision, sent by the worker.
    /// </summary>
    private void RequestRefund(string accountId, MethodRefund refund, Instant at) =>
        Execute(
            "INSERT INTO payment_refunds (id, payment_id, account_id, amount, status, attempts, created_at, next_call_at) " +
            "SELECT @id, p.id, @accountId, @amount, 'pending', 0, @at, 0 FROM payments p " +
            // One succeeded payment per cycle (ux_payments_succeeded); a refund of the payment being settled names it.
            // A batch's payment names its first instance: the others find it by the order that paid their cycle.
            (refund.OfSettledPayment
                ? "WHERE p.id = @settled"
                : "WHERE p.status = 'succeeded' AND (p.instance_id = @instanceId AND p.period_start = @start OR p.order_id IN " +
                  "(SELECT oi.order_id FROM order_items oi WHERE oi.instance_id = @instanceId AND oi.period_start = @start))"),
            new
            {
                id = NewId("rf"), accountId, amount = refund.Amount, at = Columns.Ticks(at), instanceId = refund.InstanceId.Value,
                start = Columns.Ticks(refund.PeriodStart), settled = _settledPayment,
            });

    /// <summary>The payment <see cref="SettlePayment"/> settled in this session, which a whole refund goes back through.</summary>
    private string? _settledPayment;

    /// <summary>The refunds the worker is to send at <paramref name="now"/>, each leased until <paramref name="leaseUntil"/>.</summary>
    public static async Task<List<(string Id, string PaymentId, long Amount, long Attempts)>> ClaimRefundCallsAsync(
        Database database, Instant now, Instant leaseUntil, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var due = (await connection.QueryAsync<(string Id, string PaymentId, long Amount, long Attempts, long NextCallAt)>(
            new CommandDefinition(
                "SELECT id, payment_id, amount, attempts, next_call_at FROM payment_refunds " +
                "WHERE status = 'pending' AND next_call_at <= @now ORDER BY next_call_at, id LIMIT @limit",
                new { now = Columns.Ticks(now), limit }, cancellationToken: cancellationToken)).ConfigureAwait(false)).AsList();
        var claimed = new List<(string, string, long, long)>(due.Count);
        foreach (var row in due)
        {
            var taken = await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE payment_refunds SET next_call_at = @lease, attempts = attempts + 1 " +
                "WHERE id = @id AND status = 'pending' AND next_call_at = @seen",
                new { id = row.Id, lease = Columns.Ticks(leaseUntil), seen = row.NextCallAt },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (taken == 1) claimed.Add((row.Id, row.PaymentId, row.Amount, row.Attempts));
        }

        return claimed;
    }

    /// <summary>
    /// A refund's call came to <paramref name="status"/> (<c>succeeded</c>), or failed with <paramref name="error"/> and is sent
    /// again at <paramref name="nextCall"/>.
    /// </summary>
    public static async Task NoteRefundCallAsync(
        Database database, string id, string status, string? reference, string? error, Instant? nextCall,
        CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE payment_refunds SET status = @status, reference = COALESCE(@reference, reference), last_error = @error, " +
            "next_call_at = @next WHERE id = @id",
            new { id, status, reference, error, next = Columns.Ticks(nextCall) },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>An account's refunds to its payment method: which payment, how much, and where each stands.</summary>
    public List<(string PaymentId, long Amount, string Status)> MethodRefunds(string accountId) =>
        [.. Query<(string, long, string)>(
            "SELECT payment_id, amount, status FROM payment_refunds WHERE account_id = @accountId ORDER BY id", new { accountId })];
}
