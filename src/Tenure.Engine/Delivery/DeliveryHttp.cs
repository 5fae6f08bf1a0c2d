using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Tenure.Engine.Delivery;

/// <summary>The address a delivery resolved to is not public (R10.2); the connection is never opened.</summary>
public sealed class NonPublicAddressException(string message) : Exception(message);

/// <summary>
/// The HTTP clients deliveries go through (R10.2). Redirects are never followed (the signed POST is not re-sent
/// elsewhere: a 3xx is a failure). Each destination (scheme, host and port) gets its own resilience pipeline from
/// Microsoft.Extensions.Http.Resilience: a timeout on each attempt, and a circuit breaker that stops knocking on a
/// receiver that keeps failing, so its backlog fails fast instead of each delivery waiting out the timeout. Retries
/// are not the pipeline's: their state (attempts, next attempt) lives in the outbox row, which survives restarts.
/// Account webhooks go through a handler that resolves the host itself and connects only to the address it checked
/// (no second lookup between check and connect), unless private networks are allowed.
/// </summary>
public sealed class DeliveryHttp : IDisposable
{
    private readonly SocketsHttpHandler _operatorHandler;
    private readonly SocketsHttpHandler _accountHandler;
    private readonly ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>> _pipelines = new(StringComparer.Ordinal);
    private readonly DispatcherOptions _options;

    public DeliveryHttp(DispatcherOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _operatorHandler = NewHandler();
        _accountHandler = NewHandler();
        if (!options.AllowPrivateNetworks)
        {
            _accountHandler.ConnectCallback = ConnectToPublicAsync;
            _accountHandler.UseProxy = false; // a proxy would resolve the name itself, past the check
        }
        Operator = NewClient(_operatorHandler);
        Account = NewClient(_accountHandler);
    }

    /// <summary>For destinations the operator configured: the resource plane, the SMS gateway.</summary>
    public HttpClient Operator { get; }

    /// <summary>For account webhooks: public addresses only, unless <see cref="DispatcherOptions.AllowPrivateNetworks"/>.</summary>
    public HttpClient Account { get; }

    public void Dispose()
    {
        Operator.Dispose();
        Account.Dispose();
        _operatorHandler.Dispose();
        _accountHandler.Dispose();
    }

    private static SocketsHttpHandler NewHandler() => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2), // DNS changes reach pooled connections
    };

    private HttpClient NewClient(SocketsHttpHandler handler) =>
        new(new ResilienceHandler(request => PipelineFor(request.RequestUri!)) { InnerHandler = handler }, disposeHandler: false)
        {
            Timeout = Timeout.InfiniteTimeSpan, // each attempt's bound is the pipeline's timeout
            MaxResponseContentBufferSize = _options.MaxResponseBytes,
        };

    private ResiliencePipeline<HttpResponseMessage> PipelineFor(Uri url) =>
        _pipelines.GetOrAdd(url.GetLeftPart(UriPartial.Authority), _ => new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = _options.BreakAfterFailures,
                SamplingDuration = TimeSpan.FromMinutes(2),
                BreakDuration = _options.BreakDuration.ToTimeSpan(),
            })
            .AddTimeout(new HttpTimeoutStrategyOptions { Timeout = _options.Timeout.ToTimeSpan() })
            .Build());

    /// <summary>Resolves the host, refuses it unless every address is public, and connects to those very addresses.</summary>
    private static async ValueTask<Stream> ConnectToPublicAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Select(a => (Address: a, Reason: PublicAddress.Refusal(a))).FirstOrDefault(r => r.Reason is not null) is
            { Reason: { } why } refused)
        {
            throw new NonPublicAddressException(
                $"{host} resolves to {refused.Address}, {why}: not delivered (Tenure:Delivery:AllowPrivateNetworks allows it).");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
