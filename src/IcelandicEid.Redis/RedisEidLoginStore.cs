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
        var (key, member) = Key(state.Id);
        var created = (int)await _database().ScriptEvaluateAsync(
            RedisScripts.Create, [key, _pendingSet], [Serialize(state), Ms(state.ExpiresAt), member]);
        if (created != 1)
        {
            throw new InvalidOperationException("A login with this id already exists.");
        }
    }

    /// <inheritdoc />
    public async Task<EidLoginState?> GetAsync(string id, CancellationToken cancellationToken)
        => Deserialize(id, (byte[]?)await _database().StringGetAsync(Key(id).Key));

    /// <inheritdoc />
    public async Task<bool> TryBeginPollAsync(string id, DateTimeOffset now, DateTimeOffset nextPollAt, CancellationToken cancellationToken)
        => (int)await _database().ScriptEvaluateAsync(RedisScripts.BeginPoll, [Key(id).Key], [Ms(now), MsCeiling(nextPollAt)]) == 1;

    /// <inheritdoc />
    public async Task<EidLoginPeek?> PeekAsync(string id, DateTimeOffset now, TimeSpan leaseExtra, CancellationToken cancellationToken)
    {
        var result = await _database().ScriptEvaluateAsync(RedisScripts.Peek, [Key(id).Key], [Ms(now), (long)leaseExtra.TotalMilliseconds]);
        if (result.IsNull)
        {
            return null;
        }

        var v = (RedisValue[])result!;
        var summary = new EidLoginSummary(
            (EidLoginStatus)(int)v[0],
            (EidMethod)(int)v[2],
            v[3].IsNullOrEmpty ? null : (string?)v[3],
            DateTimeOffset.FromUnixTimeMilliseconds((long)v[4]),
            DateTimeOffset.FromUnixTimeMilliseconds((long)v[1]),
            TimeSpan.FromMilliseconds((long)v[5]),
            v[6].IsNullOrEmpty ? null : (EidFailureReason)(int)v[6]);
        return new EidLoginPeek(summary, (int)v[7] == 1, null);
    }

    /// <inheritdoc />
    public Task UpdateAsync(EidLoginState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var retention = (long)Math.Max(1000, _options.CompletedLoginRetention.TotalMilliseconds);
        var (key, member) = Key(state.Id);
        return _database().ScriptEvaluateAsync(
            RedisScripts.Update, [key, _pendingSet], [Serialize(state), (int)state.Status, retention, member]);
    }

    /// <inheritdoc />
    public async Task<EidLoginState?> TryConsumeAsync(string id, CancellationToken cancellationToken)
    {
        var (key, member) = Key(id);
        var result = await _database().ScriptEvaluateAsync(RedisScripts.Consume, [key, _pendingSet], [member]);
        return result.IsNull ? null : Deserialize(id, (byte[]?)result);
    }

    /// <inheritdoc />
    public async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        var db = _database();
        var (key, member) = Key(id);
        await Task.WhenAll(db.KeyDeleteAsync(key), db.SortedSetRemoveAsync(_pendingSet, member));
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

    /// <summary>The login's key and its member in the pending index: a hash of the id, never the id itself.</summary>
    private (RedisKey Key, string Member) Key(string id)
    {
        var hash = Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(id)), 0, 18);
        return (_options.KeyPrefix + "l:" + hash, hash);
    }

    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    /// <summary>Next-poll times round up, so a lease never frees itself a fraction of a millisecond early.</summary>
    private static long MsCeiling(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;

    /// <summary>The header (see <see cref="RedisScripts"/>) and the protected state.</summary>
    private byte[] Serialize(EidLoginState state)
    {
        var code = (state.VerificationCode ?? string.Empty).Replace("\n", string.Empty, StringComparison.Ordinal).Replace(":", string.Empty, StringComparison.Ordinal);
        var header = Encoding.UTF8.GetBytes(string.Create(
            CultureInfo.InvariantCulture,
            $"{(int)state.Status}:{MsCeiling(state.NextPollAt)}:{(int)state.Method}:{(long)state.PollInterval.TotalMilliseconds}:{Ms(state.ExpiresAt)}:{(state.FailureReason is { } r ? ((int)r).ToString(CultureInfo.InvariantCulture) : string.Empty)}:{code}\n"));
        var body = _protector.Protect(JsonSerializer.SerializeToUtf8Bytes(StoredLogin.From(state), StoredLoginJson.Default.StoredLogin));
        var value = new byte[header.Length + body.Length];
        header.CopyTo(value, 0);
        body.CopyTo(value, header.Length);
        return value;
    }

    private EidLoginState? Deserialize(string id, byte[]? value)
    {
        if (value is null)
        {
            return null;
        }

        var newline = Array.IndexOf(value, (byte)'\n');
        if (newline < 0)
        {
            return null;
        }

        var fields = Encoding.UTF8.GetString(value, 0, newline).Split(':');
        if (fields.Length < 7 || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var next))
        {
            return null;
        }

        try
        {
            var stored = JsonSerializer.Deserialize(_protector.Unprotect(value.AsSpan(newline + 1).ToArray()), StoredLoginJson.Default.StoredLogin);
            if (stored is null || stored.ExpiresAt <= _time.GetUtcNow().ToUnixTimeMilliseconds())
            {
                return null;
            }

            // The poll lease moves only the header's n; it is the truth for NextPollAt.
            return stored.ToState(id, DateTimeOffset.FromUnixTimeMilliseconds(next));
        }
        catch (CryptographicException)
        {
            // Written with a key this instance does not have, or tampered with: as good as gone.
            return null;
        }
    }
}
