using NodaTime;

namespace Tenure.Storage;

/// <summary>
/// One delivery to an account's webhook as the account sees it (R10.2): what it carried, where it stands, how
/// often it was tried, what the receiver answered last, and when it is tried next (while it is pending).
/// </summary>
public sealed record WebhookDelivery(
    long Id, Instant At, string Kind, DeliveryStatus Status, int Attempts, int? LastStatus, string? LastError, Instant NextAttemptAt);

/// <summary>An account's webhook deliveries, read a page at a time, and the webhook tests it made.</summary>
public sealed partial class Session
{
    /// <summary>
    /// Up to <paramref name="limit"/> webhook deliveries of the account after the ID <paramref name="after"/>, oldest first.
    /// </summary>
    public List<WebhookDelivery> WebhookDeliveries(string accountId, long after, int limit) =>
        [.. Query<WebhookDeliveryRow>(
                "SELECT o.id, o.dedupe_key, o.channel, o.account_id, o.instance_id, o.at, o.payload, n.kind AS notice_kind, " +
                "n.data AS notice_data, o.status, o.attempts, o.last_status, o.last_error, o.next_attempt_at " +
                $"FROM outbox o{NoticeOfDelivery} " +
                "WHERE o.account_id = @accountId AND o.channel = @channel AND o.id > @after ORDER BY o.id LIMIT @limit",
                new { accountId, channel = OutboxChannels.Webhook, after, limit })
            .Select(r => new WebhookDelivery(
                r.Id, Columns.At(r.At), OutboxPayload.FromJson(Body(r)).Kind, ParseStatus(r.Status), checked((int)r.Attempts),
                r.LastStatus is { } code ? checked((int)code) : null, r.LastError, Columns.At(r.NextAttemptAt)))];

    /// <summary>
    /// Keeps a webhook test (a <c>ping</c>) that was sent once, outside the dispatcher, as a finished delivery: shown
    /// beside the others, never retried. The same dedupe key again keeps the first. Returns the delivery as stored.
    /// </summary>
    public WebhookDelivery SavePing(
        string accountId, OutboxPayload payload, Instant at, DeliveryStatus status, int? httpStatus, string? error)
    {
        Execute(
            "INSERT INTO outbox (dedupe_key, channel, account_id, instance_id, at, payload, status, attempts, next_attempt_at, " +
            "last_error, delivered_at, last_status, last_attempt_at) " +
            "VALUES (@key, @channel, @accountId, NULL, @at, @payload, @status, 1, @at, @error, @delivered, @httpStatus, @at) " +
            "ON CONFLICT (dedupe_key) DO NOTHING",
            new
            {
                key = payload.IdempotencyKey, channel = OutboxChannels.Webhook, accountId, at = Columns.Ticks(at),
                payload = payload.ToJson(), status = Status(status), error,
                delivered = status == DeliveryStatus.Delivered ? Columns.Ticks(at) : (long?)null, httpStatus,
            });
        var id = Single<long>("SELECT id FROM outbox WHERE dedupe_key = @key", new { key = payload.IdempotencyKey });
        return WebhookDeliveries(accountId, id - 1, 1).Single();
    }

    private sealed class WebhookDeliveryRow : BodyColumns
    {
        public long Id { get; set; }
        public string Status { get; set; } = "";
        public long Attempts { get; set; }
        public long? LastStatus { get; set; }
        public string? LastError { get; set; }
        public long NextAttemptAt { get; set; }
    }
}
