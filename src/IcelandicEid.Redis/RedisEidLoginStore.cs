using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using StackExchange.Redis;
using IcelandicEid.State;

namespace IcelandicEid.Redis;

/// <summary>
/// Pending logins in Redis, shared by every instance. Each operation is one Lua script, so creating, polling,
/// completing and consuming a login are atomic whichever instance does them; at most one instance wins each poll
/// lease; consuming is single-use. Keys are a hash of the login id; the state, personal data included, is
/// data-protected (encrypted and signed) before it is stored; every key expires with the login, and a completed
/// login is kept only <see cref="IcelandicEidRedisOptions.CompletedLoginRetention"/>.
/// </summary>
internal sealed class RedisEidLoginStore : IEidLoginStore, IEidPendingLoginCounter, IEidContestedLogins, IEidPendingByKey
{
    private readonly Func<IDatabase> _database;
    private readonly IcelandicEidRedisOptions _options;
    private readonly TimeProvider _time;
    private readonly RedisKey[] _pendingShards;

    // Per login id, in one lookup: its key and pending-index member (a hash of the id, computed once), and this
    // instance's last word on its next poll time, so a read that finds a poll due can take the lease in the same round
    // trip. The time is only a hint (the scripts decide). Dropped when the login ends here; bounded.
    private readonly BoundedCache<LoginKeys> _logins = new(100_000);

    private readonly LoginCodec _codec;

    // How much of a login's value the read path fetches: the header (status, times, method, failure, code) fits with
    // room to spare; a longer one is read whole.
    private const int HeaderRead = 128;

    /// <summary>Creates the store.</summary>
    public RedisEidLoginStore(IConnectionMultiplexer redis, IDataProtectionProvider dataProtection, IcelandicEidRedisOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(dataProtection);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _database = () => redis.GetDatabase(options.Database);
        _codec = new LoginCodec(dataProtection.CreateProtector("IcelandicEid.Redis.LoginState", "v1"), timeProvider);
        _options = options;
        _time = timeProvider;
        _pendingShards = [.. RedisKeys.AllPending(options.KeyPrefix).Select(name => (RedisKey)name)];
    }

    /// <inheritdoc />
    public async Task CreateAsync(EidLoginState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var login = Keys(state.Id);
        var created = (int)await Bound(RedisScripts.CreateRunner.EvaluateAsync(_database(), [login.Key, login.Pending], [_codec.Serialize(state, login.Name, MsCeiling(state.NextPollAt)), Ms(state.ExpiresAt), login.Member]), cancellationToken);
        if (created != 1)
        {
            throw new InvalidOperationException("A login with this id already exists.");
        }
    }

    /// <inheritdoc />
    public async Task<EidLoginState?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var login = Keys(id);
        return _codec.Deserialize(id, login.Name, (byte[]?)await Bound(_database().StringGetAsync(login.Key), cancellationToken));
    }

    /// <inheritdoc />
    public async Task<bool> TryBeginPollAsync(string id, DateTimeOffset now, DateTimeOffset nextPollAt, CancellationToken cancellationToken)
        => (int)await Bound(RedisScripts.BeginPollRunner.EvaluateAsync(_database(), [Keys(id).Key], [Ms(now), MsCeiling(nextPollAt)]), cancellationToken) == 1;

    /// <inheritdoc />
    /// <remarks>The common case is one plain GET and no decryption: the header holds the summary. When this instance's
    /// last read of the login said a poll would be due by now, it runs the lease script instead, which reads and takes
    /// the lease in the same round trip; only then is the state decrypted.</remarks>
    public async Task<EidLoginPeek?> PeekAsync(string id, DateTimeOffset now, TimeSpan leaseExtra, CancellationToken cancellationToken)
    {
        var login = Keys(id);
        var key = login.Key;
        byte[]? value;
        var leased = false;
        var expectedNext = login.NextPollMs;
        if (expectedNext != 0 && expectedNext <= Ms(now))
        {
            var result = (RedisResult[]?)await Bound(RedisScripts.PeekLeaseRunner.EvaluateAsync(_database(), [key], [Ms(now), (long)leaseExtra.TotalMilliseconds]), cancellationToken);
            leased = result is { Length: 2 } && (int)result[0] == 1;
            value = result is { Length: 2 } ? (byte[]?)result[1] : null;
        }
        else
        {
            // The read path needs only the header: read its bytes alone, not the protected state behind them.
            value = (byte[]?)await Bound(_database().StringGetRangeAsync(key, 0, HeaderRead - 1), cancellationToken);
            if (value is { Length: HeaderRead } && Array.IndexOf(value, (byte)'\n') < 0)
            {
                value = (byte[]?)await Bound(_database().StringGetAsync(key), cancellationToken); // a longer header than any code makes
            }
        }

        if (value is null || LoginHeader.Parse(value) is not { } header)
        {
            Forget(id, login);
            return null;
        }

        var summary = header.Summary;
        if (summary.Status != EidLoginStatus.Pending)
        {
            Forget(id, login);
            return new EidLoginPeek(summary, false, null);
        }

        if (!leased)
        {
            login.NextPollMs = MsCeiling(summary.NextPollAt);
            if (summary.NextPollAt > now)
            {
                return new EidLoginPeek(summary, false, null);
            }

            // Due, but this instance did not expect it: take the lease now, with the whole value (a second round trip,
            // once per login and instance).
            var result = (RedisResult[]?)await Bound(RedisScripts.PeekLeaseRunner.EvaluateAsync(_database(), [key], [Ms(now), (long)leaseExtra.TotalMilliseconds]), cancellationToken);
            value = result is { Length: 2 } ? (byte[]?)result[1] : null;
            if (result is not { Length: 2 } || (int)result[0] != 1 || value is null)
            {
                return value is not null && LoginHeader.Parse(value) is { } again ? new EidLoginPeek(again.Summary, false, null) : null;
            }
        }

        var next = now + summary.PollInterval + leaseExtra;
        login.NextPollMs = MsCeiling(next);
        var state = _codec.Deserialize(id, login.Name, value);
        return new EidLoginPeek(summary with { NextPollAt = next }, state is not null, state is null ? null : state with { NextPollAt = next });
    }

    /// <inheritdoc />
    public Task SetNextPollAsync(string id, DateTimeOffset nextPollAt, CancellationToken cancellationToken)
    {
        var login = Keys(id);
        login.NextPollMs = MsCeiling(nextPollAt);
        return Bound(RedisScripts.SetNextRunner.EvaluateAsync(_database(), [login.Key], [MsCeiling(nextPollAt)]), cancellationToken);
    }

    /// <summary>The login ended or is gone: this instance keeps nothing of it.</summary>
    private void Forget(string id, LoginKeys login)
    {
        login.NextPollMs = 0;
        _logins.Remove(id);
        _codec.Forget(login.Name);
    }

    /// <inheritdoc />
    public Task UpdateAsync(EidLoginState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var retention = (long)Math.Max(1000, _options.CompletedLoginRetention.TotalMilliseconds);
        var login = Keys(state.Id);
        return Bound(RedisScripts.UpdateRunner.EvaluateAsync(_database(), [login.Key, login.Pending], [_codec.Serialize(state, login.Name, MsCeiling(state.NextPollAt)), (int)state.Status, retention, login.Member]), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<EidLoginState?> TryConsumeAsync(string id, CancellationToken cancellationToken)
    {
        var login = Keys(id);
        var result = await Bound(RedisScripts.ConsumeRunner.EvaluateAsync(_database(), [login.Key, login.Pending], [login.Member]), cancellationToken);
        var state = result.IsNull ? null : _codec.Deserialize(id, login.Name, (byte[]?)result);
        Forget(id, login);
        return state;
    }

    /// <inheritdoc />
    public async Task<EidPollRequest?> FailContestedAsync(string loginKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(loginKey);
        var name = RedisKeys.Login(_options.KeyPrefix, loginKey);
        var retention = (long)Math.Max(1000, _options.CompletedLoginRetention.TotalMilliseconds);
        var result = await Bound(RedisScripts.ContestRunner.EvaluateAsync(_database(), [name, RedisKeys.Pending(_options.KeyPrefix, loginKey)], [(int)EidFailureReason.Contested, retention, loginKey]), cancellationToken);
        _codec.Forget(name); // its next-poll hint, kept by id, stays: the scripts see the header and decide
        // Failed all the same when its state cannot be read; only its request upstream cannot be withdrawn from here.
        return (byte[]?)result is { } value && LoginHeader.Parse(value) is { } header ? RequestOf(value, header) : null;
    }

    /// <inheritdoc />
    public async Task<EidPollRequest?> PendingRequestAsync(string loginKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(loginKey);
        var value = (byte[]?)await Bound(_database().StringGetAsync(RedisKeys.Login(_options.KeyPrefix, loginKey)), cancellationToken);
        return value is not null && LoginHeader.Parse(value) is { Summary.Status: EidLoginStatus.Pending } header ? RequestOf(value, header) : null;
    }

    /// <summary>What polling or withdrawing a stored login upstream needs; null when its state cannot be read.</summary>
    private EidPollRequest? RequestOf(byte[] value, (EidLoginSummary Summary, int BodyStart) header)
    {
        try
        {
            var stored = _codec.Unprotect(value.AsSpan(header.BodyStart).ToArray());
            return stored is null ? null : new EidPollRequest(stored.Method, stored.Reference) { PollInterval = TimeSpan.FromMilliseconds(stored.PollIntervalMs) };
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        var db = _database();
        var login = Keys(id);
        Forget(id, login);
        await Bound(Task.WhenAll(db.KeyDeleteAsync(login.Key), db.SortedSetRemoveAsync(login.Pending, login.Member)), cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Sums the 64 shards of the pending index, all sent at once (pipelined, on a cluster to every primary
    /// that holds one), after dropping the entries of logins that expired without ending. The metrics gauge calls it at
    /// most every few seconds per instance, never a login.</remarks>
    public async Task<long> CountPendingAsync(CancellationToken cancellationToken)
    {
        var db = _database();
        var now = Ms(_time.GetUtcNow());
        var counts = new Task<long>[_pendingShards.Length];
        for (var i = 0; i < counts.Length; i++)
        {
            _ = db.SortedSetRemoveRangeByScoreAsync(_pendingShards[i], double.NegativeInfinity, now, Exclude.Stop, CommandFlags.FireAndForget);
            counts[i] = db.SortedSetLengthAsync(_pendingShards[i]);
        }

        return (await Bound(Task.WhenAll(counts), cancellationToken)).Sum();
    }

    /// <summary>Checks that Redis answers (for health checks).</summary>
    public Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default) => Bound(_database().PingAsync(), cancellationToken);

    /// <summary>The login's key and its member in the pending index (a hash of the id, never the id itself), with this
    /// instance's hint of its next poll time: one lookup, the hash computed once per id.</summary>
    private LoginKeys Keys(string id)
        => _logins.GetOrAdd(id, static (id, prefix) => new LoginKeys(prefix, EidLoginId.KeyOf(id)), _options.KeyPrefix);

    private sealed class LoginKeys(string prefix, string member)
    {
        private long _nextPollMs;

        public string Name { get; } = RedisKeys.Login(prefix, member);

        public RedisKey Key => Name;

        /// <summary>The pending-index shard it is listed in (the same hash slot as its key).</summary>
        public RedisKey Pending { get; } = RedisKeys.Pending(prefix, member);

        public string Member { get; } = member;

        /// <summary>Unix milliseconds of the next poll as this instance last heard it; 0 when unknown.</summary>
        public long NextPollMs
        {
            get => Volatile.Read(ref _nextPollMs);
            set => Volatile.Write(ref _nextPollMs, value);
        }
    }

    private Task<T> Bound<T>(Task<T> call, CancellationToken cancellationToken) => RedisTimeouts.Bound(call, _options, cancellationToken);

    private Task Bound(Task call, CancellationToken cancellationToken) => RedisTimeouts.Bound(call, _options, cancellationToken);

    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    /// <summary>Next-poll times round up, so a lease never frees itself a fraction of a millisecond early.</summary>
    private static long MsCeiling(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
}
