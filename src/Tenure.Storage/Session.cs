using System.Globalization;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
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
public sealed class Session : IDisposable
{
    /// <summary>The clock ID of accounts that live on the system clock.</summary>
    public const string SystemClock = "system";

    private const string InstanceColumns =
        "id, account_id, clock_id, product, region, edition, spec, charge_type, status, created_at, expires_at, mode, auto_renew_months, " +
        "post_expiration_action, post_release_action, pending_change, components, cycle_start, cycle_cash, stopped_at, stop_cause, released_at, " +
        "payg_billed_through, progress_at, progress_rank, alarms, next_due_at, next_due_kind";

    private readonly Database _database;
    private readonly Dictionary<string, AccountRow> _contacts = [];
    private readonly RowBuffer _rows = new();
    private readonly Dictionary<string, (long Cash, Account Account)> _accountUpdates = [];
    private readonly Dictionary<string, long> _couponDeltas = [];
    private bool _committed;

    /// <summary>The SQLite writer gate this session holds (Database.Begin), released once, at commit or dispose.</summary>
    private SemaphoreSlim? _writer;

    internal Session(Database database, DbConnection connection, bool readOnly, SemaphoreSlim? writer = null)
    {
        _database = database;
        _writer = writer;
        Connection = connection;
        // SQLite: a read-only session begins deferred, so reads never wait for (or block) the writer.
        Transaction = readOnly && connection is Microsoft.Data.Sqlite.SqliteConnection sqlite ? sqlite.BeginTransaction(deferred: true) : connection.BeginTransaction();
    }

    public DbConnection Connection { get; }

    public DbTransaction Transaction { get; }

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
        Transaction.Commit();
        _committed = true;
        Interlocked.Exchange(ref _writer, null)?.Release(); // the write lock ends with the transaction, as SQLite's own does
    }

    public void Dispose()
    {
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

    /// <summary>Sends buffered rows now; every read and statement does this first, so it sees the session's own writes.</summary>
    public void Flush()
    {
        foreach (var (id, (cash, account)) in _accountUpdates)
        {
            _rows.Add("WITH v (id, cash, negative_since, no_stop) AS (VALUES",
                ") UPDATE accounts SET balance = accounts.balance + v.cash, negative_since = v.negative_since, no_stop_on_expiry = v.no_stop FROM v WHERE accounts.id = v.id",
                id, cash, (object?)Columns.Ticks(account.NegativeSince) ?? RowBuffer.TypedNull.Int64, account.NoStopOnExpiry ? 1L : 0L);
        }

        foreach (var (id, delta) in _couponDeltas)
        {
            _rows.Add("WITH v (id, amount) AS (VALUES", ") UPDATE coupons SET remaining = coupons.remaining + v.amount FROM v WHERE coupons.id = v.id", id, delta);
        }

        _accountUpdates.Clear();
        _couponDeltas.Clear();
        if (!_rows.IsEmpty) _rows.Flush(Connection, Transaction);
    }

    public int Execute(string sql, object? parameters = null)
    {
        Flush();
        return Connection.Execute(sql, parameters, Transaction);
    }

    public IEnumerable<T> Query<T>(string sql, object? parameters = null)
    {
        Flush();
        return Connection.Query<T>(sql, parameters, Transaction);
    }

    public T? Single<T>(string sql, object? parameters = null)
    {
        Flush();
        return Connection.QuerySingleOrDefault<T>(sql, parameters, Transaction);
    }

    // ---- accounts ----

    public void InsertAccount(AccountRow account)
    {
        _rows.Add("INSERT INTO accounts (id, name, email, phone, currency, balance, no_stop_on_expiry, negative_since, webhook_url, webhook_secret, clock_id, created_at) VALUES", string.Empty,
            account.Id, account.Name, account.Email, account.Phone, account.Currency, 0L, account.NoStopOnExpiry, null, account.WebhookUrl, account.WebhookSecret, account.ClockId, account.CreatedAt);
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
        var lockClause = forUpdate && Postgres ? " ORDER BY id FOR UPDATE" : string.Empty;
        var rows = Query<AccountRow>($"SELECT * FROM accounts WHERE id {In(sorted)}{lockClause}", new { ids = sorted }).ToList();
        var coupons = Query<CouponRow>($"SELECT * FROM coupons WHERE account_id {In(sorted)} AND remaining > 0", new { ids = sorted })
            .GroupBy(c => c.AccountId).ToDictionary(g => g.Key, g => g.Select(c => c.ToDomain()));
        foreach (var row in rows) _contacts[row.Id] = row;
        return rows.ToDictionary(r => r.Id, r => r.ToDomain(coupons.GetValueOrDefault(r.Id, [])));
    }

    // ---- instances ----

    /// <summary>An instance; with <paramref name="forUpdate"/> on PostgreSQL its row is locked for the command (lock instances before accounts, as the engine does).</summary>
    public Instance? Instance(string id, bool forUpdate = false) =>
        Single<InstanceRow>($"SELECT {InstanceColumns} FROM instances WHERE id = @id{(forUpdate && Postgres ? " FOR UPDATE" : string.Empty)}", new { id })?.ToDomain();

    /// <summary>Instances in ID order after <paramref name="after"/>, optionally of one account, product and region.</summary>
    /// <summary>
    /// Up to <paramref name="limit"/> instances in ID order after <paramref name="after"/>, narrowed in SQL by
    /// account, product, region, status and mode, and with <paramref name="renewableOnly"/> to unreleased subscriptions.
    /// </summary>
    public List<Instance> Instances(string? accountId, string? product, string? region, InstanceStatus? status, RenewalMode? mode, bool renewableOnly, string after, int limit) =>
        [.. Query<InstanceRow>($"SELECT {InstanceColumns} FROM instances WHERE id > @after AND (@accountId IS NULL OR account_id = @accountId) " +
            "AND (@product IS NULL OR product = @product) AND (@region IS NULL OR region = @region) AND (@status IS NULL OR status = @status) " +
            "AND (@mode IS NULL OR mode = @mode) AND (@renewableOnly = 0 OR (charge_type = 'Subscription' AND status <> 'Released')) ORDER BY id LIMIT @limit",
            new { after, accountId, product, region, status = status?.ToString(), mode = mode?.ToString(), renewableOnly = renewableOnly ? 1 : 0, limit }).Select(r => r.ToDomain())];

    /// <summary>An account's instances, locked on PostgreSQL in ID order (before the account, as the engine does).</summary>
    public List<Instance> LockAccountInstances(string accountId) =>
        [.. Query<InstanceRow>($"SELECT {InstanceColumns} FROM instances WHERE account_id = @accountId ORDER BY id{(Postgres ? " FOR UPDATE" : string.Empty)}", new { accountId }).Select(r => r.ToDomain())];

    public List<Instance> AccountInstances(string accountId) =>
        [.. Query<InstanceRow>($"SELECT {InstanceColumns} FROM instances WHERE account_id = @accountId ORDER BY id", new { accountId }).Select(r => r.ToDomain())];

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
        var fromClause = from is { Expires: not null } && Postgres ? " AND (next_due_at, expires_at, id) >= (@fromAt, @fromExpires, @fromId)" : string.Empty;
        var rows = Query<InstanceRow>(
            $"SELECT {InstanceColumns} FROM instances WHERE clock_id = @clockId AND next_due_at <= @now{fromClause} " +
            $"ORDER BY next_due_at, expires_at{(Postgres ? " NULLS FIRST" : string.Empty)}, id LIMIT @take{lockClause}",
            new { clockId, now = Columns.Ticks(now), take = limit + 1, fromAt = Columns.Ticks(from?.At), fromExpires = Columns.Ticks(from?.Expires), fromId = from?.Id }).ToList();
        var next = rows.Count > limit ? new ClaimCursor(Columns.At(rows[limit].NextDueAt!.Value), Columns.At(rows[limit].ExpiresAt), rows[limit].Id) : null;
        return ([.. rows.Take(limit).Select(r => r.ToDomain())], next);
    }

    /// <summary>
    /// Writes an instance's state (inserting it when new) with its next due pointer: the event the
    /// decision computed (<see cref="Change.NextDue"/>), which storage does not recompute.
    /// </summary>
    public void SaveInstance(Instance instance, DueEvent? next, string clockId)
    {
        var r = InstanceRow.From(instance, clockId, next);
        _rows.Add($"INSERT INTO instances ({InstanceColumns}) VALUES", InstanceUpsert,
            r.Id, r.AccountId, r.ClockId, r.Product, r.Region, r.Edition, r.Spec, r.ChargeType, r.Status, r.CreatedAt, r.ExpiresAt, r.Mode, r.AutoRenewMonths,
            r.PostExpirationAction, r.PostReleaseAction, r.PendingChange, r.Components, r.CycleStart, r.CycleCash, r.StoppedAt, r.StopCause, r.ReleasedAt,
            r.PaygBilledThrough, r.ProgressAt, r.ProgressRank, r.Alarms, r.NextDueAt, r.NextDueKind);
    }

    private const string InstanceUpsert =
        " ON CONFLICT (id) DO UPDATE SET edition = excluded.edition, spec = excluded.spec, charge_type = excluded.charge_type, status = excluded.status, " +
        "expires_at = excluded.expires_at, mode = excluded.mode, auto_renew_months = excluded.auto_renew_months, post_expiration_action = excluded.post_expiration_action, " +
        "post_release_action = excluded.post_release_action, pending_change = excluded.pending_change, components = excluded.components, cycle_start = excluded.cycle_start, " +
        "cycle_cash = excluded.cycle_cash, stopped_at = excluded.stopped_at, stop_cause = excluded.stop_cause, released_at = excluded.released_at, " +
        "payg_billed_through = excluded.payg_billed_through, progress_at = excluded.progress_at, progress_rank = excluded.progress_rank, alarms = excluded.alarms, " +
        "next_due_at = excluded.next_due_at, next_due_kind = excluded.next_due_kind";

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

    /// <summary>Writes a decision's effects at <paramref name="at"/> (coupons move with their rows); returns the cash the ledger rows moved.</summary>
    public long WriteEffects(string accountId, Effects effects, Instant at)
    {
        string? orderId = null;
        if (effects.Order is { } order)
        {
            orderId = NewId("o");
            LastOrderId = orderId;
            _rows.Add("INSERT INTO orders (id, account_id, kind, total, paid_by_coupons, paid_by_balance, at) VALUES", string.Empty,
                orderId, accountId, order.Kind.ToString(), order.Total, order.PaidByCoupons, order.PaidByBalance, Columns.Ticks(at));
            foreach (var item in order.Items)
            {
                _rows.Add("INSERT INTO order_items (order_id, instance_id, period_start, kind, amount, new_expires_at) VALUES", string.Empty,
                    orderId, item.InstanceId.Value, Columns.Ticks(item.PeriodStart), order.Kind.ToString(), item.Amount, Columns.Ticks(item.NewExpiresAt));
            }
        }

        foreach (var coupon in effects.Grants)
        {
            // Created empty: the grant's ledger row fills it below, so a coupon's remainder is always the sum of its rows.
            _rows.Add("INSERT INTO coupons (id, account_id, amount, remaining, expires_at, product, created_at) VALUES", string.Empty,
                coupon.Id.Value, accountId, coupon.Remaining, 0L, Columns.Ticks(coupon.ExpiresAt), coupon.Product, Columns.Ticks(at));
        }

        long cash = 0;
        foreach (var posting in effects.Ledger)
        {
            _rows.Add("INSERT INTO ledger (account_id, at, kind, amount, instance_id, coupon_id, order_id, memo) VALUES", string.Empty,
                accountId, Columns.Ticks(at), posting.Kind.ToString(), posting.Amount, posting.InstanceId?.Value, posting.CouponId?.Value, orderId, posting.Memo);
            if (posting.CouponId is { } coupon) _couponDeltas[coupon.Value] = checked(_couponDeltas.GetValueOrDefault(coupon.Value) + posting.Amount);
            else cash = checked(cash + posting.Amount);
        }

        foreach (var e in effects.Events)
        {
            _rows.Add("INSERT INTO timeline_events (instance_id, at, kind, detail) VALUES", string.Empty,
                e.InstanceId.Value, Columns.Ticks(e.At), TimelineKinds.Name(e.Kind), e.Detail);
        }

        foreach (var notice in effects.Notices) SaveNotice(notice);
        foreach (var action in effects.Actions)
        {
            var payload = JsonSerializer.Serialize(new { kind = action.Kind.ToString().ToLowerInvariant(), instanceId = action.InstanceId.Value, at = action.At, idempotencyKey = action.IdempotencyKey, detail = action.Detail }, Columns.Json);
            Enqueue(action.IdempotencyKey, "resource", accountId, action.InstanceId.Value, action.At, payload);
        }

        return cash;
    }

    /// <summary>R9.4: a notice once per dedupe key, queued once per channel the account has.</summary>
    private void SaveNotice(Notice notice)
    {
        var accountId = notice.AccountId.Value;
        _rows.Add("INSERT INTO notices (dedupe_key, account_id, instance_id, at, kind, subject) VALUES", " ON CONFLICT (dedupe_key) DO NOTHING",
            notice.DedupeKey, accountId, notice.InstanceId?.Value, Columns.Ticks(notice.At), Camel(notice.Kind.ToString()), notice.Subject);
        if (!_contacts.TryGetValue(accountId, out var contact))
        {
            contact = AccountRow(accountId) ?? throw new InvalidOperationException($"Account {accountId} does not exist.");
            _contacts[accountId] = contact;
        }

        var payload = JsonSerializer.Serialize(new { kind = Camel(notice.Kind.ToString()), accountId, instanceId = notice.InstanceId?.Value, at = notice.At, subject = notice.Subject, idempotencyKey = notice.DedupeKey }, Columns.Json);
        Enqueue($"{notice.DedupeKey}:email", "email", accountId, notice.InstanceId?.Value, notice.At, payload);
        if (!string.IsNullOrEmpty(contact.Phone)) Enqueue($"{notice.DedupeKey}:sms", "sms", accountId, notice.InstanceId?.Value, notice.At, payload);
        if (!string.IsNullOrEmpty(contact.WebhookUrl)) Enqueue($"{notice.DedupeKey}:webhook", "webhook", accountId, notice.InstanceId?.Value, notice.At, payload);
    }

    private void Enqueue(string dedupeKey, string channel, string accountId, string? instanceId, Instant at, string payload) =>
        _rows.Add("INSERT INTO outbox (dedupe_key, channel, account_id, instance_id, at, payload, status, attempts, next_attempt_at) VALUES", " ON CONFLICT (dedupe_key) DO NOTHING",
            dedupeKey, channel, accountId, instanceId, Columns.Ticks(at), payload, "pending", 0, 0L); // due at once: a test clock's instants are not the dispatcher's

    private string In(string[] _) => Postgres ? "= ANY(@ids)" : "IN @ids";

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
