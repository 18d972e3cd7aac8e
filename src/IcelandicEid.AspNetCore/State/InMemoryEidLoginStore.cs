using System.Collections.Concurrent;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.State;

/// <summary>
/// The default store: pending logins in this process's memory. Right for a single instance; use the Redis store
/// when several instances serve one site.
/// </summary>
/// <remarks>Expired entries are invisible at once and are swept out on later writes; no timer runs per login. Holds at
/// most <see cref="MaxEntries"/> logins: when a flood fills it, expired entries are swept at once and, if it is still
/// full, new logins are refused with <see cref="EidCapacityExceededException"/> (the person sees "try again").</remarks>
internal sealed class InMemoryEidLoginStore : IEidLoginStore, IEidPendingLoginCounter, IEidPendingByKey
{
    private static readonly TimeSpan s_sweepInterval = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, EidLoginState> _entries = new(StringComparer.Ordinal);

    // The contest marker names logins by key (a hash of the id); this finds them again. Entries go with their logins.
    private readonly ConcurrentDictionary<string, string> _byKey = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;
    private long _nextSweepTicks;
    private long _nextForcedSweepTicks;

    /// <summary>Creates the store.</summary>
    public InMemoryEidLoginStore(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
    }

    /// <summary>The default <see cref="MaxEntries"/>.</summary>
    public const int DefaultMaxEntries = 100_000;

    /// <summary>The most logins held at once, pending or completed. Default <see cref="DefaultMaxEntries"/>; a login
    /// takes about 1 KB here.</summary>
    public int MaxEntries { get; init; } = DefaultMaxEntries;

    /// <summary>Whether a new login would be refused now (full even after sweeping what has expired), for this start:
    /// the last tenth is kept for browsers that have signed in with their identifier before (<see cref="CapacityReserve"/>). Checked before the
    /// upstream is asked, so that a flood against a full store sends nothing to anyone's phone.</summary>
    public bool IsFull
    {
        get
        {
            var usable = CapacityReserve.Usable(MaxEntries);
            if (_entries.Count < usable)
            {
                return false;
            }

            ForceSweep();
            return _entries.Count >= usable;
        }
    }

    /// <summary>How many entries are held, expired ones not yet swept included.</summary>
    public int Count => _entries.Count;

    /// <inheritdoc />
    public Task CreateAsync(EidLoginState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        SweepIfDue();
        var usable = CapacityReserve.Usable(MaxEntries);
        if (_entries.Count >= usable)
        {
            ForceSweep();
            if (_entries.Count >= usable)
            {
                throw new EidCapacityExceededException("The in-memory login store is full (" + MaxEntries + " logins).");
            }
        }

        if (!_entries.TryAdd(state.Id, state))
        {
            throw new InvalidOperationException("A login with this id already exists.");
        }

        _byKey[EidLoginId.KeyOf(state.Id)] = state.Id;

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<EidLoginState?> GetAsync(string id, CancellationToken cancellationToken)
        => Task.FromResult(Live(id));

    /// <inheritdoc />
    public Task<bool> TryBeginPollAsync(string id, DateTimeOffset now, DateTimeOffset nextPollAt, CancellationToken cancellationToken)
    {
        while (Live(id) is { } current)
        {
            if (current.Status != EidLoginStatus.Pending || current.NextPollAt > now)
            {
                return Task.FromResult(false);
            }

            if (_entries.TryUpdate(id, current with { NextPollAt = nextPollAt }, current))
            {
                return Task.FromResult(true);
            }
        }

        return Task.FromResult(false);
    }

    /// <inheritdoc />
    public Task UpdateAsync(EidLoginState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        while (Live(state.Id) is { } current && !current.IsCompleted)
        {
            if (_entries.TryUpdate(state.Id, state, current))
            {
                break;
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<EidLoginState?> TryConsumeAsync(string id, CancellationToken cancellationToken)
    {
        if (Live(id) is { IsCompleted: true } current
            && _entries.TryRemove(new KeyValuePair<string, EidLoginState>(id, current)))
        {
            Dropped(id);
            return Task.FromResult<EidLoginState?>(current);
        }

        return Task.FromResult<EidLoginState?>(null);
    }

    /// <inheritdoc />
    public Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        if (_entries.TryRemove(id, out _))
        {
            Dropped(id);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<long> CountPendingAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        return Task.FromResult((long)_entries.Values.Count(s => s.Status == EidLoginStatus.Pending && s.ExpiresAt > now));
    }

    /// <inheritdoc />
    public Task<EidPollRequest?> PendingRequestAsync(string loginKey, CancellationToken cancellationToken)
        => Task.FromResult(_byKey.TryGetValue(loginKey, out var id) && Live(id) is { IsCompleted: false } login
            ? new EidPollRequest(login.Method, login.Reference) { PollInterval = login.PollInterval }
            : null);

    private EidLoginState? Live(string id)
    {
        if (!_entries.TryGetValue(id, out var state))
        {
            return null;
        }

        if (state.ExpiresAt <= _timeProvider.GetUtcNow())
        {
            if (_entries.TryRemove(new KeyValuePair<string, EidLoginState>(id, state)))
            {
                Dropped(id);
            }

            return null;
        }

        return state;
    }

    /// <summary>A full sweep, at most once a second, so a flood against a full store costs no more than that.</summary>
    private void ForceSweep()
    {
        var now = _timeProvider.GetUtcNow();
        var due = Interlocked.Read(ref _nextForcedSweepTicks);
        if (now.UtcTicks >= due && Interlocked.CompareExchange(ref _nextForcedSweepTicks, now.AddSeconds(1).UtcTicks, due) == due)
        {
            Sweep(now);
        }
    }

    private void SweepIfDue()
    {
        var now = _timeProvider.GetUtcNow();
        var due = Interlocked.Read(ref _nextSweepTicks);
        if (now.UtcTicks < due || Interlocked.CompareExchange(ref _nextSweepTicks, (now + s_sweepInterval).UtcTicks, due) != due)
        {
            return;
        }

        Sweep(now);
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var pair in _entries)
        {
            if (pair.Value.ExpiresAt <= now && _entries.TryRemove(pair))
            {
                Dropped(pair.Key);
            }
        }
    }

    private void Dropped(string id) => _byKey.TryRemove(EidLoginId.KeyOf(id), out _);
}
