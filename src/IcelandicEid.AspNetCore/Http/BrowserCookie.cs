using System.Security.Cryptography;
using IcelandicEid.AspNetCore.Flow;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace IcelandicEid.AspNetCore.Http;

/// <summary>The protected cookie that carries a browser's <see cref="BrowserIdentity"/>.</summary>
internal static class BrowserCookie
{
    /// <summary>The browser's identity; a new one when the cookie is missing, forged, or from a key ring that is gone.</summary>
    public static BrowserIdentity Read(HttpContext context, IDataProtector protector, string name)
    {
        var value = context.Request.Cookies[name];
        if (!string.IsNullOrEmpty(value))
        {
            try
            {
                if (BrowserIdentity.Parse(protector.Unprotect(value)) is { } known)
                {
                    return known;
                }
            }
            catch (CryptographicException)
            {
                // Forged, or from a key ring that is gone: a new browser id.
            }
        }

        return BrowserIdentity.New();
    }

    public static void Write(HttpContext context, IDataProtector protector, string name, BrowserIdentity browser, CookieOptions options)
        => context.Response.Cookies.Append(name, protector.Protect(browser.Format()), options);
}

/// <summary>Cookie names: over HTTPS every cookie of the handler gets the <c>__Host-</c> prefix, so a sibling
/// subdomain cannot plant one (the browser accepts such a cookie only from this host, Secure, with path /).</summary>
internal static class CookieNames
{
    public const string HostPrefix = "__Host-";

    public static string For(HttpRequest request, string name)
        => request.IsHttps && !name.StartsWith(HostPrefix, StringComparison.Ordinal) ? HostPrefix + name.TrimStart('.') : name;
}
