using System.Net;
using System.Net.Sockets;

namespace Tenure.Engine.Delivery;

/// <summary>
/// R10.2: whether an account's webhook may reach an address. Only public unicast addresses may: an account must not
/// make Tenure POST into the operator's own network (loopback, private, link-local, CGNAT, multicast, unspecified),
/// whichever spelling of the address it uses (IPv4-mapped, IPv4-compatible or 6to4 IPv6 forms included).
/// </summary>
public static class PublicAddress
{
    /// <summary>Why <paramref name="address"/> is refused, or null when it is a public address.</summary>
    public static string? Refusal(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && Embedded(address) is { } inner)
        {
            return Refusal(inner) is { } reason ? $"{address} embeds {inner}, {reason}" : null;
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => OfIPv4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => OfIPv6(address),
            _ => $"{address} is not an IP address",
        };
    }

    /// <summary>Whether <paramref name="address"/> is public (no <see cref="Refusal"/>).</summary>
    public static bool IsPublic(IPAddress address) => Refusal(address) is null;

    private static string? OfIPv4(byte[] b) => (b[0], b[1]) switch
    {
        (0, _) => "an unspecified (this-network) address",
        (10, _) => "a private address (10.0.0.0/8)",
        (127, _) => "a loopback address",
        (100, >= 64 and < 128) => "a shared (CGNAT) address (100.64.0.0/10)",
        (169, 254) => "a link-local address (169.254.0.0/16)",
        (172, >= 16 and < 32) => "a private address (172.16.0.0/12)",
        (192, 168) => "a private address (192.168.0.0/16)",
        ( >= 224 and < 240, _) => "a multicast address",
        ( >= 240, _) => "a reserved or broadcast address",
        _ => null,
    };

    private static string? OfIPv6(IPAddress address)
    {
        var b = address.GetAddressBytes();
        if (address.Equals(IPAddress.IPv6None)) return "an unspecified address";
        if (address.Equals(IPAddress.IPv6Loopback)) return "a loopback address";
        if ((b[0] & 0xfe) == 0xfc) return "a unique-local (private) address (fc00::/7)";
        if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "a link-local address (fe80::/10)";
        if (b[0] == 0xff) return "a multicast address";
        return null;
    }

    /// <summary>
    /// The IPv4 address an IPv6 form carries: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), 6to4 (2002:ab:cd::).
    /// </summary>
    private static IPAddress? Embedded(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) return address.MapToIPv4();
        var b = address.GetAddressBytes();
        if (b[0] == 0x20 && b[1] == 0x02) return new IPAddress(b[2..6]);
        // ::a.b.c.d, but not :: and ::1, which are refused as themselves.
        return b[..12].All(x => x == 0) && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] <= 1) ? new IPAddress(b[12..16]) : null;
    }
}
