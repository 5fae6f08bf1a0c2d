using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using NodaTime;
using Tenure.Engine.Delivery;

namespace Tenure.Engine.Payments;

/// <summary>A charge the reference gateway answered: what it was asked, and where it stands.</summary>
public sealed record GatewayCharge(
    string PaymentId, string IdempotencyKey, long Amount, string Currency, string Status, string? Reason, bool Hard, string Reference);

/// <summary>A refund the reference gateway made.</summary>
public sealed record GatewayRefund(string PaymentId, string IdempotencyKey, long Amount);

/// <summary>
/// A small real payment gateway for development and tests (<c>tenure dev gateway --port</c>), answering by rule on the
/// amount's last two digits: <c>01</c> declines hard (card expired), <c>02</c> declines soft (insufficient funds on the
/// card), <c>03</c> is pending and succeeds <see cref="PendingSeconds"/> later (then, with <see cref="ResultUrl"/>, it also
/// posts the result to Tenure, signed), anything else succeeds. It verifies Tenure's signature, and the same
/// Idempotency-Key always gets the same charge: it counts what it charged, so a test can check nothing was charged twice.
/// </summary>
public sealed class ReferenceGateway : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, GatewayCharge> _byKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (GatewayCharge Charge, Instant SucceedsAt)> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GatewayRefund> _refunds = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly string? _secret;
    private readonly IClock _clock;
    private int _failNext;
    private int _sequence;

    public ReferenceGateway(IClock clock, int port, string? secret, double pendingSeconds = 5, string? resultUrl = null)
    {
        _clock = clock;
        _secret = secret;
        PendingSeconds = pendingSeconds;
        ResultUrl = resultUrl?.TrimEnd('/');
        Port = port == 0 ? FreePort() : port;
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ListenAsync);
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public double PendingSeconds { get; }

    /// <summary>
    /// Tenure's base URL: with it, a pending charge's result is posted to <c>/v1/payments/{id}/result</c> when it settles.
    /// </summary>
    public string? ResultUrl { get; }

    /// <summary>Every charge by Idempotency-Key, as it stands now.</summary>
    public IReadOnlyCollection<GatewayCharge> Charges => [.. _byKey.Values.Select(Current)];

    public IReadOnlyCollection<GatewayRefund> Refunds => [.. _refunds.Values];

    /// <summary>Requests made since the gateway started, every one counted (repeats included).</summary>
    public int Requests => Volatile.Read(ref _sequence);

    /// <summary>The next <paramref name="count"/> requests answer 503, as a gateway that is down would.</summary>
    public void FailNext(int count) => Volatile.Write(ref _failNext, count);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        // Close alone: Stop and then Close removes the prefix twice, and the second time binds the port again, which fails
        // (and this threw) when another listener took the port meanwhile.
        _listener.Close();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException)
        {
            // The listener was closed under the pending accept: that is how the loop ends.
        }

        _stop.Dispose();
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ListenAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var context = await _listener.GetContextAsync().ConfigureAwait(false);
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var response = context.Response;
        try
        {
            Interlocked.Increment(ref _sequence);
            using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync().ConfigureAwait(false);
            if (TakeFailure())
            {
                await AnswerAsync(response, 503, new { error = "the reference gateway was told to fail" }).ConfigureAwait(false);
                return;
            }

            var signed = PaymentGateway.Verify(
                _secret, request.Headers[Dispatcher.TimestampHeader], request.Headers[Dispatcher.SignatureHeader], body);
            if (_secret is { Length: > 0 } && !signed)
            {
                await AnswerAsync(response, 401, new { error = "bad signature" }).ConfigureAwait(false);
                return;
            }

            var path = request.Url!.AbsolutePath;
            var key = request.Headers[Dispatcher.IdempotencyHeader] ?? "";
            if (request.HttpMethod == "POST" && path == "/charges")
                await AnswerAsync(response, 200, Answer(Charge(key, body))).ConfigureAwait(false);
            else if (request.HttpMethod == "GET" && path.StartsWith("/charges/", StringComparison.Ordinal)
                && _byKey.Values.FirstOrDefault(c => c.PaymentId == Uri.UnescapeDataString(path["/charges/".Length..])) is { } found)
            {
                await AnswerAsync(response, 200, Answer(Current(found))).ConfigureAwait(false);
            }
            else if (request.HttpMethod == "GET" && path == "/charges") await AnswerAsync(response, 200, Charges).ConfigureAwait(false);
            else if (request.HttpMethod == "POST" && path == "/refunds")
                await AnswerAsync(response, 200, Answer(Refund(key, body))).ConfigureAwait(false);
            else await AnswerAsync(response, 404, new { error = "no such route" }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            await AnswerAsync(response, 400, new { error = e.Message }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpListenerException or IOException)
        {
            // The caller hung up (a killed server): nothing to answer.
            response.Abort();
        }
    }

    private bool TakeFailure()
    {
        while (true)
        {
            var left = Volatile.Read(ref _failNext);
            if (left <= 0) return false;
            if (Interlocked.CompareExchange(ref _failNext, left - 1, left) == left) return true;
        }
    }

    private GatewayCharge Charge(string key, string body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var paymentId = root.GetProperty("paymentId").GetString() ?? throw new InvalidOperationException("paymentId is missing");
        var amount = root.GetProperty("amount").GetInt64();
        var currency = root.GetProperty("currency").GetString() ?? "";
        var idempotencyKey = key.Length > 0 ? key : paymentId;
        return Current(_byKey.GetOrAdd(idempotencyKey, first =>
        {
            var reference = $"ch_{Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture)}";
            var charge = (amount % 100) switch
            {
                1 => new GatewayCharge(paymentId, idempotencyKey, amount, currency, "declined", "card expired", true, reference),
                2 => new GatewayCharge(
                    paymentId, idempotencyKey, amount, currency, "declined", "insufficient funds on the card", false, reference),
                3 => new GatewayCharge(paymentId, idempotencyKey, amount, currency, "pending", null, false, reference),
                _ => new GatewayCharge(paymentId, idempotencyKey, amount, currency, "succeeded", null, false, reference),
            };
            if (charge.Status == "pending")
            {
                _pending[first] = (charge, _clock.GetCurrentInstant() + Duration.FromSeconds(PendingSeconds));
                _ = Task.Run(() => SettleLaterAsync(first));
            }

            return charge;
        }));
    }

    /// <summary>A pending charge succeeds once its time has come.</summary>
    private GatewayCharge Current(GatewayCharge charge) =>
        charge.Status == "pending" && _pending.TryGetValue(charge.IdempotencyKey, out var pending)
            && _clock.GetCurrentInstant() >= pending.SucceedsAt
            ? charge with { Status = "succeeded" }
            : charge;

    private async Task SettleLaterAsync(string key)
    {
        if (ResultUrl is null || !_pending.TryGetValue(key, out var pending)) return;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(PendingSeconds), _stop.Token).ConfigureAwait(false);
            var settled = Current(pending.Charge);
            var body = JsonSerializer.Serialize(Answer(settled), Json);
            using var http = new HttpClient();
            var url = $"{ResultUrl}/v1/payments/{Uri.EscapeDataString(settled.PaymentId)}/result";
            using var request = new HttpRequestMessage(HttpMethod.Post, url)
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            var timestamp = _clock.GetCurrentInstant().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            request.Headers.Add(Dispatcher.TimestampHeader, timestamp);
            if (_secret is { Length: > 0 }) request.Headers.Add(Dispatcher.SignatureHeader, Dispatcher.Sign(_secret, timestamp, body));
            using var answer = await http.SendAsync(request, _stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            // Tenure is not reachable now; it polls pending payments itself (Tenure:Payments:PollAfter).
        }
    }

    private GatewayCharge Refund(string key, string body)
    {
        using var document = JsonDocument.Parse(body);
        var paymentId = document.RootElement.GetProperty("paymentId").GetString()
            ?? throw new InvalidOperationException("paymentId is missing");
        var amount = document.RootElement.GetProperty("amount").GetInt64();
        var refund = _refunds.GetOrAdd(key.Length > 0 ? key : $"{paymentId}:{amount}", k => new GatewayRefund(paymentId, k, amount));
        return new GatewayCharge(
            refund.PaymentId, refund.IdempotencyKey, refund.Amount, "", "succeeded", null, false, $"re_{refund.IdempotencyKey}");
    }

    private static object Answer(GatewayCharge charge) =>
        new
        {
            status = charge.Status,
            reason = charge.Reason,
            hard = charge.Status == "declined" ? charge.Hard : (bool?)null,
            reference = charge.Reference,
        };

    private static async Task AnswerAsync(HttpListenerResponse response, int status, object body)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body, Json);
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes).ConfigureAwait(false);
        response.Close();
    }
}
