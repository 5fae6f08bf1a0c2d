using NodaTime;

namespace Tenure.Engine.Payments;

/// <summary>Where the provider's payment gateway is (R7.9) and how the worker calls it. No URL: no payment method is charged.</summary>
public sealed record PaymentOptions
{
    /// <summary>
    /// <c>Tenure:Payments:GatewayUrl</c>: Tenure calls <c>POST {GatewayUrl}/charges</c> and <c>GET {GatewayUrl}/charges/{id}</c>.
    /// </summary>
    public string? GatewayUrl { get; init; }

    /// <summary><c>Tenure:Payments:Secret</c>: signs Tenure's calls and the gateway's results, as webhooks are signed.</summary>
    public string? Secret { get; init; }

    /// <summary><c>Tenure:Payments:PollAfter</c>: a payment pending this long is asked for again.</summary>
    public Duration PollAfter { get; init; } = Duration.FromMinutes(10);

    /// <summary>The longest one call may take; a call that runs longer is a network failure, retried with the same key.</summary>
    public Duration Timeout { get; init; } = Duration.FromSeconds(10);

    /// <summary>Calls in flight at once; each payment is its own lane, so a slow one holds up only itself.</summary>
    public int MaxConcurrency { get; init; } = 8;

    /// <summary>
    /// The wait after a failed call (no answer, 5xx); it doubles up to <see cref="MaxBackoff"/>. Declines are never retried.
    /// </summary>
    public Duration FirstBackoff { get; init; } = Duration.FromSeconds(2);

    public Duration MaxBackoff { get; init; } = Duration.FromMinutes(10);

    /// <summary>How often the worker looks for calls to make.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromMilliseconds(250);

    public bool Enabled => !string.IsNullOrEmpty(GatewayUrl);
}
