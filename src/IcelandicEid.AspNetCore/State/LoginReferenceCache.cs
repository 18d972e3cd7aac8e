using System.Collections.Concurrent;

namespace IcelandicEid.AspNetCore.State;

/// <summary>
/// Remembers which login id a login cookie's protected value stands for, so the status endpoint (asked every second by
/// every tab) decrypts each cookie once per instance instead of on every request. Only values that were successfully
/// unprotected are kept; the cache forgets everything when it reaches its capacity.
/// </summary>
internal sealed class LoginReferenceCache
{
    private const int Capacity = 20_000;
    private readonly ConcurrentDictionary<string, (string Scheme, string Id, long ExpiresUnixSeconds)> _entries = new(StringComparer.Ordinal);

    internal bool TryGet(string scheme, string cookie, out string id, out long expiresUnixSeconds)
    {
        if (_entries.TryGetValue(cookie, out var entry) && entry.Scheme == scheme)
        {
            (_, id, expiresUnixSeconds) = entry;
            return true;
        }

        id = string.Empty;
        expiresUnixSeconds = 0;
        return false;
    }

    internal void Add(string scheme, string cookie, string id, long expiresUnixSeconds)
    {
        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }

        _entries[cookie] = (scheme, id, expiresUnixSeconds);
    }
}
