using System.Security.Cryptography;
using System.Text;

namespace IcelandicEid.AspNetCore.Flow;

/// <summary>
/// A login's id: 256 random bits, base64url, known only to the browser's protected cookie and the server. Everything
/// that names a login anywhere else (store keys, limiter tags, log lines) uses <see cref="Key"/>, one SHA-256 hash, so
/// the id itself never leaves the server's memory and a log line can be matched to a store key.
/// </summary>
internal static class LoginId
{
    public static string New() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The storage and limiter name of a login: the first 144 bits of SHA-256 of its id, base64url (24 characters).</summary>
    public static string Key(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(id), hash);
        return Base64Url(hash[..18]);
    }

    /// <summary>The name a login has in log lines: the first 8 characters of <see cref="Key"/>.</summary>
    public static string ForLog(string id) => Key(id)[..8];

    private static string Base64Url(ReadOnlySpan<byte> bytes)
        => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
