using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace IcelandicEid.AspNetCore.State;

/// <summary>
/// The browser cookie that tells this browser apart from others without identifying anyone: a random id, and the
/// (hashed) identifiers it has logged in with. It gives a browser its own start budget for those identifiers, so
/// nobody else can spend it, and lets two tabs of one browser join one login.
/// </summary>
internal sealed class BrowserCookie
{
    private const int MaxKnown = 8;

    private BrowserCookie(string id, IReadOnlyList<string> known, bool isNew)
    {
        Id = id;
        Known = known;
        IsNew = isNew;
    }

    public string Id { get; }

    public IReadOnlyList<string> Known { get; }

    public bool IsNew { get; }

    public bool Knows(string identifierHash) => Known.Contains(identifierHash, StringComparer.Ordinal);

    public static BrowserCookie Read(HttpContext context, IDataProtector protector, string name)
    {
        var value = context.Request.Cookies[name];
        if (!string.IsNullOrEmpty(value))
        {
            try
            {
                var parts = protector.Unprotect(value).Split('|');
                if (parts.Length == 3 && parts[0] == "b1" && parts[1].Length >= 16)
                {
                    return new BrowserCookie(parts[1], parts[2].Length == 0 ? [] : parts[2].Split(','), isNew: false);
                }
            }
            catch (CryptographicException)
            {
                // Forged, or from a key ring that is gone: a new browser id.
            }
        }

        return new BrowserCookie(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), [], isNew: true);
    }

    public BrowserCookie WithKnown(string identifierHash)
        => Knows(identifierHash) ? this : new BrowserCookie(Id, [identifierHash, .. Known.Take(MaxKnown - 1)], IsNew);

    public void Write(HttpContext context, IDataProtector protector, string name, CookieOptions options)
    {
        var payload = string.Create(CultureInfo.InvariantCulture, $"b1|{Id}|{string.Join(',', Known)}");
        context.Response.Cookies.Append(name, protector.Protect(payload), options);
    }
}

/// <summary>Cookie names: over HTTPS every cookie of the handler gets the <c>__Host-</c> prefix, so a sibling
/// subdomain cannot plant one (the browser accepts such a cookie only from this host, Secure, with path /).</summary>
internal static class CookieNames
{
    public const string HostPrefix = "__Host-";

    public static string For(HttpRequest request, string name)
        => request.IsHttps && !name.StartsWith(HostPrefix, StringComparison.Ordinal) ? HostPrefix + name.TrimStart('.') : name;
}
