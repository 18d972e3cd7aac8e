using System.Globalization;
using System.Security.Cryptography;

namespace IcelandicEid.AspNetCore.Flow;

/// <summary>
/// What tells this browser apart from others without identifying anyone: a random id, and the (hashed) identifiers it
/// has signed in with. It gives a browser its own start budget for those identifiers, so nobody else can spend it, and
/// lets two tabs of one browser join one login. Carried in a protected cookie (<c>Http/BrowserCookie</c>).
/// </summary>
internal sealed class BrowserIdentity
{
    private const int MaxKnown = 8;

    private BrowserIdentity(string id, IReadOnlyList<string> known, bool isNew)
    {
        Id = id;
        Known = known;
        IsNew = isNew;
    }

    public string Id { get; }

    public IReadOnlyList<string> Known { get; }

    /// <summary>Whether the browser had no (readable) identity before this request.</summary>
    public bool IsNew { get; }

    public bool Knows(string identifierHash) => Known.Contains(identifierHash, StringComparer.Ordinal);

    /// <summary>A new browser: a random id, nothing known.</summary>
    public static BrowserIdentity New() => new(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), [], isNew: true);

    /// <summary>The identity a cookie's (already unprotected) payload names, or null when it names none.</summary>
    public static BrowserIdentity? Parse(string payload)
    {
        var parts = payload.Split('|');
        return parts.Length == 3 && parts[0] == "b1" && parts[1].Length >= 16
            ? new BrowserIdentity(parts[1], parts[2].Length == 0 ? [] : parts[2].Split(','), isNew: false)
            : null;
    }

    /// <summary>The payload to protect into the cookie.</summary>
    public string Format() => string.Create(CultureInfo.InvariantCulture, $"b1|{Id}|{string.Join(',', Known)}");

    public BrowserIdentity WithKnown(string identifierHash)
        => Knows(identifierHash) ? this : new BrowserIdentity(Id, [identifierHash, .. Known.Take(MaxKnown - 1)], IsNew);
}
