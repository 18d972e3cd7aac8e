using System.Collections.Concurrent;

namespace IcelandicEid.AspNetCore.Flow;

/// <summary>
/// A per-instance memory of at most <c>capacity</c> entries that forgets everything when full, for hints that are
/// cheap to lose (lately-current logins, expected poll times, decrypted references). Safe on the hot path: it never
/// asks the dictionary for its <c>Count</c> (which takes every lock) and writes only when a value changes.
/// </summary>
internal sealed class BoundedMap<TValue>(int capacity)
{
    private readonly ConcurrentDictionary<string, TValue> _entries = new(StringComparer.Ordinal);
    private int _count;

    public bool TryGet(string key, out TValue value) => _entries.TryGetValue(key, out value!);

    public void Set(string key, TValue value)
    {
        if (_entries.TryGetValue(key, out var known))
        {
            if (!EqualityComparer<TValue>.Default.Equals(known, value))
            {
                _entries[key] = value;
            }

            return;
        }

        if (Interlocked.Increment(ref _count) > capacity)
        {
            _entries.Clear();
            Interlocked.Exchange(ref _count, 1);
        }

        _entries[key] = value;
    }

    /// <summary>The value for the key, made by <paramref name="create"/> when there is none (when two threads both make
    /// one, the first stored is kept and returned to both).</summary>
    public TValue GetOrAdd<TState>(string key, Func<string, TState, TValue> create, TState state)
    {
        if (_entries.TryGetValue(key, out var known))
        {
            return known;
        }

        var value = create(key, state);
        if (Interlocked.Increment(ref _count) > capacity)
        {
            _entries.Clear();
            Interlocked.Exchange(ref _count, 1);
        }

        if (_entries.TryAdd(key, value))
        {
            return value;
        }

        Interlocked.Decrement(ref _count);
        return _entries.TryGetValue(key, out known) ? known : value;
    }

    public void Remove(string key)
    {
        if (_entries.TryRemove(key, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }
}
