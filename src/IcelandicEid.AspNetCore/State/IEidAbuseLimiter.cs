namespace IcelandicEid.AspNetCore.State;

/// <summary>
/// Counters and locks that hold across server instances, for the limits on starting logins (push bombing):
/// starts per identifier and per client address in a window, and one pending login per identifier.
/// </summary>
public interface IEidAbuseLimiter
{
    /// <summary>Counts one event under <paramref name="key"/> in a fixed window of <paramref name="window"/>; returns
    /// the count including this one and how long until the window ends.</summary>
    Task<(long Count, TimeSpan ResetsIn)> HitAsync(string key, TimeSpan window, CancellationToken cancellationToken);

    /// <summary>Takes the lock <paramref name="key"/> for <paramref name="owner"/> for <paramref name="ttl"/>. Returns
    /// <see langword="null"/> when taken, or the current owner when someone else holds it.</summary>
    Task<string?> TryLockAsync(string key, string owner, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Releases the lock if <paramref name="owner"/> still holds it.</summary>
    Task ReleaseAsync(string key, string owner, CancellationToken cancellationToken);

    /// <summary>A secret key for hashing identifiers (HMAC-SHA256) before they become counter or lock keys, the same on
    /// every instance that shares this limiter.</summary>
    Task<byte[]> GetHashKeyAsync(CancellationToken cancellationToken);
}
