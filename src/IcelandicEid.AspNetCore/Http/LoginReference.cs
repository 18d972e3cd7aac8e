using System.Globalization;
using System.Security.Cryptography;
using IcelandicEid.AspNetCore.State;
using Microsoft.AspNetCore.DataProtection;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Http;

/// <summary>What reading a browser's login cookie found.</summary>
internal enum ReferenceProblem
{
    /// <summary>A valid reference.</summary>
    None,

    /// <summary>No cookie.</summary>
    Missing,

    /// <summary>A cookie this app did not make, or made for another purpose or scheme.</summary>
    Forged,

    /// <summary>A genuine reference past its expiry, or whose login is no longer in the store.</summary>
    Gone,

    /// <summary>The key ring or the store could not be read: try again later.</summary>
    StoreFailed,
}

/// <summary>A login cookie's content: the login id, when it expires, and where the person was going.</summary>
internal readonly record struct LoginReferenceValue(string Id, long ExpiresUnixSeconds, string? ReturnUrl);

/// <summary>
/// The browser-reference cookie codec: <c>v2|id|expiry|return URL</c>, data-protected for one purpose and scheme. The
/// status endpoint reads the same cookie every second, so genuine values are remembered (per instance) and decrypted
/// once.
/// </summary>
internal sealed class LoginReference(IDataProtector protector, LoginReferenceCache cache, string scheme, TimeProvider time)
{
    public static IDataProtector CreateProtector(IDataProtectionProvider provider, string scheme)
        => provider.CreateProtector("IcelandicEid.LoginReference", scheme, "v2");

    public string Protect(string id, DateTimeOffset expiresAt, string? returnUrl)
        => protector.Protect(string.Create(
            CultureInfo.InvariantCulture,
            $"v2|{id}|{expiresAt.ToUnixTimeSeconds()}|{ReturnUrls.Normalize(returnUrl) ?? string.Empty}"));

    /// <summary>The login id of a cookie, when genuine and not expired. Cached: the hot path decrypts nothing.</summary>
    public ReferenceProblem TryReadId(string? cookie, out string? id)
    {
        id = null;
        if (string.IsNullOrEmpty(cookie))
        {
            return ReferenceProblem.Missing;
        }

        if (!cache.TryGet(scheme, cookie, out var cachedId, out var expires))
        {
            var problem = TryUnprotect(cookie, out var value);
            if (problem != ReferenceProblem.None)
            {
                return problem;
            }

            (cachedId, expires) = (value.Id, value.ExpiresUnixSeconds);
            cache.Add(scheme, cookie, cachedId, expires);
        }

        if (time.GetUtcNow().ToUnixTimeSeconds() >= expires)
        {
            return ReferenceProblem.Gone;
        }

        id = cachedId;
        return ReferenceProblem.None;
    }

    /// <summary>Where a cookie's login was going, even after the login itself is gone; null when there is no genuine
    /// cookie or the key ring cannot be read.</summary>
    public string? ReturnUrl(string? cookie)
        => !string.IsNullOrEmpty(cookie) && TryUnprotect(cookie, out var value) == ReferenceProblem.None ? value.ReturnUrl : null;

    /// <summary>Decrypts and parses a cookie value: forged, malformed or of another purpose → <see cref="ReferenceProblem.Forged"/>;
    /// an unreadable key ring → <see cref="ReferenceProblem.StoreFailed"/>.</summary>
    public ReferenceProblem TryUnprotect(string cookie, out LoginReferenceValue value)
    {
        value = default;
        string payload;
        try
        {
            payload = protector.Unprotect(cookie);
        }
        catch (CryptographicException)
        {
            return ReferenceProblem.Forged;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The key ring could not be read: the store behind it is down.
            return ReferenceProblem.StoreFailed;
        }

        var parts = payload.Split('|', 4);
        if (parts.Length != 4 || parts[0] != "v2" || parts[1].Length == 0
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return ReferenceProblem.Forged;
        }

        value = new LoginReferenceValue(parts[1], expires, ReturnUrls.Normalize(parts[3]));
        return ReferenceProblem.None;
    }
}
