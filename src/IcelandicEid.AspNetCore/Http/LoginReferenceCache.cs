using System.Collections.Concurrent;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Http;

/// <summary>
/// Remembers which login id a login cookie's protected value stands for, so the status endpoint (asked every second by
/// every tab) decrypts each cookie once per instance instead of on every request. Only values that were successfully
/// unprotected are kept; the cache forgets everything when it reaches its capacity.
/// </summary>
internal sealed class LoginReferenceCache
{
    private const int Capacity = 20_000;
    private readonly BoundedCache<(string Scheme, string Id, long ExpiresUnixSeconds)> _entries = new(Capacity);
    private readonly ConcurrentDictionary<(Microsoft.AspNetCore.DataProtection.IDataProtectionProvider Provider, string Scheme), Microsoft.AspNetCore.DataProtection.IDataProtector> _protectors = new();

    /// <summary>The scheme's reference protector, made once: creating one computes its purposes' authenticated data,
    /// which the status endpoint should not pay on every request.</summary>
    internal Microsoft.AspNetCore.DataProtection.IDataProtector Protector(
        Microsoft.AspNetCore.DataProtection.IDataProtectionProvider provider,
        string scheme,
        Func<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider, string, Microsoft.AspNetCore.DataProtection.IDataProtector> create)
        => _protectors.GetOrAdd((provider, scheme), key => create(key.Provider, key.Scheme));

    internal bool TryGet(string scheme, string cookie, out string id, out long expiresUnixSeconds)
    {
        if (_entries.TryGet(cookie, out var entry) && entry.Scheme == scheme)
        {
            (_, id, expiresUnixSeconds) = entry;
            return true;
        }

        id = string.Empty;
        expiresUnixSeconds = 0;
        return false;
    }

    internal void Add(string scheme, string cookie, string id, long expiresUnixSeconds)
        => _entries.Set(cookie, (scheme, id, expiresUnixSeconds));
}
