using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Http.Resilience;
using NodaTime;
using Polly;
using Tenure.Domain.Payments;
using Tenure.Engine.Delivery;
using Tenure.Storage;

namespace Tenure.Engine.Payments;

/// <summary>What the gateway answers a charge, a status query or a result callback: <c>{status, reason?, hard?, reference?}</c>.</summary>
public sealed record GatewayAnswer(string Status, string? Reason = null, bool? Hard = null, string? Reference = null)
{
    /// <summary>The answer as the domain reads it; null for a status the contract does not name.</summary>
    public PaymentResult? ToResult() => Status switch
    {
        "succeeded" => PaymentResult.Succeeded,
        "declined" => new PaymentResult(PaymentStatus.Declined, Reason, Hard ?? false),
        "pending" => new PaymentResult(PaymentStatus.Pending),
        _ => null,
    };
}

/// <summary>A call that got no usable answer (no connection, a timeout, a 5xx, a body that is not the contract's): retried later.</summary>
public sealed class GatewayUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The provider's payment gateway (API.md, "Payment methods and the payment gateway"): signed like every webhook
/// (<see cref="Dispatcher.Sign"/>), with the payment's ID as the Idempotency-Key so a repeated call is the same charge.
/// Each call is bounded by a timeout from Microsoft.Extensions.Http.Resilience; the worker, not this client, retries.
/// </summary>
public sealed class PaymentGateway : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;
    private readonly PaymentOptions _options;
    private readonly IClock _clock;

    public PaymentGateway(PaymentOptions options, IClock clock)
    {
        _options = options;
        _clock = clock;
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddTimeout(new HttpTimeoutStrategyOptions { Timeout = options.Timeout.ToTimeSpan() })
            .Build();
        var inner = new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false };
        _http = new HttpClient(new ResilienceHandler(pipeline) { InnerHandler = inner })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
    }

    /// <summary><c>POST {GatewayUrl}/charges</c>: asks for the payment (again, with the same key, after a crash).</summary>
    public Task<GatewayAnswer> ChargeAsync(PaymentRow payment, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new
        {
            paymentId = payment.Id,
            accountId = payment.AccountId,
            token = payment.Token,
            amount = payment.Amount,
            currency = payment.Currency,
            description = payment.Description,
        }, Json);
        return SendAsync(HttpMethod.Post, "/charges", body, payment.Id, cancellationToken);
    }

    /// <summary><c>GET {GatewayUrl}/charges/{id}</c>: where a pending payment stands.</summary>
    public Task<GatewayAnswer> StatusAsync(string paymentId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"/charges/{Uri.EscapeDataString(paymentId)}", "", paymentId, cancellationToken);

    /// <summary><c>POST {GatewayUrl}/refunds</c> (R7.11, R8.4): the payment-method part of a refund goes back to the method.</summary>
    public Task<GatewayAnswer> RefundAsync(string paymentId, long amount, string idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync(
            HttpMethod.Post, "/refunds", JsonSerializer.Serialize(new { paymentId, amount }, Json), idempotencyKey, cancellationToken);

    /// <summary>
    /// Whether a result sent to Tenure carries a valid signature under the gateway secret (any of its <c>v1=</c> values).
    /// </summary>
    public static bool Verify(string? secret, string? timestamp, string? signature, string body) =>
        secret is { Length: > 0 } && timestamp is { Length: > 0 } && signature is { Length: > 0 }
        && signature.Split(',').Any(s => System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(s.Trim()), Encoding.UTF8.GetBytes(Dispatcher.Sign(secret, timestamp, body))));

    public void Dispose() => _http.Dispose();

    private async Task<GatewayAnswer> SendAsync(
        HttpMethod method, string path, string body, string key, CancellationToken cancellationToken)
    {
        var url = _options.GatewayUrl!.TrimEnd('/') + path;
        using var request = new HttpRequestMessage(method, url);
        if (method != HttpMethod.Get) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        var timestamp = _clock.GetCurrentInstant().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        request.Headers.Add(Dispatcher.TimestampHeader, timestamp);
        request.Headers.Add(Dispatcher.IdempotencyHeader, key);
        if (_options.Secret is { Length: > 0 } secret)
            request.Headers.Add(Dispatcher.SignatureHeader, Dispatcher.Sign(secret, timestamp, body));
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or Polly.Timeout.TimeoutRejectedException
            or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new GatewayUnavailableException($"{method} {url}: {e.Message}", e);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode) throw new GatewayUnavailableException($"{method} {url}: HTTP {(int)response.StatusCode}");
            try
            {
                var read = await response.Content.ReadFromJsonAsync<GatewayAnswer>(Json, cancellationToken).ConfigureAwait(false);
                return read is { Status: not null } answer
                    ? answer
                    : throw new GatewayUnavailableException($"{method} {url}: an empty answer");
            }
            catch (JsonException e)
            {
                throw new GatewayUnavailableException($"{method} {url}: the answer is not JSON of the contract ({e.Message})", e);
            }
        }
    }
}
