using System.Collections.Concurrent;

namespace IcelandicEid.AspNetCore.Flow;

/// <summary>
/// Remembers, per instance and for a few seconds, that a pending login was found to be its identifier's current one,
/// so that polls that are still pending do not ask the limiter again every interval. Only the early notice to a
/// contested browser can come up to <see cref="Freshness"/> later; an approval is always checked again, and the finish
/// checks authoritatively before anything is signed in.
/// </summary>
internal sealed class CurrentLoginCache(TimeProvider time)
{
    public static readonly TimeSpan Freshness = TimeSpan.FromSeconds(5);
    private const int Capacity = 50_000;
    private readonly ConcurrentDictionary<string, long> _until = new(StringComparer.Ordinal);

    public bool IsFresh(string loginId)
        => _until.TryGetValue(loginId, out var until) && time.GetUtcNow().UtcTicks < until;

    public void Remember(string loginId)
    {
        var until = (time.GetUtcNow() + Freshness).UtcTicks;
        if (!_until.ContainsKey(loginId) && Interlocked.Increment(ref _count) > Capacity)
        {
            // No ConcurrentDictionary.Count here: it takes every lock.
            _until.Clear();
            Interlocked.Exchange(ref _count, 1);
        }

        _until[loginId] = until;
    }

    public void Forget(string loginId)
    {
        if (_until.TryRemove(loginId, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    private int _count;
}
