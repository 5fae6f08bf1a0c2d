using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using Polly.CircuitBreaker;
using Polly.Timeout;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailKit.Net.Smtp;
using MimeKit;
using NodaTime;
using Tenure.Domain.Time;
using Tenure.Engine.Notices;
using Tenure.Storage;

namespace Tenure.Engine.Delivery;

/// <summary>Where deliveries go. Unset channels are skipped (recorded, not retried).</summary>
public sealed record DispatcherOptions
{
    /// <summary>R10.1: the provider's resource plane, told to start, stop, release or modify.</summary>
    public string? ResourceWebhookUrl { get; init; }

    public string? ResourceWebhookSecret { get; init; }

    public string? SmtpHost { get; init; }

    public int SmtpPort { get; init; } = 25;

    public string SmtpFrom { get; init; } = "tenure@localhost";

    /// <summary>R9.4: the SMS gateway, sent <c>{to, text, idempotencyKey}</c> as JSON.</summary>
    public string? SmsGatewayUrl { get; init; }

    /// <summary>Attempts before a delivery is dead-lettered (with the backoff capped at an hour, about a day).</summary>
    public int MaxAttempts { get; init; } = 30;

    /// <summary>The longest wait between two attempts.</summary>
    public Duration MaxBackoff { get; init; } = Duration.FromHours(1);

    /// <summary>The wait after the first failure; it doubles with each further failure.</summary>
    public Duration FirstBackoff { get; init; } = Duration.FromSeconds(10);

    /// <summary>How long a claimed delivery is reserved before another dispatcher may try it.</summary>
    public Duration Lease { get; init; } = Duration.FromMinutes(2);

    public int BatchSize { get; init; } = 100;

    /// <summary>R10.2: the longest one attempt may take (connecting, sending and the receiver's answer).</summary>
    public Duration Timeout { get; init; } = Duration.FromSeconds(10);

    /// <summary>R10.2: the most of a receiver's answer read; the rest is dropped with the connection.</summary>
    public int MaxResponseBytes { get; init; } = 64 * 1024;

    /// <summary>R10.2: lanes (destinations) delivering at the same time; the others wait their turn.</summary>
    public int MaxConcurrency { get; init; } = 16;

    /// <summary>R10.2: let account webhooks reach loopback and private networks (an operator's choice; the tests').</summary>
    public bool AllowPrivateNetworks { get; init; }

    /// <summary>Failed attempts at one destination (half of those tried in two minutes) before its circuit opens.</summary>
    public int BreakAfterFailures { get; init; } = 5;

    /// <summary>How long an open circuit fails a destination's deliveries at once, before one is tried again.</summary>
    public Duration BreakDuration { get; init; } = Duration.FromSeconds(30);

    /// <summary>How long a replaced webhook secret still signs beside the new one (R10.2).</summary>
    public Duration SecretOverlap { get; init; } = Duration.FromHours(24);

    /// <summary>R9.6: the billing zone notices' dates are written in.</summary>
    public BillingCalendar Calendar { get; init; } = BillingCalendar.Default;
}

/// <summary>
/// What one attempt came to: delivered (no error), failed with why, or skipped; and the receiver's HTTP status if it answered.
/// </summary>
public sealed record DeliveryAttempt(string? Error, int? HttpStatus = null, bool Skipped = false);

/// <summary>
/// Delivers the outbox at least once: account webhooks and resource actions as signed HTTP POSTs,
/// email through SMTP, SMS through a gateway. Failures are retried with exponential backoff kept
/// in the row, and dead-lettered after <see cref="DispatcherOptions.MaxAttempts"/>.
/// R10.2: claimed rows go to lanes, one per destination (an account webhook's scheme, host and port; the resource
/// plane; the SMS gateway; SMTP). A lane delivers its rows one after another; lanes run side by side, at most
/// <see cref="DispatcherOptions.MaxConcurrency"/> at once, so a receiver that never answers holds up its own lane only.
/// </summary>
public sealed class Dispatcher : IDisposable
{
    private static readonly Meter Meter = new("Tenure.Delivery");
    private static readonly Counter<long> Deliveries =
        Meter.CreateCounter<long>("tenure_deliveries", description: "Outbox deliveries by outcome");

    private readonly Database _database;
    private readonly IClock _clock;
    private readonly DispatcherOptions _options;
    private readonly DeliveryHttp _http;
    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _recording = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentQueue<PendingOutcome> _outcomes = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<ClaimedDelivery>> _lanes = new(StringComparer.Ordinal);
    private readonly HashSet<long> _queued = [];
    private readonly List<Task> _workers = [];
    private readonly NoticeRenderer _renderer;
    private NoticeTemplates _templates = NoticeTemplates.Defaults;

    public Dispatcher(Database database, IClock clock, DispatcherOptions options)
    {
        _database = database;
        _clock = clock;
        _options = options;
        _http = new DeliveryHttp(options);
        _slots = new SemaphoreSlim(Math.Max(1, options.MaxConcurrency));
        _renderer = new NoticeRenderer(options.Calendar);
    }

    /// <summary>Signature header: <c>v1=</c> + hex HMAC-SHA256 of <c>timestamp + "." + body</c> under the secret.</summary>
    public const string SignatureHeader = "Tenure-Signature";

    /// <summary>Unix seconds when the request was signed; receivers should refuse old ones.</summary>
    public const string TimestampHeader = "Tenure-Timestamp";

    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>Rows claimed and not yet recorded, in every lane.</summary>
    public int Queued
    {
        get
        {
            lock (_gate) return _queued.Count;
        }
    }

    /// <summary>The signature a receiver recomputes to verify a delivery.</summary>
    public static string Sign(string secret, string timestamp, string body) =>
        "v1=" + Convert.ToHexStringLower(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    /// <summary>The lane a row waits in: resource actions never share one with account webhooks (R10.2).</summary>
    public static string LaneOf(ClaimedDelivery row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return row.Channel == OutboxChannels.Webhook && Uri.TryCreate(row.WebhookUrl, UriKind.Absolute, out var url)
            ? "webhook " + url.GetLeftPart(UriPartial.Authority)
            : row.Channel;
    }

    /// <summary>Delivers one batch of due rows and waits for every lane to finish; returns how many were claimed.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var claimed = StartDue(cancellationToken);
        await DrainAsync().ConfigureAwait(false);
        return claimed;
    }

    /// <summary>
    /// Claims a batch of due rows and hands each to its lane without waiting for any delivery; returns how many were
    /// claimed (none while a full batch is still queued). A lane that failed since the last call (the database, not a
    /// receiver) is reported here.
    /// </summary>
    public int StartDue(CancellationToken cancellationToken)
    {
        var failures = new List<Exception>();
        lock (_gate)
        {
            foreach (var done in _workers.Where(w => w.IsCompleted).ToList())
            {
                _workers.Remove(done);
                if (done.Exception is { } e) failures.AddRange(e.InnerExceptions);
            }
        }

        if (failures.Count > 0) throw new AggregateException("A delivery lane stopped.", failures);
        if (Queued >= _options.BatchSize) return 0;
        var rows = Claim();
        foreach (var row in rows) Post(row, cancellationToken);
        return rows.Count;
    }

    /// <summary>Waits until every lane has delivered and recorded what it was given.</summary>
    public async Task DrainAsync()
    {
        while (true)
        {
            Task[] running;
            lock (_gate) running = [.. _workers];
            if (running.Length == 0) return;
            try
            {
                await Task.WhenAll(running).ConfigureAwait(false);
            }
            finally
            {
                lock (_gate) _workers.RemoveAll(running.Contains);
            }
        }
    }

    /// <summary>
    /// One attempt at one delivery, outside any transaction: what the dispatcher does for each claimed row, and a
    /// webhook test does for its ping. Whatever it throws (a refused connection, a bad address, TLS, an open circuit)
    /// is the attempt's failure.
    /// </summary>
    public async Task<DeliveryAttempt> AttemptAsync(ClaimedDelivery row, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        try
        {
            return await DeliverAsync(row, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            return new DeliveryAttempt(Describe(e));
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _slots.Dispose();
        _recording.Dispose();
    }

    private static string Describe(Exception e) => e switch
    {
        HttpRequestException { InnerException: NonPublicAddressException refused } => refused.Message,
        NonPublicAddressException refused => refused.Message,
        TimeoutRejectedException timeout => $"no answer within {timeout.Timeout.TotalSeconds:0.#} s",
        BrokenCircuitException => $"{e.GetType().Name}: the receiver failed repeatedly; its deliveries pause ({e.Message})",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private void Post(ClaimedDelivery row, CancellationToken cancellationToken)
    {
        var lane = LaneOf(row);
        lock (_gate)
        {
            // A row still queued from an earlier claim (its lease ran out while its lane was busy) is not queued twice.
            if (!_queued.Add(row.Id)) return;
            if (_lanes.TryGetValue(lane, out var waiting))
            {
                waiting.Enqueue(row);
                return;
            }

            var queue = new Queue<ClaimedDelivery>([row]);
            _lanes[lane] = queue;
            _workers.Add(Task.Run(() => RunLaneAsync(lane, queue, cancellationToken), CancellationToken.None));
        }
    }

    private async Task RunLaneAsync(string lane, Queue<ClaimedDelivery> queue, CancellationToken cancellationToken)
    {
        var holding = false;
        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            holding = true;
            while (true)
            {
                ClaimedDelivery row;
                lock (_gate)
                {
                    if (queue.Count == 0)
                    {
                        _lanes.Remove(lane);
                        return;
                    }

                    row = queue.Peek();
                }

                var attempt = await AttemptAsync(row, cancellationToken).ConfigureAwait(false);
                await RecordAsync(row, attempt).ConfigureAwait(false);
                lock (_gate)
                {
                    queue.Dequeue();
                    _queued.Remove(row.Id);
                }
            }
        }
        finally
        {
            if (holding) _slots.Release();
            lock (_gate)
            {
                // A lane that stopped early (cancelled, or the database failed) gives its rows back to their leases.
                if (_lanes.TryGetValue(lane, out var current) && ReferenceEquals(current, queue))
                {
                    _lanes.Remove(lane);
                    foreach (var left in queue) _queued.Remove(left.Id);
                }
            }
        }
    }

    /// <summary>
    /// Records an outcome. Outcomes that lanes finish while another is being recorded wait and then go together, in
    /// one short transaction: on SQLite each commit is an fsync taken at the write gate that the command writer needs
    /// too. A crash before the commit leaves the rows leased, so they are delivered again after the lease: at least
    /// once, as always. A failed commit is the error of every outcome it carried.
    /// </summary>
    private async Task RecordAsync(ClaimedDelivery row, DeliveryAttempt attempt)
    {
        var outcome = new PendingOutcome(row, attempt);
        _outcomes.Enqueue(outcome);
        await _recording.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            if (!outcome.Recorded.Task.IsCompleted) RecordQueued();
        }
        finally
        {
            _recording.Release();
        }

        await outcome.Recorded.Task.ConfigureAwait(false);
    }

    /// <summary>Every outcome queued so far, this caller's among them, in one transaction.</summary>
    private void RecordQueued()
    {
        var batch = new List<PendingOutcome>();
        while (_outcomes.TryDequeue(out var next)) batch.Add(next);
        try
        {
            using var session = _database.Begin();
            foreach (var outcome in batch) Record(session, outcome.Row, outcome.Attempt);
            session.Commit();
        }
        catch (Exception e)
        {
            foreach (var outcome in batch) outcome.Recorded.TrySetException(e);
            return;
        }

        foreach (var outcome in batch) outcome.Recorded.TrySetResult();
    }

    private sealed record PendingOutcome(ClaimedDelivery Row, DeliveryAttempt Attempt)
    {
        public TaskCompletionSource Recorded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private List<ClaimedDelivery> Claim()
    {
        using var session = _database.Begin();
        var rows = session.ClaimDeliveries(_clock.GetCurrentInstant(), _options.Lease, _options.BatchSize);

        // R9.6: the batch is worded with the templates as they are now, an operator's change included.
        if (rows.Count > 0) Volatile.Write(ref _templates, NoticeTemplates.Load(session));
        session.Commit();
        return rows;
    }

    private async Task<DeliveryAttempt> DeliverAsync(ClaimedDelivery row, CancellationToken cancellationToken)
    {
        switch (row.Channel)
        {
            case OutboxChannels.Resource:
                return _options.ResourceWebhookUrl is { } url
                    ? await PostAsync(_http.Operator, url, Secrets(_options.ResourceWebhookSecret, null, null), row, row.Body,
                        cancellationToken).ConfigureAwait(false)
                    : new DeliveryAttempt("no resource webhook is configured (Tenure__Delivery__ResourceWebhookUrl)", Skipped: true);
            case OutboxChannels.Webhook:
                return row.WebhookUrl is { Length: > 0 } hook
                    ? await PostAsync(_http.Account, hook, Secrets(row.WebhookSecret, row.PreviousWebhookSecret, row.SecretReplacedAt), row,
                        Worded(row) is { } words ? (row.Payload with { Subject = words.Subject }).ToJson() : row.Body, cancellationToken)
                        .ConfigureAwait(false)
                    : new DeliveryAttempt("the account has no webhook", Skipped: true);
            case OutboxChannels.Sms:
                if (_options.SmsGatewayUrl is not { } gateway) return new DeliveryAttempt("no SMS gateway is configured", Skipped: true);
                var sms = JsonSerializer.Serialize(
                    new { to = row.Phone, text = Worded(row)?.Sms ?? row.Payload.Subject, idempotencyKey = row.DedupeKey });
                return await PostAsync(_http.Operator, gateway, [], row, sms, cancellationToken).ConfigureAwait(false);
            case OutboxChannels.Email:
                if (_options.SmtpHost is not { } host) return new DeliveryAttempt("no SMTP server is configured", Skipped: true);
                await SendMailAsync(host, row, cancellationToken).ConfigureAwait(false);
                return new DeliveryAttempt(null);
            default:
                return new DeliveryAttempt($"unknown channel '{row.Channel}'", Skipped: true);
        }
    }

    /// <summary>R10.2: the current secret, and the one it replaced while the overlap lasts, so receivers rotate without a gap.</summary>
    private List<string> Secrets(string? current, string? previous, Instant? replacedAt)
    {
        var secrets = new List<string>(2);
        if (current is { Length: > 0 }) secrets.Add(current);
        if (previous is { Length: > 0 } && replacedAt is { } at && _clock.GetCurrentInstant() < at + _options.SecretOverlap)
        {
            secrets.Add(previous);
        }
        return secrets;
    }

    private async Task<DeliveryAttempt> PostAsync(
        HttpClient http, string url, List<string> secrets, ClaimedDelivery row, string body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        var timestamp = _clock.GetCurrentInstant().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        request.Headers.Add(TimestampHeader, timestamp);
        request.Headers.Add(IdempotencyHeader, row.DedupeKey);
        if (secrets.Count > 0) request.Headers.Add(SignatureHeader, string.Join(',', secrets.Select(s => Sign(s, timestamp, body))));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Tenure", "1.0"));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
            .ConfigureAwait(false);
        await DrainAnswerAsync(response, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        return new DeliveryAttempt(response.IsSuccessStatusCode ? null : $"HTTP {status} from {url}", status);
    }

    /// <summary>
    /// Reads at most <see cref="DispatcherOptions.MaxResponseBytes"/> of the answer, within the timeout; the rest is never read.
    /// </summary>
    private async Task DrainAnswerAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(_options.Timeout.ToTimeSpan());
        var stream = await response.Content.ReadAsStreamAsync(bounded.Token).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[8192];
            var left = _options.MaxResponseBytes;
            int read;
            while (left > 0
                && (read = await stream.ReadAsync(buffer.AsMemory(0, Math.Min(buffer.Length, left)), bounded.Token)
                    .ConfigureAwait(false)) > 0)
            {
                left -= read;
            }
        }
    }

    /// <summary>
    /// R9.6: a notice row in words, in its account's locale as it is now, with the templates of this batch; null for a
    /// notice written before notices were data (it keeps its English subject) and for what is not a notice.
    /// </summary>
    private NoticeTexts? Worded(ClaimedDelivery row)
    {
        if (row.Payload.NoticeData() is not { } data || row.Payload.AccountId is null) return null;
        var kind = Enum.Parse<Domain.Instances.NoticeKind>(row.Payload.Kind, ignoreCase: true);
        var notice = new NoticeSubject(kind, row.Payload.AccountId, row.Payload.InstanceId, row.Payload.At);
        return _renderer.Render(Volatile.Read(ref _templates), notice, data, row.Locale);
    }

    /// <summary>R9.6: one multipart/alternative message, plain text then HTML, with the subject in the account's language.</summary>
    private async Task SendMailAsync(string host, ClaimedDelivery row, CancellationToken cancellationToken)
    {
        var words = Worded(row);
        var subject = words?.Subject ?? row.Payload.Subject ?? "Tenure notice";
        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(_options.SmtpFrom));
        message.To.Add(MailboxAddress.Parse(row.Email));
        message.Subject = subject;
        message.Headers.Add("X-Tenure-Idempotency-Key", row.DedupeKey);
        message.Body = words is null
            ? new TextPart("plain") { Text = subject }
            : new BodyBuilder { TextBody = words.Text, HtmlBody = words.Html }.ToMessageBody();

        // Chinese and Japanese bodies go as quoted-printable or base64, so that any SMTP relay (8BITMIME or not) passes them.
        message.Prepare(EncodingConstraint.SevenBit);
        using var smtp = new SmtpClient { Timeout = (int)_options.Timeout.TotalMilliseconds };
        await smtp.ConnectAsync(host, _options.SmtpPort, MailKit.Security.SecureSocketOptions.None, cancellationToken)
            .ConfigureAwait(false);
        await smtp.SendAsync(message, cancellationToken).ConfigureAwait(false);
        await smtp.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
    }

    private void Record(Session session, ClaimedDelivery row, DeliveryAttempt attempt)
    {
        var now = _clock.GetCurrentInstant();
        var (status, next) = (attempt.Error, attempt.Skipped) switch
        {
            (null, _) => (DeliveryStatus.Delivered, now),
            (_, true) => (DeliveryStatus.Skipped, now),
            _ when row.Attempt >= _options.MaxAttempts => (DeliveryStatus.Dead, now),
            _ => (DeliveryStatus.Pending,
                now + Duration.Min(_options.MaxBackoff, _options.FirstBackoff * Math.Pow(2, Math.Min(row.Attempt - 1, 30)))),
        };
        session.RecordDelivery(
            row.Id, status, next, attempt.Error, status == DeliveryStatus.Delivered ? now : null, attempt.HttpStatus, now);
        Deliveries.Add(1, new KeyValuePair<string, object?>("channel", row.Channel),
            new KeyValuePair<string, object?>("status", status.ToString().ToLowerInvariant()));
    }
}
