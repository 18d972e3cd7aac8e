using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace IcelandicEid.AspNetCore.State;

/// <summary>The default limiter: counters and locks in this process's memory. Limits then hold per instance only;
/// use the Redis limiter when several instances serve one site.</summary>
public sealed class InMemoryEidAbuseLimiter : IEidAbuseLimiter
{
    private static readonly TimeSpan s_sweepInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly byte[] _hashKey = RandomNumberGenerator.GetBytes(32);
    private readonly TimeProvider _timeProvider;
    private long _nextSweepTicks;

    /// <summary>Creates the limiter.</summary>
    public InMemoryEidAbuseLimiter(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
    }

    /// <inheritdoc />
    public Task<(long Count, TimeSpan ResetsIn)> HitAsync(string key, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        Sweep(now);
        var entry = _entries.AddOrUpdate(
            key,
            _ => new Entry(1, null, now + window),
            (_, old) => old.ExpiresAt <= now ? new Entry(1, null, now + window) : old with { Count = old.Count + 1 });
        return Task.FromResult((entry.Count, entry.ExpiresAt - now));
    }

    /// <inheritdoc />
    public Task<string?> TryLockAsync(string key, string owner, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        Sweep(now);
        var entry = _entries.AddOrUpdate(
            key,
            _ => new Entry(0, owner, now + ttl),
            (_, old) => old.ExpiresAt <= now ? new Entry(0, owner, now + ttl) : old);
        return Task.FromResult(entry.Owner == owner ? null : entry.Owner);
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

    private void Sweep(DateTimeOffset now)
    {
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, (now + s_sweepInterval).UtcTicks, due) != due)
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
