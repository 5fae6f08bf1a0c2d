using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;

namespace Tenure.Storage;

/// <summary>The outbox's channel names: one per notice channel (R9.4), and the resource plane (R10.1).</summary>
public static class OutboxChannels
{
    public const string Email = "email";
    public const string Sms = "sms";
    public const string Webhook = "webhook";
    public const string Resource = "resource";

    public static string Of(NoticeChannel channel) => channel switch
    {
        NoticeChannel.Email => Email,
        NoticeChannel.Sms => Sms,
        NoticeChannel.Webhook => Webhook,
        _ => throw new ArgumentOutOfRangeException(nameof(channel), channel, "Not a notice channel."),
    };
}

/// <summary>
/// Where a delivery stands: waiting (or retrying), done, not sent because nothing is configured, given up, or
/// failed once and never retried (a webhook test's ping).
/// </summary>
public enum DeliveryStatus
{
    Pending,
    Delivered,
    Skipped,
    Dead,
    Failed,
}

/// <summary>
/// A delivery the dispatcher claimed: the row, its payload (as stored, <see cref="Body"/>, and typed),
/// which attempt this is, and the account's addresses as they are now: its webhook secret, and the one it
/// replaced with when (R10.2: both sign for a while).
/// </summary>
public sealed record ClaimedDelivery(
    long Id, string DedupeKey, string Channel, string AccountId, string Body, OutboxPayload Payload, int Attempt,
    string Email, string? Phone, string? WebhookUrl, string? WebhookSecret,
    string? PreviousWebhookSecret = null, Instant? SecretReplacedAt = null, string Locale = Locales.Default)
{
    /// <summary>A webhook test's ping to <paramref name="account"/>'s webhook, as its one attempt (it has no outbox row yet).</summary>
    public static ClaimedDelivery Ping(AccountRow account, OutboxPayload payload)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(payload);
        return new(0, payload.IdempotencyKey, OutboxChannels.Webhook, account.Id, payload.ToJson(), payload, 1, account.Email,
            account.Phone, account.WebhookUrl, account.WebhookSecret, account.WebhookSecretPrevious,
            Columns.At(account.WebhookSecretReplacedAt), account.Locale);
    }
}

/// <summary>The outbox: rows written with a decision, claimed and recorded by the dispatcher (at least once).</summary>
public sealed partial class Session
{
    /// <summary>
    /// Queues a delivery once per dedupe key, due at once: a test clock's instants are not the dispatcher's. A notice's delivery
    /// has no <paramref name="payload"/>: it is built from the notice (<see cref="NoticeOfDelivery"/>).
    /// </summary>
    private void Enqueue(string dedupeKey, string channel, string accountId, string? instanceId, Instant at, string? payload) =>
        _rows.Add(
            "INSERT INTO outbox (dedupe_key, channel, account_id, instance_id, at, payload, status, attempts, next_attempt_at) VALUES",
            " ON CONFLICT (dedupe_key) DO NOTHING",
            dedupeKey, channel, accountId, instanceId, Columns.Ticks(at), (object?)payload ?? RowBuffer.TypedNull.Text,
            Status(DeliveryStatus.Pending), 0, 0L);

    /// <summary>
    /// Joins an outbox row <c>o</c> without a payload to its notice <c>n</c>: the row's dedupe key is the notice's, then
    /// <c>:channel</c> (<see cref="SaveNotice"/>), found by the notices' unique index.
    /// </summary>
    private const string NoticeOfDelivery =
        " LEFT JOIN notices n ON o.payload IS NULL " +
        "AND n.dedupe_key = substr(o.dedupe_key, 1, length(o.dedupe_key) - length(o.channel) - 1)";

    /// <summary>The payload of an outbox row as stored, or built from its notice's row: the same text (R9.4).</summary>
    private static string Body(BodyColumns row) =>
        row.Payload ?? OutboxPayload.Notice(
                row.NoticeKind ?? throw new InvalidOperationException($"The delivery {row.DedupeKey} has neither a payload nor a notice."),
                row.AccountId, row.InstanceId, Columns.At(row.At), row.DedupeKey[..^(row.Channel.Length + 1)], row.NoticeData)
            .ToJson();

    /// <summary>R10.1: tells the resource plane, once per action key.</summary>
    private void EnqueueAction(string accountId, ResourceAction action) =>
        Enqueue(action.IdempotencyKey, OutboxChannels.Resource, accountId, action.InstanceId.Value, action.At,
            OutboxPayload.Of(action).ToJson());

    /// <summary>
    /// Claims up to <paramref name="limit"/> pending deliveries due at <paramref name="now"/>, oldest first, and
    /// reserves them for <paramref name="lease"/> (their next attempt moves ahead, their attempts count this one),
    /// so that another dispatcher takes them only if this one never records an outcome. On PostgreSQL rows another
    /// dispatcher holds are skipped. Commit the session before delivering: delivery happens outside any transaction.
    /// </summary>
    public List<ClaimedDelivery> ClaimDeliveries(Instant now, Duration lease, int limit)
    {
        var lockClause = Postgres ? " FOR UPDATE OF o SKIP LOCKED" : string.Empty;
        var rows = Query<OutboxRow>(
            "SELECT o.id, o.dedupe_key, o.channel, o.account_id, o.instance_id, o.at, o.payload, o.attempts, " +
            "n.kind AS notice_kind, n.data AS notice_data, " +
            "a.email, a.phone, a.webhook_url, a.webhook_secret, a.webhook_secret_previous, a.webhook_secret_replaced_at, a.locale " +
            $"FROM outbox o JOIN accounts a ON a.id = o.account_id{NoticeOfDelivery} " +
            "WHERE o.status = 'pending' AND o.next_attempt_at <= @now " +
            $"ORDER BY o.next_attempt_at, o.id LIMIT @limit{lockClause}",
            new { now = Columns.Ticks(now), limit }).ToList();
        if (rows.Count == 0) return [];
        var ids = rows.Select(r => r.Id).ToArray();
        Execute($"UPDATE outbox SET attempts = attempts + 1, next_attempt_at = @lease WHERE id {AnyOf("ids")}",
            new { lease = Columns.Ticks(now + lease), ids = ListOf(ids) });
        return [.. rows.Select(r => (Row: r, Body: Body(r))).Select(d => new ClaimedDelivery(
            d.Row.Id, d.Row.DedupeKey, d.Row.Channel, d.Row.AccountId, d.Body, OutboxPayload.FromJson(d.Body),
            checked((int)d.Row.Attempts + 1), d.Row.Email, d.Row.Phone, d.Row.WebhookUrl, d.Row.WebhookSecret,
            d.Row.WebhookSecretPrevious, Columns.At(d.Row.WebhookSecretReplacedAt), d.Row.Locale))];
    }

    /// <summary>
    /// Records a claimed delivery's outcome: <see cref="DeliveryStatus.Pending"/> again with the next attempt's
    /// instant (a retry), or final — delivered at <paramref name="deliveredAt"/>, skipped, or dead-lettered — with
    /// the receiver's HTTP status, if it answered, and when the attempt was made (R9.7: proof of notice).
    /// </summary>
    public void RecordDelivery(
        long id, DeliveryStatus status, Instant nextAttemptAt, string? error, Instant? deliveredAt, int? httpStatus = null,
        Instant? attemptedAt = null) =>
        Execute(
            "UPDATE outbox SET status = @status, next_attempt_at = @next, last_error = @error, delivered_at = @delivered, " +
            "last_status = @httpStatus, last_attempt_at = @attempted WHERE id = @id",
            new
            {
                id, status = Status(status), next = Columns.Ticks(nextAttemptAt), error, delivered = Columns.Ticks(deliveredAt), httpStatus,
                attempted = Columns.Ticks(attemptedAt ?? deliveredAt),
            });

    private static string Status(DeliveryStatus status) => status.ToString().ToLowerInvariant();

    private static DeliveryStatus ParseStatus(string status) => Enum.Parse<DeliveryStatus>(status, ignoreCase: true);

    /// <summary>What an outbox row, and its notice if it has no payload, hold to build its body.</summary>
    private abstract class BodyColumns
    {
        public string DedupeKey { get; set; } = "";
        public string Channel { get; set; } = "";
        public string AccountId { get; set; } = "";
        public string? InstanceId { get; set; }
        public long At { get; set; }
        public string? Payload { get; set; }
        public string? NoticeKind { get; set; }
        public string? NoticeData { get; set; }
    }

    private sealed class OutboxRow : BodyColumns
    {
        public long Id { get; set; }
        public long Attempts { get; set; }
        public string Email { get; set; } = "";
        public string? Phone { get; set; }
        public string? WebhookUrl { get; set; }
        public string? WebhookSecret { get; set; }
        public string? WebhookSecretPrevious { get; set; }
        public long? WebhookSecretReplacedAt { get; set; }

        public string Locale { get; set; } = Locales.Default;
    }
}
