using System.Security.Cryptography;
using StackExchange.Redis;
using IcelandicEid.State;

namespace IcelandicEid.Redis;

/// <summary>Abuse-limit counters and locks in Redis, so the limits hold across every instance. Every call fails within
/// <see cref="IcelandicEidRedisOptions.OperationTimeout"/>.</summary>
/// <remarks>Without a configured hash key, the identifier-hash key is kept in Redis beside the hashes it makes and
/// re-read every <see cref="IcelandicEidRedisOptions.HashKeyRefreshInterval"/>: after Redis loses its data, the first
/// instance to need a key writes a new one and the others pick it up within that interval. The hashes keep identifiers
/// out of key names and dumps, not from someone who can read all of Redis.</remarks>
internal sealed class RedisEidAbuseLimiter : IEidAbuseLimiter
{
    private readonly Func<IDatabase> _database;
    private readonly IcelandicEidRedisOptions _options;
    private readonly TimeProvider _time;
    private (byte[] Key, DateTimeOffset ReadAt)? _hashKey;

    /// <summary>Creates the limiter.</summary>
    /// <param name="redis">The connection.</param>
    /// <param name="options">Key prefix, database and timeouts.</param>
    /// <param name="timeProvider">The clock; the system clock when null.</param>
    public RedisEidAbuseLimiter(IConnectionMultiplexer redis, IcelandicEidRedisOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        _database = () => redis.GetDatabase(options.Database);
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc />
    public async Task<EidLimiterCount> HitAsync(string key, TimeSpan window, CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await RunAsync(RedisScripts.HitRunner, Key("c:", key), [(long)window.TotalMilliseconds], cancellationToken))!;
        return new EidLimiterCount((long)result[0], TimeSpan.FromMilliseconds((long)result[1]));
    }

    /// <inheritdoc />
    public Task RefundAsync(string key, CancellationToken cancellationToken)
        => RunAsync(RedisScripts.RefundRunner, Key("c:", key), [], cancellationToken);

    /// <inheritdoc />
    public async Task<EidLimiterValue?> TryLockAsync(string key, string owner, TimeSpan ttl, CancellationToken cancellationToken)
        => Value(await RunAsync(RedisScripts.LockRunner, Key("k:", key), [owner, Ms(ttl)], cancellationToken));

    /// <inheritdoc />
    public async Task<bool> ReplaceAsync(string key, string expected, string value, TimeSpan ttl, CancellationToken cancellationToken)
        => (int)await RunAsync(RedisScripts.ReplaceRunner, Key("k:", key), [expected, value, Ms(ttl)], cancellationToken) == 1;

    /// <inheritdoc />
    public async Task<EidLimiterValue?> SwapAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken)
        => Value(await RunAsync(RedisScripts.SwapRunner, Key("k:", key), [value, Ms(ttl)], cancellationToken));

    /// <inheritdoc />
    /// <remarks>Two plain commands in one round trip (PTTL, GET), not a script: the contest check asks this on
    /// polls, and a script costs Redis many times a GET. The time to live may belong to a value written between the two,
    /// which only moves a wait hint.</remarks>
    public async Task<EidLimiterValue?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var result = await RedisTimeouts.Bound(_database().StringGetWithExpiryAsync(Key("k:", key)[0]), _options, cancellationToken);
        return result.Value.IsNull ? null : new EidLimiterValue((string)result.Value!, result.Expiry is { } ttl && ttl > TimeSpan.Zero ? ttl : TimeSpan.Zero);
    }

    /// <inheritdoc />
    public Task ReleaseAsync(string key, string owner, CancellationToken cancellationToken)
        => RunAsync(RedisScripts.ReleaseRunner, Key("k:", key), [owner], cancellationToken);

    /// <inheritdoc />
    public bool KeepsHashKeyBesideHashes => true;

    /// <inheritdoc />
    public async Task<byte[]> GetHashKeyAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_hashKey is { } cached && now - cached.ReadAt < _options.HashKeyRefreshInterval)
        {
            return cached.Key;
        }

        var db = _database();
        RedisKey key = _options.KeyPrefix + "identifier-hash-key";
        await RedisTimeouts.Bound(db.StringSetAsync(key, RandomNumberGenerator.GetBytes(32), when: When.NotExists), _options, cancellationToken);
        var value = (byte[]?)await RedisTimeouts.Bound(db.StringGetAsync(key), _options, cancellationToken);
        if (value is not { Length: 32 })
        {
            throw new InvalidOperationException("The identifier hash key in Redis is missing or malformed.");
        }

        _hashKey = (value, now);
        return value;
    }

    private static EidLimiterValue? Value(RedisResult result)
    {
        if (result.IsNull)
        {
            return null;
        }

        var parts = (RedisResult[])result!;
        return new EidLimiterValue((string)parts[0]!, TimeSpan.FromMilliseconds(Math.Max(0, (long)parts[1])));
    }

    private static long Ms(TimeSpan time) => Math.Max(1, (long)Math.Ceiling(time.TotalMilliseconds));

    private RedisKey[] Key(string kind, string key) => [(RedisKey)(_options.KeyPrefix + kind + key)];

    private Task<RedisResult> RunAsync(LuaScriptRunner script, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken)
        => RedisTimeouts.Bound(script.EvaluateAsync(_database(), keys, values), _options, cancellationToken);
}

/// <summary>The project's own time limit on Redis calls: StackExchange.Redis has none that fires promptly for
/// asynchronous calls to a server that stalls without closing the connection.</summary>
/// <remarks>A network deadline on the wall clock. A call that has already completed costs nothing extra. Calls share one
/// deadline per tenth of a second (a token cancelled <see cref="IcelandicEidRedisOptions.OperationTimeout"/> after the
/// slot ends), so a call waits at most the timeout and one slot, and the hot path starts no timer of its own.</remarks>
internal static class RedisTimeouts
{
    public static Task<T> Bound<T>(Task<T> call, IcelandicEidRedisOptions options, CancellationToken cancellationToken)
        => call.IsCompleted ? call : WaitAsync(call, options, cancellationToken);

    public static Task Bound(Task call, IcelandicEidRedisOptions options, CancellationToken cancellationToken)
        => call.IsCompleted ? call : WaitAsync(call, options, cancellationToken);

    // One state machine per call that has to wait, the call's own result or failure passed through by WaitAsync.
    private static async Task<T> WaitAsync<T>(Task<T> call, IcelandicEidRedisOptions options, CancellationToken cancellationToken)
    {
        var deadline = SharedDeadlines.Current(options.OperationTimeout);
        try
        {
            return await (cancellationToken.CanBeCanceled ? call.WaitAsync(options.OperationTimeout, cancellationToken) : call.WaitAsync(deadline));
        }
        catch (Exception ex) when (TimedOut(ex, deadline, cancellationToken))
        {
            throw Timeout(call, options, ex);
        }
    }

    private static async Task WaitAsync(Task call, IcelandicEidRedisOptions options, CancellationToken cancellationToken)
    {
        var deadline = SharedDeadlines.Current(options.OperationTimeout);
        try
        {
            await (cancellationToken.CanBeCanceled ? call.WaitAsync(options.OperationTimeout, cancellationToken) : call.WaitAsync(deadline));
        }
        catch (Exception ex) when (TimedOut(ex, deadline, cancellationToken))
        {
            throw Timeout(call, options, ex);
        }
    }

    private static bool TimedOut(Exception ex, CancellationToken deadline, CancellationToken cancellationToken)
        => ex is TimeoutException || (ex is OperationCanceledException && deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested);

    private static TimeoutException Timeout(Task call, IcelandicEidRedisOptions options, Exception ex)
    {
        // The call still completes (or faults) in the background; observe it so it is not an unobserved exception.
        _ = call.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        return new TimeoutException($"Redis did not answer within {options.OperationTimeout.TotalMilliseconds:0} ms.", ex);
    }
}

/// <summary>Deadline tokens shared by the Redis calls that start in the same tenth of a second.</summary>
internal static class SharedDeadlines
{
    private const long SlotMilliseconds = 100;
    private static Slot? s_current;

    /// <summary>A token cancelled no sooner than <paramref name="timeout"/> from now and at most one slot later.</summary>
    public static CancellationToken Current(TimeSpan timeout)
    {
        var number = Environment.TickCount64 / SlotMilliseconds;
        var current = Volatile.Read(ref s_current);
        if (current is not null && current.Number == number && current.Timeout == timeout)
        {
            return current.Source.Token;
        }

        var slot = new Slot(number, timeout, new CancellationTokenSource(timeout + TimeSpan.FromMilliseconds(SlotMilliseconds)));
        Volatile.Write(ref s_current, slot);
        return slot.Source.Token;
    }

    private sealed record Slot(long Number, TimeSpan Timeout, CancellationTokenSource Source);
}
