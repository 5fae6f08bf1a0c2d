using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailKit.Net.Smtp;
using MimeKit;
using NodaTime;
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
}

/// <summary>
/// Delivers the outbox at least once: account webhooks and resource actions as signed HTTP POSTs,
/// email through SMTP, SMS through a gateway. Failures are retried with exponential backoff kept
/// in the row, and dead-lettered after <see cref="DispatcherOptions.MaxAttempts"/>.
/// </summary>
public sealed class Dispatcher(Database database, HttpClient http, IClock clock, DispatcherOptions options)
{
    private static readonly Meter Meter = new("Tenure.Delivery");
    private static readonly Counter<long> Deliveries = Meter.CreateCounter<long>("tenure_deliveries", description: "Outbox deliveries by outcome");

    /// <summary>Signature header: <c>v1=</c> + hex HMAC-SHA256 of <c>timestamp + "." + body</c> under the secret.</summary>
    public const string SignatureHeader = "Tenure-Signature";

    /// <summary>Unix seconds when the request was signed; receivers should refuse old ones.</summary>
    public const string TimestampHeader = "Tenure-Timestamp";

    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>The signature a receiver recomputes to verify a delivery.</summary>
    public static string Sign(string secret, string timestamp, string body) =>
        "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    /// <summary>Delivers one batch of due rows; returns how many were attempted.</summary>
    public async Task<int> DeliverDueAsync(CancellationToken cancellationToken)
    {
        var rows = Claim();
        foreach (var row in rows)
        {
            string? error;
            bool skipped = false;
            try
            {
                (error, skipped) = await DeliverAsync(row, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Whatever one delivery throws (a refused connection, a bad address, TLS) is that delivery's failure, recorded and retried; the others go on.
                error = $"{e.GetType().Name}: {e.Message}";
            }

            Record(row, error, skipped);
        }

        return rows.Count;
    }

    private List<OutboxRow> Claim()
    {
        var now = clock.GetCurrentInstant();
        using var session = database.Begin();
        var lockClause = database.Dialect == Dialect.Postgres ? " FOR UPDATE OF o SKIP LOCKED" : string.Empty;
        var rows = session.Query<OutboxRow>(
            "SELECT o.id, o.dedupe_key, o.channel, o.account_id, o.payload, o.attempts, a.email, a.phone, a.webhook_url, a.webhook_secret " +
            "FROM outbox o JOIN accounts a ON a.id = o.account_id WHERE o.status = 'pending' AND o.next_attempt_at <= @now " +
            $"ORDER BY o.next_attempt_at, o.id LIMIT @take{lockClause}",
            new { now = now.ToUnixTimeTicks(), take = options.BatchSize }).ToList();
        foreach (var row in rows)
        {
            session.Execute("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = @lease WHERE id = @Id", new { lease = (now + options.Lease).ToUnixTimeTicks(), row.Id });
        }

        session.Commit();
        return rows;
    }

    private async Task<(string? Error, bool Skipped)> DeliverAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        switch (row.Channel)
        {
            case "resource":
                return options.ResourceWebhookUrl is { } url
                    ? (await PostAsync(url, options.ResourceWebhookSecret, row, row.Payload, cancellationToken).ConfigureAwait(false), false)
                    : ("no resource webhook is configured (Tenure__Delivery__ResourceWebhookUrl)", true);
            case "webhook":
                return row.WebhookUrl is { Length: > 0 } hook
                    ? (await PostAsync(hook, row.WebhookSecret, row, row.Payload, cancellationToken).ConfigureAwait(false), false)
                    : ("the account has no webhook", true);
            case "sms":
                if (options.SmsGatewayUrl is not { } gateway) return ("no SMS gateway is configured", true);
                var text = JsonDocument.Parse(row.Payload).RootElement.GetProperty("subject").GetString();
                var sms = JsonSerializer.Serialize(new { to = row.Phone, text, idempotencyKey = row.DedupeKey });
                return (await PostAsync(gateway, null, row, sms, cancellationToken).ConfigureAwait(false), false);
            case "email":
                if (options.SmtpHost is not { } host) return ("no SMTP server is configured", true);
                await SendMailAsync(host, row, cancellationToken).ConfigureAwait(false);
                return (null, false);
            default:
                return ($"unknown channel '{row.Channel}'", true);
        }
    }

    private async Task<string?> PostAsync(string url, string? secret, OutboxRow row, string body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        var timestamp = clock.GetCurrentInstant().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        request.Headers.Add(TimestampHeader, timestamp);
        request.Headers.Add(IdempotencyHeader, row.DedupeKey);
        if (secret is { Length: > 0 }) request.Headers.Add(SignatureHeader, Sign(secret, timestamp, body));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Tenure", "1.0"));
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode} from {url}";
    }

    private async Task SendMailAsync(string host, OutboxRow row, CancellationToken cancellationToken)
    {
        var subject = JsonDocument.Parse(row.Payload).RootElement.GetProperty("subject").GetString() ?? "Tenure notice";
        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.SmtpFrom));
        message.To.Add(MailboxAddress.Parse(row.Email));
        message.Subject = subject;
        message.Headers.Add("X-Tenure-Idempotency-Key", row.DedupeKey);
        message.Body = new TextPart("plain") { Text = subject };
        using var smtp = new SmtpClient();
        await smtp.ConnectAsync(host, options.SmtpPort, MailKit.Security.SecureSocketOptions.None, cancellationToken).ConfigureAwait(false);
        await smtp.SendAsync(message, cancellationToken).ConfigureAwait(false);
        await smtp.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
    }

    private void Record(OutboxRow row, string? error, bool skipped)
    {
        var now = clock.GetCurrentInstant();
        var attempts = row.Attempts + 1;
        var (status, next) = (error, skipped) switch
        {
            (null, _) => ("delivered", now),
            (_, true) => ("skipped", now),
            _ when attempts >= options.MaxAttempts => ("dead", now),
            _ => ("pending", now + Duration.Min(options.MaxBackoff, options.FirstBackoff * Math.Pow(2, Math.Min(attempts - 1, 30)))),
        };
        using var session = database.Begin();
        session.Execute("UPDATE outbox SET status = @status, next_attempt_at = @next, last_error = @error, delivered_at = @delivered WHERE id = @Id",
            new { status, next = next.ToUnixTimeTicks(), error, delivered = status == "delivered" ? now.ToUnixTimeTicks() : (long?)null, row.Id });
        session.Commit();
        Deliveries.Add(1, new KeyValuePair<string, object?>("channel", row.Channel), new KeyValuePair<string, object?>("status", status));
    }

    private sealed class OutboxRow
    {
        public long Id { get; set; }
        public string DedupeKey { get; set; } = "";
        public string Channel { get; set; } = "";
        public string AccountId { get; set; } = "";
        public string Payload { get; set; } = "";
        public long Attempts { get; set; }
        public string Email { get; set; } = "";
        public string? Phone { get; set; }
        public string? WebhookUrl { get; set; }
        public string? WebhookSecret { get; set; }
    }
}
