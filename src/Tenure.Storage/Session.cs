using System.Globalization;
using System.Data.Common;
using System.Security.Cryptography;
using Dapper;
using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;

namespace Tenure.Storage;

/// <summary>Where a claim stopped: the claim order's key of the first due instance it left.</summary>
public sealed record ClaimCursor(Instant At, Instant? Expires, string Id);

/// <summary>
/// One unit of work: a connection and its transaction. Loads what decisions need and writes a
/// decision's new state with all its effects, so that state and money move together or not at all.
/// </summary>
public sealed partial class Session : IDisposable, IAsyncDisposable
{
    /// <summary>The clock ID of accounts that live on the system clock.</summary>
    public const string SystemClock = "system";

    internal const string InstanceColumns =
        "id, account_id, clock_id, product, region, edition, spec, charge_type, status, created_at, expires_at, mode, auto_renew_months, " +
        "post_expiration_action, post_release_action, pending_change, components, cycle_start, cycle_cash, ahead_cycles, stopped_at, " +
        "stop_cause, released_at, payg_billed_through, progress_at, progress_rank, alarms, next_due_at, next_due_kind, payment_pending, " +
        "cycle_method, terms_digest";

    private readonly Database _database;
    private readonly Dictionary<string, AccountRow> _contacts = [];
    private readonly RowBuffer _rows = new();
    private readonly Dictionary<string, (long Cash, Account Account)> _accountUpdates = [];
    private readonly Dictionary<string, long> _couponDeltas = [];

    /// <summary>
    /// The <c>instances</c> rows this unit of work read for update (or last wrote), by ID: saving one of them again
    /// writes only the columns that changed (<see cref="InstanceChanges"/>).
    /// </summary>
    private readonly Dictionary<string, InstanceRow> _instanceRows = new(StringComparer.Ordinal);

    /// <summary>
    /// R8.9: the clock and product of each instance this unit of work saved, by ID: a renewal item written with its
    /// instance carries them, so the report groups renewals without joining the instances.
    /// </summary>
    private readonly Dictionary<string, (string ClockId, string Product)> _savedInstances = new(StringComparer.Ordinal);

    /// <summary>Instances with a change buffered and not yet sent: a second change of one goes after a flush, not beside it.</summary>
    private readonly HashSet<string> _instancesBuffered = new(StringComparer.Ordinal);
    private bool _committed;

    /// <summary>The SQLite writer gate this session holds (Database.Begin), released once, at commit or dispose.</summary>
    private SemaphoreSlim? _writer;

    /// <summary>
    /// Set when the session is one command of a SQLite group (Writer): its writes sit in this savepoint of the group's transaction.
    /// </summary>
    private readonly string? _savepoint;

    internal Session(Database database, DbConnection connection, bool readOnly, SemaphoreSlim? writer = null)
    {
        _database = database;
        _writer = writer;
        Connection = connection;
        // SQLite: a read-only session begins deferred, so reads never wait for (or block) the writer.
        Transaction = readOnly && connection is Microsoft.Data.Sqlite.SqliteConnection sqlite
            ? sqlite.BeginTransaction(deferred: true)
            : connection.BeginTransaction();
    }

    /// <summary>
    /// A command inside a group's transaction (SQLite): everything it writes is undone alone by rolling back to its savepoint.
    /// </summary>
    internal Session(Database database, DbConnection connection, DbTransaction transaction, string savepoint)
    {
        _database = database;
        Connection = connection;
        Transaction = transaction;
        _savepoint = savepoint;
        transaction.Save(savepoint);
    }

    private Session(Database database, DbConnection connection, DbTransaction transaction)
    {
        _database = database;
        Connection = connection;
        Transaction = transaction;
    }

    /// <summary>A PostgreSQL unit of work opened asynchronously.</summary>
    internal static async Task<Session> BeginAsync(Database database, CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return new Session(database, connection, await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false));
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    internal DbConnection Connection { get; }

    internal DbTransaction Transaction { get; private set; }

    private bool Postgres => _database.Dialect == Dialect.Postgres;

    /// <summary>The ID given to the last order this session wrote, for the response that reports it.</summary>
    public string? LastOrderId { get; private set; }

    /// <summary>Random per process, so that IDs of different processes never meet.</summary>
    private static readonly string Process = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    private static long _sequence;

    /// <summary>
    /// A fresh ID with a type prefix, e.g. <c>o-3f9a…</c>: this process's random part and then a
    /// counter, so a process's new rows land next to each other at the end of each index instead
    /// of on a random page each (a renewal wave writes a thousand orders per commit).
    /// </summary>
    public static string NewId(string prefix) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}-{Process}{Interlocked.Increment(ref _sequence):x10}");

    public void Commit()
    {
        Flush();
        if (_savepoint is not null)
        {
            Transaction.Release(_savepoint); // the group's COMMIT makes it durable
            _committed = true;
            return;
        }

        Transaction.Commit();
        _committed = true;
        Interlocked.Exchange(ref _writer, null)?.Release(); // the write lock ends with the transaction, as SQLite's own does
    }

    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        if (_savepoint is not null || !Postgres)
        {
            Commit();
            return;
        }

        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await Transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _committed = true;
    }

    /// <summary>
    /// Undoes everything this session wrote and goes on, empty, in a fresh unit of work: in a SQLite
    /// group back to the command's savepoint; on PostgreSQL a rollback, its locks released, and a new transaction.
    /// </summary>
    public async Task UndoAsync(CancellationToken cancellationToken = default)
    {
        _rows.Clear();
        _instancesBuffered.Clear();
        _instanceRows.Clear(); // the rows are back to what they were before any of this session's writes
        _savedInstances.Clear();
        _accountUpdates.Clear();
        _couponDeltas.Clear();
        LastOrderId = null;
        LastPaymentId = null;
        if (_savepoint is not null)
        {
            Transaction.Rollback(_savepoint); // the savepoint stays open for what the command writes next
            return;
        }

        await Transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
        await Transaction.DisposeAsync().ConfigureAwait(false);
        Transaction = await Connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (_savepoint is not null)
        {
            if (!_committed)
            {
                Transaction.Rollback(_savepoint);
                Transaction.Release(_savepoint);
            }

            return;
        }

        try
        {
            if (!_committed) Transaction.Dispose();
            Connection.Dispose();
        }
        finally
        {
            Interlocked.Exchange(ref _writer, null)?.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_savepoint is not null || !Postgres)
        {
            Dispose();
            return;
        }

        if (!_committed) await Transaction.DisposeAsync().ConfigureAwait(false);
        await Connection.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Sends buffered rows now; every read and statement does this first, so it sees the session's own writes.</summary>
    public void Flush()
    {
        BufferAccountUpdates();
        _instancesBuffered.Clear();
        if (!_rows.IsEmpty) _rows.Flush(Connection, Transaction);
    }

    /// <summary>The balance and coupon moves gathered per account and coupon, as buffered rows.</summary>
    private void BufferAccountUpdates()
    {
        foreach (var (id, (cash, account)) in _accountUpdates)
        {
            _rows.Add("WITH v (id, cash, negative_since, no_stop) AS (VALUES",
                ") UPDATE accounts SET balance = accounts.balance + v.cash, negative_since = v.negative_since, " +
                "no_stop_on_expiry = v.no_stop FROM v WHERE accounts.id = v.id",
                id, cash, (object?)Columns.Ticks(account.NegativeSince) ?? RowBuffer.TypedNull.Int64, account.NoStopOnExpiry ? 1L : 0L);
        }

        foreach (var (id, delta) in _couponDeltas)
        {
            _rows.Add(
                "WITH v (id, amount) AS (VALUES",
                ") UPDATE coupons SET remaining = coupons.remaining + v.amount FROM v WHERE coupons.id = v.id",
                id, delta);
        }

        _accountUpdates.Clear();
        _couponDeltas.Clear();
    }

    /// <summary>As <see cref="Flush"/>, with PostgreSQL's round trips awaited rather than blocking a thread.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (!Postgres)
        {
            Flush();
            return;
        }

        BufferAccountUpdates();
        _instancesBuffered.Clear();
        if (!_rows.IsEmpty) await _rows.FlushAsync(Connection, Transaction, cancellationToken).ConfigureAwait(false);
    }

    internal int Execute(string sql, object? parameters = null)
    {
        Flush();
        return Connection.Execute(sql, parameters, Transaction);
    }

    /// <summary>
    /// Rows of <paramref name="sql"/>; unless <paramref name="buffered"/>, read as they are enumerated (done before the next statement).
    /// </summary>
    internal IEnumerable<T> Query<T>(string sql, object? parameters = null, bool buffered = true)
    {
        Flush();
        return Connection.Query<T>(sql, parameters, Transaction, buffered);
    }

    /// <summary>
    /// The <c>instances</c> rows of <paramref name="sql"/>, which selects <see cref="InstanceColumns"/>: on SQLite stepped natively
    /// (<see cref="SqliteRows"/>; each <c>@name</c> becomes a position, bound from the property of that name), on PostgreSQL
    /// through Dapper.
    /// </summary>
    private List<InstanceRow> InstanceRows(string sql, object parameters)
    {
        if (Postgres) return [.. Query<InstanceRow>(sql, parameters)];
        Flush();
        var names = new List<string>();
        var positional = ParameterName().Replace(sql, m =>
        {
            if (!names.Contains(m.Groups[1].Value)) names.Add(m.Groups[1].Value);
            return $"?{names.IndexOf(m.Groups[1].Value) + 1}";
        });
        var values = names.Select(n =>
            (parameters.GetType().GetProperty(n) ?? throw new ArgumentException($"No parameter @{n} for: {sql}")).GetValue(parameters));
        return SqliteRows.Read((Microsoft.Data.Sqlite.SqliteConnection)Connection, positional, [.. values], InstanceRow.Read);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"@(\w+)")]
    private static partial System.Text.RegularExpressions.Regex ParameterName();

    internal T? Single<T>(string sql, object? parameters = null)
    {
        Flush();
        return Connection.QuerySingleOrDefault<T>(sql, parameters, Transaction);
    }

    // ---- accounts ----

    public void InsertAccount(AccountRow account)
    {
        _rows.Add(
            "INSERT INTO accounts (id, name, email, phone, currency, balance, no_stop_on_expiry, negative_since, webhook_url, " +
            "webhook_secret, clock_id, created_at, locale) VALUES",
            string.Empty,
            account.Id, account.Name, account.Email, account.Phone, account.Currency, 0L, account.NoStopOnExpiry, null, account.WebhookUrl,
            account.WebhookSecret, account.ClockId, account.CreatedAt, account.Locale);
        _contacts[account.Id] = account;
    }

    public AccountRow? AccountRow(string id) => Single<AccountRow>("SELECT * FROM accounts WHERE id = @id", new { id });

    /// <summary>
    /// Accounts as the rules see them, with their coupons. With <paramref name="forUpdate"/> on
    /// PostgreSQL the rows are locked, in ID order so that concurrent engines never deadlock.
    /// </summary>
    public Dictionary<string, Account> Accounts(IEnumerable<string> ids, bool forUpdate)
    {
        var sorted = ids.Distinct().Order(StringComparer.Ordinal).ToArray();
        if (sorted.Length == 0) return [];
        return AccountsWhere(AnyOf("ids"), new { ids = ListOf(sorted) }, forUpdate && Postgres ? " ORDER BY id FOR UPDATE" : string.Empty);
    }

    /// <summary>
    /// The accounts whose ID meets <paramref name="idIs"/> (the rest of an SQL condition on it: a list, an array, a JSON array),
    /// with their coupons, as the rules see them.
    /// </summary>
    private Dictionary<string, Account> AccountsWhere(string idIs, object parameters, string lockClause = "")
    {
        var rows = Query<AccountRow>($"SELECT * FROM accounts WHERE id {idIs}{lockClause}", parameters).ToList();
        var coupons = Query<CouponRow>($"SELECT * FROM coupons WHERE account_id {idIs} AND remaining > 0", parameters)
            .GroupBy(c => c.AccountId).ToDictionary(g => g.Key, g => g.Select(c => c.ToDomain()));
        foreach (var row in rows) _contacts[row.Id] = row;

        return rows.ToDictionary(r => r.Id, r => r.ToDomain(coupons.GetValueOrDefault(r.Id, [])));
    }

    // ---- instances ----

    /// <summary>
    /// An instance; with <paramref name="forUpdate"/> on PostgreSQL its row is locked for the command (lock instances before accounts,
    /// as the engine does).
    /// </summary>
    public Instance? Instance(string id, bool forUpdate = false) =>
        Single<InstanceRow>(
            $"SELECT {InstanceColumns} FROM instances WHERE id = @id{(forUpdate && Postgres ? " FOR UPDATE" : string.Empty)}",
            new { id }) is { } row
            ? Remember(row)
            : null;

    /// <summary>An account's instances, locked on PostgreSQL in ID order (before the account, as the engine does).</summary>
    public List<Instance> LockAccountInstances(string accountId) =>
        [.. Query<InstanceRow>(
            $"SELECT {InstanceColumns} FROM instances WHERE account_id = @accountId ORDER BY id{(Postgres ? " FOR UPDATE" : string.Empty)}",
            new { accountId }).Select(Remember)];

    /// <summary>An instance row read to be decided on and saved in this unit of work, kept so the save writes only what changed.</summary>
    private Instance Remember(InstanceRow row)
    {
        _instanceRows[row.Id] = row;
        return row.ToDomain();
    }

    public List<Instance> AccountInstances(string accountId) =>
        [.. Query<InstanceRow>($"SELECT {InstanceColumns} FROM instances WHERE account_id = @accountId ORDER BY id", new { accountId })
            .Select(r => r.ToDomain())];

    /// <summary>
    /// The running auto-renew subscription instances of each of these accounts (what R8.7's forecast plans), in ID order,
    /// read in one statement: the engine's batch reads those of all its accounts at once (one query per account was most of
    /// a test clock's advance), and no other instance of theirs. Every ID gets a list.
    /// </summary>
    public Dictionary<string, List<Instance>> AutoRenewInstances(IReadOnlyCollection<string> accountIds)
    {
        var sorted = accountIds.Distinct().Order(StringComparer.Ordinal).ToArray();
        var byAccount = sorted.ToDictionary(id => id, _ => new List<Instance>(), StringComparer.Ordinal);
        if (sorted.Length == 0) return byAccount;
        var sql = $"SELECT {InstanceColumns} FROM instances WHERE account_id {AnyOf("ids")} AND mode = 'Auto' AND status = 'Running' " +
            "AND charge_type = 'Subscription' ORDER BY account_id, id";
        foreach (var row in InstanceRows(sql, new { ids = ListOf(sorted) }))
        {
            byAccount[row.AccountId].Add(row.ToDomain());
        }

        return byAccount;
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> instances of a clock whose next event is due at
    /// <paramref name="now"/>, earliest first (ties to the earliest expiry, R4.8). On PostgreSQL the
    /// rows are locked and rows another engine holds are skipped. Also returns the claim key of the
    /// first row not claimed: the batch runs no event past its due time (so order holds across
    /// batches), and on PostgreSQL the next claim may start there.
    /// </summary>
    public (List<Instance> Claimed, ClaimCursor? Next) ClaimDue(string clockId, Instant now, int limit, ClaimCursor? from = null)
    {
        var lockClause = Postgres ? " FOR UPDATE SKIP LOCKED" : string.Empty;
        // From a cursor (PostgreSQL): the scan starts at the first row the last batch left, not at the
        // index entries of rows that batch already moved on, which stay in the index until vacuum.
        var fromClause = from is { Expires: not null } && Postgres
            ? " AND (next_due_at, expires_at, id) >= (@fromAt, @fromExpires, @fromId)"
            : string.Empty;
        // SQLite reads the first row left with the claim. PostgreSQL locks only what it claims: a row read with it would be locked
        // too, and this engine's next batch would take it while another engine has the rest of its account, so that each
        // engine's batch waited for the other's commit (docs/benchmarks.md). It reads that row apart, unlocked.
        var rows = InstanceRows(
            $"SELECT {InstanceColumns} FROM instances WHERE clock_id = @clockId AND next_due_at <= @now{fromClause} " +
            $"ORDER BY next_due_at, expires_at{(Postgres ? " NULLS FIRST" : string.Empty)}, id LIMIT @take{lockClause}",
            new
            {
                clockId, now = Columns.Ticks(now), take = Postgres ? limit : limit + 1, fromAt = Columns.Ticks(from?.At),
                fromExpires = Columns.Ticks(from?.Expires), fromId = from?.Id,
            });
        var next = Postgres
            ? rows.Count == limit ? FirstAfter(clockId, now, rows[^1]) : null
            : rows.Count > limit ? Cursor(rows[limit].NextDueAt!.Value, rows[limit].ExpiresAt, rows[limit].Id) : null;
        return ([.. rows.Take(limit).Select(Remember)], next);
    }

    /// <summary>
    /// PostgreSQL: the claim key of the first due row after <paramref name="last"/> in claim order, locked or not, read by the
    /// index. Rows without an expiry sort first among their due time, where a row comparison with a NULL is NULL, so those
    /// after a last row without one are read by a second index range.
    /// </summary>
    private ClaimCursor? FirstAfter(string clockId, Instant now, InstanceRow last)
    {
        const string Key = "SELECT next_due_at AS at, expires_at AS expires, id FROM instances WHERE clock_id = @clockId AND ";
        const string Order = " ORDER BY next_due_at, expires_at NULLS FIRST, id LIMIT 1";
        var noExpiry = last.ExpiresAt is null
            ? $"({Key}next_due_at = @at AND expires_at IS NULL AND id > @id{Order}) UNION ALL "
            : string.Empty;
        var found = Query<(long At, long? Expires, string Id)>(
            $"SELECT * FROM ({noExpiry}({Key}next_due_at <= @now AND (next_due_at, expires_at, id) > (@at, @expires, @afterId){Order})) " +
            "AS k ORDER BY at, expires NULLS FIRST, id LIMIT 1",
            new
            {
                clockId, now = Columns.Ticks(now), at = last.NextDueAt!.Value, id = last.Id, expires = last.ExpiresAt ?? long.MinValue,
                afterId = last.ExpiresAt is null ? string.Empty : last.Id,
            }).ToList();
        return found is [var key, ..] ? Cursor(key.At, key.Expires, key.Id) : null;
    }

    private static ClaimCursor Cursor(long at, long? expires, string id) => new(Columns.At(at), Columns.At(expires), id);

    /// <summary>
    /// Claims every instance of an account on a clock whose next event is due at <paramref name="now"/>, those this session
    /// claimed already among them: a test clock's batch takes accounts whole (R12.1). On PostgreSQL the rows are locked and a
    /// row a command holds is skipped, as in <see cref="ClaimDue"/>: that command runs its events itself.
    /// </summary>
    /// <remarks>
    /// The due time is compared as <c>next_due_at + 0</c> so that SQLite reads the account's rows by the account index; by
    /// the due index it read every due row of the clock for each account.
    /// </remarks>
    public List<Instance> ClaimDueOfAccount(string clockId, string accountId, Instant now) =>
        [.. InstanceRows(
            $"SELECT {InstanceColumns} FROM instances WHERE account_id = @accountId AND clock_id = @clockId AND next_due_at + 0 <= @now" +
            (Postgres ? " FOR UPDATE SKIP LOCKED" : string.Empty),
            new { accountId, clockId, now = Columns.Ticks(now) }).Select(Remember)];

    /// <summary>
    /// Writes an instance's state (inserting it when new) with its next due pointer: the event the
    /// decision computed (<see cref="Change.NextDue"/>), which storage does not recompute.
    /// </summary>
    public void SaveInstance(Instance instance, DueEvent? next, string clockId)
    {
        var read = _instanceRows.GetValueOrDefault(instance.Id.Value);
        var r = InstanceRow.From(instance, clockId, next, read);
        _savedInstances[r.Id] = (r.ClockId, r.Product);
        if (read is { } was && was.ClockId == r.ClockId && was.AccountId == r.AccountId)
        {
            // Saved twice before a flush (a command after the engine caught its instance up): the rows of one statement
            // shape are sent together, so the second change must not sit beside, or before, the first.
            if (!_instancesBuffered.Add(r.Id))
            {
                Flush();
                _instancesBuffered.Add(r.Id);
            }

            InstanceChanges.Buffer(_rows, was, r);
            _instanceRows[r.Id] = r;
            return;
        }

        _rows.Add($"INSERT INTO instances ({InstanceColumns}) VALUES", InstanceUpsert,
            r.Id, r.AccountId, r.ClockId, r.Product, r.Region, r.Edition, r.Spec, r.ChargeType, r.Status, r.CreatedAt, r.ExpiresAt, r.Mode,
            r.AutoRenewMonths, r.PostExpirationAction, r.PostReleaseAction, r.PendingChange, r.Components, r.CycleStart, r.CycleCash,
            r.AheadCycles, r.StoppedAt, r.StopCause, r.ReleasedAt, r.PaygBilledThrough, r.ProgressAt, r.ProgressRank, r.Alarms, r.NextDueAt,
            r.NextDueKind, (object?)r.PaymentPending ?? RowBuffer.TypedNull.Text, r.CycleMethod, r.TermsDigest);
    }

    private const string InstanceUpsert =
        " ON CONFLICT (id) DO UPDATE SET edition = excluded.edition, spec = excluded.spec, charge_type = excluded.charge_type, " +
        "status = excluded.status, expires_at = excluded.expires_at, mode = excluded.mode, " +
        "auto_renew_months = excluded.auto_renew_months, post_expiration_action = excluded.post_expiration_action, " +
        "post_release_action = excluded.post_release_action, pending_change = excluded.pending_change, components = excluded.components, " +
        "cycle_start = excluded.cycle_start, cycle_cash = excluded.cycle_cash, ahead_cycles = excluded.ahead_cycles, " +
        "stopped_at = excluded.stopped_at, stop_cause = excluded.stop_cause, released_at = excluded.released_at, " +
        "payg_billed_through = excluded.payg_billed_through, progress_at = excluded.progress_at, progress_rank = excluded.progress_rank, " +
        "alarms = excluded.alarms, next_due_at = excluded.next_due_at, next_due_kind = excluded.next_due_kind, " +
        "payment_pending = excluded.payment_pending, cycle_method = excluded.cycle_method, terms_digest = excluded.terms_digest";

    // ---- writing decisions ----

    /// <summary>
    /// Writes a decision: its instances (with their next due pointers), the account, and every effect.
    /// The balance moves by exactly the cash ledger rows written here, so balance = ledger sum always.
    /// </summary>
    public void Save(Change change, Instant at, string clockId)
    {
        for (var i = 0; i < change.Instances.Length; i++) SaveInstance(change.Instances[i], change.NextDue[i], clockId);
        UpdateAccount(change.Account, WriteEffects(change.Account.Id.Value, change.Effects, at));
    }

    /// <summary>
    /// Moves the account's balance by <paramref name="cash"/> — the sum of the cash ledger rows just
    /// written — and stores its PAYG and agreement state from the decision.
    /// </summary>
    public void UpdateAccount(Account account, long cash)
    {
        var id = account.Id.Value;
        _accountUpdates[id] = (checked(_accountUpdates.GetValueOrDefault(id).Cash + cash), account);
    }

    /// <summary>
    /// R8.9: the clock and product a renewal item is reported under, from its instance saved in this unit of work (every
    /// renewal moves its instance's expiry, so it is saved); none for other items, which the report does not read.
    /// </summary>
    private (string? ClockId, string? Product) ReportKeys(OrderItem item)
    {
        if (item.Renews is null) return (null, null);
        return _savedInstances.TryGetValue(item.InstanceId.Value, out var keys)
            ? keys
            : throw new InvalidOperationException($"The renewal of {item.InstanceId.Value} is written without its instance.");
    }

    /// <summary>
    /// Writes a decision's effects at <paramref name="at"/> (coupons move with their rows); returns the cash the ledger rows moved.
    /// </summary>
    public long WriteEffects(string accountId, Effects effects, Instant at)
    {
        string? orderId = null;
        if (effects.Order is { } order)
        {
            orderId = NewId("o");
            LastOrderId = orderId;
            _rows.Add(
                "INSERT INTO orders (id, account_id, kind, total, paid_by_coupons, paid_by_balance, paid_by_method, at) VALUES",
                string.Empty, orderId, accountId, order.Kind.ToString(), order.Total, order.PaidByCoupons, order.PaidByBalance,
                order.PaidByMethod, Columns.Ticks(at));
            foreach (var item in order.Items)
            {
                var (clockId, product) = ReportKeys(item);
                _rows.Add(
                    "INSERT INTO order_items (order_id, instance_id, period_start, kind, amount, new_expires_at, renews_expiry, " +
                    "attempt_day, clock_id, product) VALUES",
                    string.Empty, orderId, item.InstanceId.Value, Columns.Ticks(item.PeriodStart), order.Kind.ToString(), item.Amount,
                    Columns.Ticks(item.NewExpiresAt), Columns.Ticks(item.Renews), (long?)order.AttemptDay,
                    (object?)clockId ?? RowBuffer.TypedNull.Text, (object?)product ?? RowBuffer.TypedNull.Text);
            }
        }

        foreach (var coupon in effects.Grants)
        {
            // Created empty: the grant's ledger row fills it below, so a coupon's remainder is always the sum of its rows.
            _rows.Add(
                "INSERT INTO coupons (id, account_id, amount, remaining, expires_at, product, created_at) VALUES", string.Empty,
                coupon.Id.Value, accountId, coupon.Remaining, 0L, Columns.Ticks(coupon.ExpiresAt), coupon.Product, Columns.Ticks(at));
        }

        long cash = 0;
        foreach (var posting in effects.Ledger)
        {
            // R8.8: a refund made without an order of its own carries the ID of the order it gives money back for.
            var lineOrder = orderId
                ?? (posting is { Kind: LedgerKind.Refund, InstanceId: { } refunded } ? RefundedOrder(refunded.Value) : null);
            _rows.Add(
                "INSERT INTO ledger (account_id, at, kind, amount, instance_id, coupon_id, order_id, memo) VALUES", string.Empty,
                accountId, Columns.Ticks(at), posting.Kind.ToString(), posting.Amount, posting.InstanceId?.Value, posting.CouponId?.Value,
                lineOrder, posting.Memo);
            if (posting.CouponId is { } coupon)
                _couponDeltas[coupon.Value] = checked(_couponDeltas.GetValueOrDefault(coupon.Value) + posting.Amount);
            else cash = checked(cash + posting.Amount);
        }

        foreach (var e in effects.Events)
        {
            _rows.Add("INSERT INTO timeline_events (instance_id, at, kind, detail) VALUES", string.Empty,
                e.InstanceId.Value, Columns.Ticks(e.At), TimelineKinds.Name(e.Kind), e.Detail);
        }

        if (effects.Payment is { } payment) RequestPayment(accountId, payment, at);
        if (effects.MethodDeclinedHard) MarkMethodDeclined(accountId);
        foreach (var refund in effects.MethodRefunds) RequestRefund(accountId, refund, at);
        foreach (var notice in effects.Notices)
        {
            var saved = orderId is null ? notice : notice with { Data = notice.Data with { OrderId = orderId } };
            SaveNotice(saved, ContactsOf(accountId).NoticeChannels);
        }
        foreach (var action in effects.Actions) EnqueueAction(accountId, action);

        return cash;
    }

    /// <summary>
    /// "Is one of the list <paramref name="parameter"/>", given as <see cref="ListOf{T}"/>: an array on PostgreSQL, a JSON array on
    /// SQLite. (A list Dapper expands into <c>@p1, @p2…</c> is a new statement per length, and SQLite finds each name it binds by
    /// comparing it with every other: a test-clock advance, 500 accounts a batch, spent 4 % of its CPU in those comparisons.)
    /// </summary>
    private string AnyOf(string parameter) => Postgres ? $"= ANY(@{parameter})" : $"IN (SELECT value FROM json_each(@{parameter}))";

    /// <summary>The value of an <see cref="AnyOf"/> parameter.</summary>
    private object ListOf<T>(T[] values) => Postgres ? values : System.Text.Json.JsonSerializer.Serialize(values);
}
