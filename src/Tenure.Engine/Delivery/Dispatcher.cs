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
        var outcomes = new List<(ClaimedDelivery Row, string? Error, bool Skipped)>(rows.Count);
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

            outcomes.Add((row, error, skipped));
        }

        Record(outcomes);
        return rows.Count;
    }

    /// <summary>
    /// The batch's outcomes in one transaction: on SQLite a write per delivery would queue each
    /// behind the command writer and cost an fsync of its own. A crash before this commit leaves
    /// the rows leased, so they are delivered again after the lease: at least once, as always.
    /// </summary>
    private void Record(List<(ClaimedDelivery Row, string? Error, bool Skipped)> outcomes)
    {
        if (outcomes.Count == 0) return;
        using var session = database.Begin();
        foreach (var (row, error, skipped) in outcomes) Record(session, row, error, skipped);
        session.Commit();
    }

    private List<ClaimedDelivery> Claim()
    {
        using var session = database.Begin();
        var rows = session.ClaimDeliveries(clock.GetCurrentInstant(), options.Lease, options.BatchSize);
        session.Commit();
        return rows;
    }

    private async Task<(string? Error, bool Skipped)> DeliverAsync(ClaimedDelivery row, CancellationToken cancellationToken)
    {
        switch (row.Channel)
        {
            case OutboxChannels.Resource:
                return options.ResourceWebhookUrl is { } url
                    ? (await PostAsync(url, options.ResourceWebhookSecret, row, row.Body, cancellationToken).ConfigureAwait(false), false)
                    : ("no resource webhook is configured (Tenure__Delivery__ResourceWebhookUrl)", true);
            case OutboxChannels.Webhook:
                return row.WebhookUrl is { Length: > 0 } hook
                    ? (await PostAsync(hook, row.WebhookSecret, row, row.Body, cancellationToken).ConfigureAwait(false), false)
                    : ("the account has no webhook", true);
            case OutboxChannels.Sms:
                if (options.SmsGatewayUrl is not { } gateway) return ("no SMS gateway is configured", true);
                var sms = JsonSerializer.Serialize(new { to = row.Phone, text = row.Payload.Subject, idempotencyKey = row.DedupeKey });
                return (await PostAsync(gateway, null, row, sms, cancellationToken).ConfigureAwait(false), false);
            case OutboxChannels.Email:
                if (options.SmtpHost is not { } host) return ("no SMTP server is configured", true);
                await SendMailAsync(host, row, cancellationToken).ConfigureAwait(false);
                return (null, false);
            default:
                return ($"unknown channel '{row.Channel}'", true);
        }
    }

    private async Task<string?> PostAsync(string url, string? secret, ClaimedDelivery row, string body, CancellationToken cancellationToken)
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

    private async Task SendMailAsync(string host, ClaimedDelivery row, CancellationToken cancellationToken)
    {
        var subject = row.Payload.Subject ?? "Tenure notice";
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

    private void Record(Session session, ClaimedDelivery row, string? error, bool skipped)
    {
        var now = clock.GetCurrentInstant();
        var (status, next) = (error, skipped) switch
        {
            (null, _) => (DeliveryStatus.Delivered, now),
            (_, true) => (DeliveryStatus.Skipped, now),
            _ when row.Attempt >= options.MaxAttempts => (DeliveryStatus.Dead, now),
            _ => (DeliveryStatus.Pending,
                now + Duration.Min(options.MaxBackoff, options.FirstBackoff * Math.Pow(2, Math.Min(row.Attempt - 1, 30)))),
        };
        session.RecordDelivery(row.Id, status, next, error, status == DeliveryStatus.Delivered ? now : null);
        Deliveries.Add(1, new KeyValuePair<string, object?>("channel", row.Channel),
            new KeyValuePair<string, object?>("status", status.ToString().ToLowerInvariant()));
    }
}
