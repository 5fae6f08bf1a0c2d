using System.Net;
using System.Net.Sockets;

namespace Tenure.Engine.Delivery;

/// <summary>R10.2, when the URL is set: an account's webhook must name a public address (checked again at each delivery).</summary>
public static class WebhookUrl
{
    /// <summary>How long the check waits for DNS before leaving the name to the check at delivery.</summary>
    private static readonly TimeSpan DnsWait = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Why <paramref name="url"/> may not be an account's webhook, or null. A literal address or a name that resolves
    /// is checked address by address; a name that does not resolve yet is accepted, since every delivery resolves
    /// and checks it again before connecting.
    /// </summary>
    public static async Task<string?> RefusalAsync(Uri url, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        var host = url.IdnHost;
        if (url.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            return PublicAddress.Refusal(IPAddress.Parse(host.Trim('[', ']'))) is { } reason ? $"{url.Host} is {reason}." : null;
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return $"{host} is a loopback name.";
        }

        IPAddress[] addresses;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(DnsWait);
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, wait.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Not resolvable now (or DNS is slow): the delivery-time check, after its own resolution, decides.
            return null;
        }

        return addresses.Select(a => (Address: a, Reason: PublicAddress.Refusal(a))).FirstOrDefault(r => r.Reason is not null) is
            { Reason: { } why } refused
            ? $"{host} resolves to {refused.Address}, {why}."
            : null;
    }
}
