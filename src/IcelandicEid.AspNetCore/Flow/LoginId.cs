using System.Buffers.Text;
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
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    /// <summary>The storage and limiter name of a login: the first 144 bits of SHA-256 of its id, base64url (24
    /// characters).</summary>
    public static string Key(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        Span<byte> utf8 = id.Length <= 128 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(id.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(id.Length)];
        var length = Encoding.UTF8.GetBytes(id, utf8);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(utf8[..length], hash);
        return Base64Url.EncodeToString(hash[..18]);
    }

    /// <summary>The name a login has in log lines: the first 8 characters of <see cref="Key"/>.</summary>
    public static string ForLog(string id) => ForLogFromKey(Key(id));

    /// <summary><see cref="ForLog"/> of the login whose <see cref="Key"/> this is.</summary>
    public static string ForLogFromKey(string key) => key.Length > 8 ? key[..8] : key;
}
