using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace IcelandicEid.State;

/// <summary>
/// A login's id: 256 random bits, base64url, known only to the browser's protected cookie and the server. Everything
/// that names a login anywhere else (store keys, limiter tags, log lines) uses <see cref="Key"/>, one SHA-256 hash, so
/// the id itself never leaves the server's memory and a log line can be matched to a store key.
/// </summary>
/// <remarks><see cref="ToString"/> gives <see cref="ForLog"/>, never the id, so that an id put into a log line or an
/// exception message by mistake names the login without handing it out.</remarks>
public readonly struct EidLoginId : IEquatable<EidLoginId>
{
    private readonly string? _value;

    private EidLoginId(string value) => _value = value;

    /// <summary>The id itself (secret: never log it, never put it in a URL).</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>Whether this is the default value, naming no login.</summary>
    public bool IsEmpty => string.IsNullOrEmpty(_value);

    /// <summary>The storage and limiter name of the login: see <see cref="KeyOf"/>.</summary>
    public string Key => KeyOf(Value);

    /// <summary>The name the login has in log lines: the first 8 characters of <see cref="Key"/>.</summary>
    public string ForLog => ForLogFromKey(Key);

    /// <summary>A new, unguessable id.</summary>
    public static EidLoginId New() => new(Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)));

    /// <summary>An id read back from a store or a protected cookie.</summary>
    /// <param name="value">The id.</param>
    public static EidLoginId From(string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return new(value);
    }

    /// <summary>The storage and limiter name of a login: the first 144 bits of SHA-256 of its id, base64url (24
    /// characters).</summary>
    /// <param name="id">The login's id.</param>
    public static string KeyOf(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        Span<byte> utf8 = id.Length <= 128 ? stackalloc byte[Encoding.UTF8.GetMaxByteCount(id.Length)] : new byte[Encoding.UTF8.GetMaxByteCount(id.Length)];
        var length = Encoding.UTF8.GetBytes(id, utf8);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(utf8[..length], hash);
        return Base64Url.EncodeToString(hash[..18]);
    }

    /// <summary>The log name of the login whose id this is.</summary>
    /// <param name="id">The login's id.</param>
    public static string ForLogOf(string id) => ForLogFromKey(KeyOf(id));

    /// <summary>The log name of the login whose <see cref="Key"/> this is.</summary>
    /// <param name="key">The login's key.</param>
    public static string ForLogFromKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Length > 8 ? key[..8] : key;
    }

    /// <inheritdoc />
    public bool Equals(EidLoginId other) => string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is EidLoginId other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => _value is null ? 0 : StringComparer.Ordinal.GetHashCode(_value);

    /// <summary>The login's log name (<see cref="ForLog"/>), never the id.</summary>
    public override string ToString() => IsEmpty ? string.Empty : ForLog;

    /// <summary>Whether two ids are the same.</summary>
    public static bool operator ==(EidLoginId left, EidLoginId right) => left.Equals(right);

    /// <summary>Whether two ids differ.</summary>
    public static bool operator !=(EidLoginId left, EidLoginId right) => !left.Equals(right);
}
