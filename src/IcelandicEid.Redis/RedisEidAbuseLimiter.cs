using System.Security.Cryptography;
using IcelandicEid.AspNetCore.State;
using StackExchange.Redis;

namespace IcelandicEid.Redis;

/// <summary>Abuse-limit counters and locks in Redis, so the limits hold across every instance.</summary>
/// <remarks>The identifier-hash key is kept in Redis beside the hashes it makes: the hashes keep identifiers out of
/// key names and dumps, not from someone who can read all of Redis.</remarks>
public sealed class RedisEidAbuseLimiter : IEidAbuseLimiter
{
    private readonly Func<IDatabase> _database;
    private readonly IcelandicEidRedisOptions _options;
    private byte[]? _hashKey;

    /// <summary>Creates the limiter.</summary>
    public RedisEidAbuseLimiter(IConnectionMultiplexer redis, IcelandicEidRedisOptions options)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        _database = () => redis.GetDatabase(options.Database);
        _options = options;
    }

    /// <inheritdoc />
    public async Task<(long Count, TimeSpan ResetsIn)> HitAsync(string key, TimeSpan window, CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await RedisScripts.HitRunner.EvaluateAsync(_database(), [(RedisKey)(_options.KeyPrefix + "c:" + key)], [(long)window.TotalMilliseconds]))!;
        return ((long)result[0], TimeSpan.FromMilliseconds((long)result[1]));
    }

    /// <inheritdoc />
    public async Task<string?> TryLockAsync(string key, string owner, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var result = await RedisScripts.LockRunner.EvaluateAsync(_database(), [(RedisKey)(_options.KeyPrefix + "k:" + key)], [owner, (long)ttl.TotalMilliseconds]);
        return result.IsNull ? null : (string?)result;
    }

    /// <inheritdoc />
    public Task ReleaseAsync(string key, string owner, CancellationToken cancellationToken)
        => RedisScripts.ReleaseRunner.EvaluateAsync(_database(), [(RedisKey)(_options.KeyPrefix + "k:" + key)], [owner]);

    /// <inheritdoc />
    public async Task<byte[]> GetHashKeyAsync(CancellationToken cancellationToken)
    {
        if (_hashKey is { } cached)
        {
            return cached;
        }

        var db = _database();
        RedisKey key = _options.KeyPrefix + "identifier-hash-key";
        await db.StringSetAsync(key, RandomNumberGenerator.GetBytes(32), when: When.NotExists);
        var value = (byte[]?)await db.StringGetAsync(key);
        if (value is not { Length: 32 })
        {
            throw new InvalidOperationException("The identifier hash key in Redis is missing or malformed.");
        }

        return _hashKey = value;
    }
}
