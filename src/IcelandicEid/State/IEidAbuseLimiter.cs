namespace IcelandicEid.State;

/// <summary>
/// Counters and small keyed values that hold across server instances, for the rules on starting logins: start
/// budgets per identifier and per client network in a window (against push bombing), which login is the current one
/// for an identifier (the contest rule), and one start at a time per browser and identifier.
/// </summary>
/// <remarks>Keys are already hashed by the caller; values hold no personal data. Every call may be slow or fail when a
/// shared limiter's server is in trouble: implementations bound each call in time and throw rather than hang.</remarks>
public interface IEidAbuseLimiter
{
    /// <summary>Counts one event under <paramref name="key"/> in a fixed window of <paramref name="window"/>.</summary>
    /// <param name="key">The counter.</param>
    /// <param name="window">The window, started by the first event.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The count including this one and how long until the window ends.</returns>
    Task<EidLimiterCount> HitAsync(string key, TimeSpan window, CancellationToken cancellationToken);

    /// <summary>Takes back one event counted by <see cref="HitAsync"/> (an attempt that was refused before it reached
    /// the upstream, so it spends no budget). Never goes below zero and leaves the window's end alone.</summary>
    /// <param name="key">The counter.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task RefundAsync(string key, CancellationToken cancellationToken);

    /// <summary>Sets <paramref name="key"/> to <paramref name="owner"/> for <paramref name="ttl"/> unless someone else
    /// holds it.</summary>
    /// <param name="key">The lock.</param>
    /// <param name="owner">The value that marks the caller as the holder.</param>
    /// <param name="ttl">How long the lock lives.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="null"/> when taken (or already held by <paramref name="owner"/>), else the holder and how
    /// long it still holds.</returns>
    Task<EidLimiterValue?> TryLockAsync(string key, string owner, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Replaces the value of <paramref name="key"/> if it is still <paramref name="expected"/>.</summary>
    /// <param name="key">The lock.</param>
    /// <param name="expected">The value it must still hold.</param>
    /// <param name="value">The new value.</param>
    /// <param name="ttl">The new time to live.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether it was replaced.</returns>
    Task<bool> ReplaceAsync(string key, string expected, string value, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/> whatever it held.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The new value.</param>
    /// <param name="ttl">The time to live.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>What it held before, with the time it had left, or <see langword="null"/>.</returns>
    Task<EidLimiterValue?> SwapAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Reads <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The value and its time left, or <see langword="null"/>.</returns>
    Task<EidLimiterValue?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Removes <paramref name="key"/> if it still holds <paramref name="owner"/>.</summary>
    /// <param name="key">The lock.</param>
    /// <param name="owner">The value it must hold.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    Task ReleaseAsync(string key, string owner, CancellationToken cancellationToken);

    /// <summary>A secret key for hashing identifiers and client addresses (HMAC-SHA256) before they become keys, the
    /// same on every instance that shares this limiter. Used only when the handler's <c>Limits.HashKey</c> option
    /// is not configured.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>At least 32 bytes.</returns>
    Task<byte[]> GetHashKeyAsync(CancellationToken cancellationToken);

    /// <summary>Whether <see cref="GetHashKeyAsync"/> keeps its key on a shared server beside the hashed keys (as the
    /// Redis limiter does). Anyone who can read that server could then reverse the hashes (there are only ten million
    /// phone numbers), so the handler requires its own <c>Limits.HashKey</c> in Production when this is true. Default
    /// false: the key stays in this process.</summary>
    bool KeepsHashKeyBesideHashes => false;
}

/// <summary>A counter of an <see cref="IEidAbuseLimiter"/> after a hit.</summary>
/// <param name="Count">The count, this hit included.</param>
/// <param name="ResetsIn">How long until the window ends and the count starts again.</param>
public readonly record struct EidLimiterCount(long Count, TimeSpan ResetsIn);

/// <summary>A value held by an <see cref="IEidAbuseLimiter"/> and how long it still lives.</summary>
/// <param name="Value">The value.</param>
/// <param name="TimeToLive">Time left before it expires.</param>
public sealed record EidLimiterValue(string Value, TimeSpan TimeToLive);

/// <summary>Thrown by a bounded in-memory store or limiter that is full: the login is refused with "try again" rather
/// than letting memory grow without bound under a flood.</summary>
public sealed class EidCapacityExceededException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EidCapacityExceededException()
        : base("The in-memory store is full.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is full.</param>
    public EidCapacityExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is full.</param>
    /// <param name="innerException">The cause.</param>
    public EidCapacityExceededException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
