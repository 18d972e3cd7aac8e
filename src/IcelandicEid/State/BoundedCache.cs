using System.Collections.Concurrent;

namespace IcelandicEid.State;

/// <summary>
/// A per-instance memory of at most <c>capacity</c> entries that forgets everything when full, for hints that are
/// cheap to lose (lately-current logins, expected poll times, decrypted references). Safe on the hot path: it never
/// asks the dictionary for its <c>Count</c> (which takes every lock) and writes only when a value changes. For store
/// implementations; it holds nothing that is not cheap to lose.
/// </summary>
/// <typeparam name="TValue">The values.</typeparam>
/// <param name="capacity">The most entries held before everything is forgotten.</param>
public sealed class BoundedCache<TValue>(int capacity)
{
    private readonly ConcurrentDictionary<string, TValue> _entries = new(StringComparer.Ordinal);
    private int _count;

    /// <summary>The value for the key, if held.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <returns>Whether it was held.</returns>
    public bool TryGet(string key, out TValue value) => _entries.TryGetValue(key, out value!);

    /// <summary>Holds a value for the key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
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
    /// <typeparam name="TState">What <paramref name="create"/> needs.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="create">Makes the value.</param>
    /// <param name="state">Passed to <paramref name="create"/>.</param>
    /// <returns>The value.</returns>
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

    /// <summary>Forgets the key.</summary>
    /// <param name="key">The key.</param>
    public void Remove(string key)
    {
        if (_entries.TryRemove(key, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }
}
