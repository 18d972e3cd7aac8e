using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Flow;

/// <summary>Hashes identifiers and client networks (HMAC-SHA256) before they become limiter keys, with the configured
/// <see cref="IcelandicEidLimitOptions.HashKey"/> or else the limiter's shared key.</summary>
internal static class LimiterKeys
{
    public static async Task<string> HashAsync(IEidAbuseLimiter limiter, IcelandicEidLimitOptions options, string value, CancellationToken cancellationToken)
    {
        var key = options.HashKey is { Length: > 0 } configured
            ? SHA256.HashData(Encoding.UTF8.GetBytes(configured))
            : await limiter.GetHashKeyAsync(cancellationToken);
        return Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(value)), 0, 12);
    }

    /// <summary>The network a client address counts under: an IPv4 address itself, an IPv6 address's /64 (one
    /// household or phone gets a whole /64, so counting single IPv6 addresses would count nothing).</summary>
    public static string Network(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    /// <summary>A short stand-in for a login id (keeps the id itself out of the limiter).</summary>
    public static string Tag(string loginId) => EidLoginId.KeyOf(loginId);
}
