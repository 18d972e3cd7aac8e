using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IcelandicEid.AspNetCore.State;
using Microsoft.AspNetCore.DataProtection;
using StackExchange.Redis;

namespace IcelandicEid.Redis;

/// <summary>
/// Pending logins in Redis, shared by every instance. Each operation is one Lua script, so creating, polling,
/// completing and consuming a login are atomic whichever instance does them; at most one instance wins each poll
/// lease; consuming is single-use. Keys are a hash of the login id; the state, personal data included, is
/// data-protected (encrypted and signed) before it is stored; every key expires with the login, and a completed
/// login is kept only <see cref="IcelandicEidRedisOptions.CompletedLoginRetention"/>.
/// </summary>
public sealed class RedisEidLoginStore : IEidLoginStore, IEidPendingLoginCounter
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.General);

    private readonly Func<IDatabase> _database;
    private readonly IDataProtector _protector;
    private readonly IcelandicEidRedisOptions _options;
    private readonly TimeProvider _time;
    private readonly RedisKey _pendingSet;

    /// <summary>Creates the store.</summary>
    public RedisEidLoginStore(IConnectionMultiplexer redis, IDataProtectionProvider dataProtection, IcelandicEidRedisOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(dataProtection);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _database = () => redis.GetDatabase(options.Database);
        _protector = dataProtection.CreateProtector("IcelandicEid.Redis.LoginState", "v1");
        _options = options;
        _time = timeProvider;
        _pendingSet = options.KeyPrefix + "pending";
    }

    /// <inheritdoc />
    public async Task CreateAsync(EidLoginState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var created = (int)await _database().ScriptEvaluateAsync(
            RedisScripts.Create,
            [Key(state.Id), _pendingSet],
            [Status(state), Ms(state.NextPollAt), Protect(state), Ms(state.ExpiresAt)]);
        if (created != 1)
        {
            throw new InvalidOperationException("A login with this id already exists.");
        }
    }

    /// <inheritdoc />
    public async Task<EidLoginState?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var values = await _database().HashGetAsync(Key(id), [(RedisValue)"n", (RedisValue)"d"]);
        if (values[1].IsNull)
        {
            return null;
        }

        var state = Unprotect(values[1]);
        if (state is null || state.ExpiresAt <= _time.GetUtcNow())
        {
            return null;
        }

        // The poll lease moves only field n; it is the truth for NextPollAt.
        return long.TryParse((string?)values[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var next)
            ? state with { NextPollAt = DateTimeOffset.FromUnixTimeMilliseconds(next) }
            : state;
    }

    /// <inheritdoc />
    public async Task<bool> TryBeginPollAsync(string id, DateTimeOffset now, DateTimeOffset nextPollAt, CancellationToken cancellationToken)
        => (int)await _database().ScriptEvaluateAsync(RedisScripts.BeginPoll, [Key(id)], [Ms(now), Ms(nextPollAt)]) == 1;

    /// <inheritdoc />
    public Task UpdateAsync(EidLoginState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var retention = (long)Math.Max(1000, _options.CompletedLoginRetention.TotalMilliseconds);
        return _database().ScriptEvaluateAsync(
            RedisScripts.Update,
            [Key(state.Id), _pendingSet],
            [Status(state), Ms(state.NextPollAt), Protect(state), retention]);
    }

    /// <inheritdoc />
    public async Task<EidLoginState?> TryConsumeAsync(string id, CancellationToken cancellationToken)
    {
        var result = await _database().ScriptEvaluateAsync(RedisScripts.Consume, [Key(id), _pendingSet]);
        if (result.IsNull)
        {
            return null;
        }

        var state = Unprotect((byte[])result!);
        return state is null || state.ExpiresAt <= _time.GetUtcNow() ? null : state;
    }

    /// <inheritdoc />
    public async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        var db = _database();
        var key = Key(id);
        await Task.WhenAll(db.KeyDeleteAsync(key), db.SortedSetRemoveAsync(_pendingSet, (string)key!));
    }

    /// <inheritdoc />
    public async Task<long> CountPendingAsync(CancellationToken cancellationToken)
    {
        var db = _database();
        await db.SortedSetRemoveRangeByScoreAsync(_pendingSet, double.NegativeInfinity, Ms(_time.GetUtcNow()), Exclude.Stop);
        return await db.SortedSetLengthAsync(_pendingSet);
    }

    /// <summary>Checks that Redis answers (for health checks).</summary>
    public async Task<TimeSpan> PingAsync() => await _database().PingAsync();

    private RedisKey Key(string id)
        => _options.KeyPrefix + "login:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)), 0, 16);

    private static RedisValue Status(EidLoginState state) => ((int)state.Status).ToString(CultureInfo.InvariantCulture);

    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private byte[] Protect(EidLoginState state) => _protector.Protect(JsonSerializer.SerializeToUtf8Bytes(state, s_json));

    private EidLoginState? Unprotect(byte[]? data)
    {
        if (data is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<EidLoginState>(_protector.Unprotect(data), s_json);
        }
        catch (CryptographicException)
        {
            // Written with a key this instance does not have, or tampered with: as good as gone.
            return null;
        }
    }
}
