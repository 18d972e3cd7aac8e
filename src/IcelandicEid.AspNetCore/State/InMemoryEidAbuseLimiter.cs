using System.Collections.Concurrent;
using System.Security.Cryptography;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.State;

/// <summary>The default limiter: counters and locks in this process's memory. Limits then hold per instance only;
/// use the Redis limiter when several instances serve one site.</summary>
/// <remarks>Holds at most <see cref="MaxEntries"/> keys: when a flood fills it, expired keys are swept at once and, if
/// it is still full, new keys are refused with <see cref="EidCapacityExceededException"/> (the person sees "try
/// again"); memory never grows without bound. The last tenth is kept for starts from browsers that have signed in with
/// their identifier before (<see cref="CapacityReserve"/>); keys that exist already are always counted.</remarks>
internal sealed class InMemoryEidAbuseLimiter : IEidAbuseLimiter
{
    /// <summary>The default <see cref="MaxEntries"/>.</summary>
    public const int DefaultMaxEntries = 200_000;

    private static readonly TimeSpan s_sweepInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly byte[] _hashKey = RandomNumberGenerator.GetBytes(32);
    private readonly TimeProvider _timeProvider;
    private long _nextSweepTicks;
    private long _nextForcedSweepTicks;

    /// <summary>Creates the limiter.</summary>
    /// <param name="timeProvider">The clock.</param>
    public InMemoryEidAbuseLimiter(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
    }

    /// <summary>The most keys held at once. Default <see cref="DefaultMaxEntries"/> (about 200 bytes each).</summary>
    public int MaxEntries { get; init; } = DefaultMaxEntries;

    /// <summary>How many keys are held, expired ones not yet swept included.</summary>
    public int Count => _entries.Count;

    /// <inheritdoc />
    public Task<EidLimiterCount> HitAsync(string key, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = Prepare(key);
        var entry = _entries.AddOrUpdate(
            key,
            _ => new Entry(1, null, now + window),
            (_, old) => old.ExpiresAt <= now ? new Entry(1, null, now + window) : old with { Count = old.Count + 1 });
        return Task.FromResult(new EidLimiterCount(entry.Count, entry.ExpiresAt - now));
    }

    /// <inheritdoc />
    public Task RefundAsync(string key, CancellationToken cancellationToken)
    {
        while (_entries.TryGetValue(key, out var old) && old.Count > 0)
        {
            if (_entries.TryUpdate(key, old with { Count = old.Count - 1 }, old))
            {
                break;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<EidLimiterValue?> TryLockAsync(string key, string owner, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var now = Prepare(key);
        var entry = _entries.AddOrUpdate(
            key,
            _ => new Entry(0, owner, now + ttl),
            (_, old) => old.ExpiresAt <= now ? new Entry(0, owner, now + ttl) : old);
        return Task.FromResult(entry.Owner == owner ? null : new EidLimiterValue(entry.Owner ?? string.Empty, entry.ExpiresAt - now));
    }

    /// <inheritdoc />
    public Task<bool> ReplaceAsync(string key, string expected, string value, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        return Task.FromResult(_entries.TryGetValue(key, out var old) && old.ExpiresAt > now && old.Owner == expected
            && _entries.TryUpdate(key, new Entry(0, value, now + ttl), old));
    }

    /// <inheritdoc />
    public Task<EidLimiterValue?> SwapAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var now = Prepare(key);
        EidLimiterValue? previous = null;
        _entries.AddOrUpdate(
            key,
            _ => new Entry(0, value, now + ttl),
            (_, old) =>
            {
                previous = old.ExpiresAt > now && old.Owner is not null ? new EidLimiterValue(old.Owner, old.ExpiresAt - now) : null;
                return new Entry(0, value, now + ttl);
            });
        return Task.FromResult(previous);
    }

    /// <inheritdoc />
    public Task<EidLimiterValue?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        return Task.FromResult(_entries.TryGetValue(key, out var entry) && entry.ExpiresAt > now && entry.Owner is not null
            ? new EidLimiterValue(entry.Owner, entry.ExpiresAt - now)
            : null);
    }

    /// <inheritdoc />
    public Task ReleaseAsync(string key, string owner, CancellationToken cancellationToken)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.Owner == owner)
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(key, entry));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<byte[]> GetHashKeyAsync(CancellationToken cancellationToken) => Task.FromResult(_hashKey);

    /// <summary>Sweeps when due, and refuses a new key when full.</summary>
    private DateTimeOffset Prepare(string key)
    {
        var now = _timeProvider.GetUtcNow();
        Sweep(now, force: false);
        var usable = CapacityReserve.Usable(MaxEntries);
        if (_entries.Count >= usable && !_entries.ContainsKey(key))
        {
            // A full sweep at most once a second, so a flood against a full limiter costs no more than that.
            var due = Interlocked.Read(ref _nextForcedSweepTicks);
            if (now.UtcTicks >= due && Interlocked.CompareExchange(ref _nextForcedSweepTicks, now.AddSeconds(1).UtcTicks, due) == due)
            {
                Sweep(now, force: true);
            }

            if (_entries.Count >= usable)
            {
                throw new EidCapacityExceededException("The in-memory abuse limiter is full (" + usable + " keys for this start, of " + MaxEntries + ").");
            }
        }

        return now;
    }

    private void Sweep(DateTimeOffset now, bool force)
    {
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (!force && (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, (now + s_sweepInterval).UtcTicks, due) != due))
        {
            return;
        }

        foreach (var pair in _entries)
        {
            if (pair.Value.ExpiresAt <= now)
            {
                _entries.TryRemove(pair);
            }
        }
    }

    private sealed record Entry(long Count, string? Owner, DateTimeOffset ExpiresAt);
}
