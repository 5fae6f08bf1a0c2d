using NodaTime;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;

namespace Tenure.Storage;

/// <summary>A notice as its account sees it, with what became of it on each channel it went to (R9.7).</summary>
/// <remarks>
/// R9.6: <see cref="Data"/> is what it says, to be worded in <see cref="Locale"/>, its account's language; a notice written
/// before notices were data has none, and its English <see cref="Subject"/> instead.
/// </remarks>
public sealed record StoredNotice(
    long Id, Instant At, string Kind, string? InstanceId, string Subject, IReadOnlyList<NoticeDelivery> Deliveries)
{
    public NoticeData? Data { get; init; }

    public string AccountId { get; init; } = string.Empty;

    public string Locale { get; init; } = Locales.Default;
}

/// <summary>
/// One channel's delivery of a notice: its status, attempts so far, when it arrived or why it has not, and the
/// last attempt's instant and HTTP status (R9.7).
/// </summary>
public sealed record NoticeDelivery(
    NoticeChannel Channel, DeliveryStatus Status, int Attempts, Instant? DeliveredAt, string? LastError, int? LastStatus = null,
    Instant? LastAttemptAt = null);

/// <summary>Notices: written once per dedupe key with a delivery per channel, and read back a page at a time.</summary>
public sealed partial class Session
{
    /// <summary>R9.4: a notice once per dedupe key, queued once on each of <paramref name="channels"/> (and on no other).</summary>
    private void SaveNotice(Notice notice, IReadOnlyList<NoticeChannel> channels)
    {
        var accountId = notice.AccountId.Value;
        var data = NoticeJson.Write(notice.Data);
        _rows.Add("INSERT INTO notices (dedupe_key, account_id, instance_id, at, kind, subject, data) VALUES",
            " ON CONFLICT (dedupe_key) DO NOTHING",
            notice.DedupeKey, accountId, notice.InstanceId?.Value, Columns.Ticks(notice.At), Columns.Camel(notice.Kind.ToString()),
            string.Empty, data);
        foreach (var channel in channels)
        {
            // No payload: the dispatcher builds it from this notice's row (ClaimDeliveries).
            var name = OutboxChannels.Of(channel);
            Enqueue($"{notice.DedupeKey}:{name}", name, accountId, notice.InstanceId?.Value, notice.At, null);
        }
    }

    /// <summary>The contacts of an account as this session loaded or wrote them (read once when it has not).</summary>
    private Contacts ContactsOf(string accountId)
    {
        if (!_contacts.TryGetValue(accountId, out var row))
        {
            row = AccountRow(accountId) ?? throw new InvalidOperationException($"Account {accountId} does not exist.");
            _contacts[accountId] = row;
        }

        return row.Contacts;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> notices after the ID <paramref name="after"/>, oldest first, optionally of one
    /// account, instance and kind (the API's camelCase name), each with its deliveries in channel order.
    /// </summary>
    public List<StoredNotice> Notices(string? accountId, string? instanceId, string? kind, long after, int limit)
    {
        var rows = Query<(long Id, long At, string Kind, string? InstanceId, string Subject, string DedupeKey, string? Data,
            string Locale, string AccountId)>(
                "SELECT n.id, n.at, n.kind, n.instance_id, n.subject, n.dedupe_key, n.data, a.locale, n.account_id " +
                "FROM notices n JOIN accounts a ON a.id = n.account_id " +
                "WHERE n.id > @after AND (@accountId IS NULL OR n.account_id = @accountId) " +
                "AND (@instanceId IS NULL OR n.instance_id = @instanceId) AND (@kind IS NULL OR n.kind = @kind) ORDER BY n.id LIMIT @limit",
                new { after, accountId, instanceId, kind, limit }).ToList();
        if (rows.Count == 0) return [];

        // A notice's deliveries are the outbox rows keyed "<dedupe key>:<channel>", found by the unique index.
        var channels = Enum.GetValues<NoticeChannel>().ToDictionary(OutboxChannels.Of);
        var keys = rows.SelectMany(r => channels.Keys.Select(name => $"{r.DedupeKey}:{name}")).ToArray();
        var deliveries = Query<DeliveryRow>(
                "SELECT dedupe_key, channel, status, attempts, delivered_at, last_error, last_status, last_attempt_at " +
                $"FROM outbox WHERE dedupe_key {AnyOf("keys")}",
                new { keys = ListOf(keys) })
            .ToLookup(d => d.DedupeKey[..d.DedupeKey.LastIndexOf(':')], d => new NoticeDelivery(
                channels[d.Channel], ParseStatus(d.Status), checked((int)d.Attempts),
                Columns.At(d.DeliveredAt), d.LastError, d.LastStatus is { } code ? checked((int)code) : null, Columns.At(d.LastAttemptAt)));
        return [.. rows.Select(r => new StoredNotice(
            r.Id, Columns.At(r.At), r.Kind, r.InstanceId, r.Subject, [.. deliveries[r.DedupeKey].OrderBy(d => d.Channel)])
        {
            Data = r.Data is null ? null : NoticeJson.Read(r.Data), Locale = r.Locale, AccountId = r.AccountId,
        })];
    }

    private sealed class DeliveryRow
    {
        public string DedupeKey { get; set; } = "";
        public string Channel { get; set; } = "";
        public string Status { get; set; } = "";
        public long Attempts { get; set; }
        public long? DeliveredAt { get; set; }
        public string? LastError { get; set; }
        public long? LastStatus { get; set; }
        public long? LastAttemptAt { get; set; }
    }
}
