using IcelandicEid.AspNetCore.Flow;
using IcelandicEid.AspNetCore.State;
using IcelandicEid.Redis;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using IcelandicEid.State;
using IcelandicEid.AspNetCore.Stores;

namespace IcelandicEid.Tests.Stores;

/// <summary>What every <see cref="IEidLoginStore"/> must do; run against each implementation.</summary>
public abstract class StoreContractTests
{
    protected FakeTimeProvider Time { get; } = new();

    protected abstract IEidLoginStore Store { get; }

    /// <summary>Whether concurrent callers are guaranteed one winner (not for IDistributedCache).</summary>
    protected virtual bool IsAtomic => true;

    /// <summary>Whether creating an existing id throws.</summary>
    protected virtual bool DetectsDuplicateIds => true;

    protected EidLoginState NewState(string? id = null) => new()
    {
        Id = id ?? Guid.NewGuid().ToString("N"),
        Provider = "Simulator",
        Method = EidMethod.Sim,
        Identifier = "8881234",
        Reference = "ref",
        PollInterval = TimeSpan.FromSeconds(3),
        CreatedAt = Time.GetUtcNow(),
        ExpiresAt = Time.GetUtcNow().AddSeconds(180),
        NextPollAt = Time.GetUtcNow(),
        Properties = "AQID",
    };

    [SkippableFact]
    public async Task A_created_login_reads_back_whole()
    {
        var state = NewState() with
        {
            VerificationCode = "🐑🐴🐟🐳",
            Person = new EidPerson { Name = "Jón", NationalId = "2410803079", Meta = new Dictionary<string, string> { ["FamilyNumber"] = "1" } },
        };
        await Store.CreateAsync(state, default);
        var read = await Store.GetAsync(state.Id, default);
        Assert.NotNull(read);
        Assert.Equal(state.VerificationCode, read.VerificationCode);
        Assert.Equal(state.ExpiresAt, read.ExpiresAt);
        Assert.Equal(state.PollInterval, read.PollInterval);
        Assert.Equal("1", read.Person!.Meta["FamilyNumber"]);
        Assert.Null(await Store.GetAsync("unknown", default));
    }

    [SkippableFact]
    public async Task State_is_gone_once_expired()
    {
        var state = NewState();
        await Store.CreateAsync(state, default);
        Time.Advance(TimeSpan.FromSeconds(179));
        Assert.NotNull(await Store.GetAsync(state.Id, default));
        Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await Store.GetAsync(state.Id, default));
    }

    [SkippableFact]
    public async Task Only_one_caller_may_poll_per_interval()
    {
        var state = NewState();
        await Store.CreateAsync(state, default);
        var now = Time.GetUtcNow();
        if (IsAtomic)
        {
            var wins = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => Store.TryBeginPollAsync(state.Id, now, now.AddSeconds(3), default))));
            Assert.Equal(1, wins.Count(w => w));
        }
        else
        {
            Assert.True(await Store.TryBeginPollAsync(state.Id, now, now.AddSeconds(3), default));
        }

        Assert.False(await Store.TryBeginPollAsync(state.Id, now.AddSeconds(2), now.AddSeconds(5), default));
        Assert.True(await Store.TryBeginPollAsync(state.Id, now.AddSeconds(3), now.AddSeconds(6), default));
        Assert.Equal(now.AddSeconds(6), (await Store.GetAsync(state.Id, default))!.NextPollAt);
    }

    [SkippableFact]
    public async Task The_poller_sets_the_next_poll_time_when_it_is_done()
    {
        var state = NewState();
        await Store.CreateAsync(state, default);
        var now = Time.GetUtcNow();
        Assert.True(await Store.TryBeginPollAsync(state.Id, now, now.AddSeconds(60), default));
        await Store.UpdateAsync(state with { NextPollAt = now.AddSeconds(4) }, default);
        Assert.Equal(now.AddSeconds(4), (await Store.GetAsync(state.Id, default))!.NextPollAt);
    }

    [SkippableFact]
    public async Task Only_the_next_poll_time_moves_after_a_quiet_poll_and_never_on_a_completed_login()
    {
        var state = NewState();
        await Store.CreateAsync(state, default);
        var next = Time.GetUtcNow().AddSeconds(7);
        await Store.SetNextPollAsync(state.Id, next, default);
        var read = (await Store.GetAsync(state.Id, default))!;
        Assert.Equal(next, read.NextPollAt);
        Assert.Equal(state.Reference, read.Reference);

        await Store.UpdateAsync(state with { Status = EidLoginStatus.Failed, FailureReason = EidFailureReason.Cancelled }, default);
        await Store.SetNextPollAsync(state.Id, next.AddSeconds(30), default);
        Assert.Equal(EidLoginStatus.Failed, (await Store.GetAsync(state.Id, default))!.Status);
    }

    [SkippableFact]
    public async Task Completion_is_single_use()
    {
        var state = NewState();
        await Store.CreateAsync(state, default);
        Assert.Null(await Store.TryConsumeAsync(state.Id, default)); // pending: not consumable
        Assert.NotNull(await Store.GetAsync(state.Id, default));

        await Store.UpdateAsync(state with { Status = EidLoginStatus.Succeeded, Person = new EidPerson { Name = "Jón", NationalId = "2410803079" } }, default);
        if (IsAtomic)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => Store.TryConsumeAsync(state.Id, default))));
            Assert.Equal("Jón", Assert.Single(results, r => r is not null)!.Person!.Name);
        }
        else
        {
            Assert.NotNull(await Store.TryConsumeAsync(state.Id, default));
        }

        Assert.Null(await Store.TryConsumeAsync(state.Id, default));
        Assert.Null(await Store.GetAsync(state.Id, default));
    }

    [SkippableFact]
    public async Task A_completed_login_stays_completed_and_a_removed_one_stays_removed()
    {
        var state = NewState();
        await Store.CreateAsync(state, default);
        await Store.UpdateAsync(state with { Status = EidLoginStatus.Failed, FailureReason = EidFailureReason.Cancelled }, default);
        await Store.UpdateAsync(state with { Status = EidLoginStatus.Succeeded }, default);
        Assert.Equal(EidLoginStatus.Failed, (await Store.GetAsync(state.Id, default))!.Status);
        Assert.False(await Store.TryBeginPollAsync(state.Id, Time.GetUtcNow().AddMinutes(1), Time.GetUtcNow().AddMinutes(2), default));

        await Store.RemoveAsync(state.Id, default);
        await Store.UpdateAsync(state, default);
        Assert.Null(await Store.GetAsync(state.Id, default));
    }

    [SkippableFact]
    public async Task Creating_the_same_id_twice_is_refused()
    {
        var state = NewState();
        await Store.CreateAsync(state, default);
        if (DetectsDuplicateIds)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => Store.CreateAsync(state, default));
        }
    }
}

public sealed class InMemoryStoreContractTests : StoreContractTests
{
    private readonly InMemoryEidLoginStore _store;

    public InMemoryStoreContractTests() => _store = new InMemoryEidLoginStore(Time);

    protected override IEidLoginStore Store => _store;

    [SkippableFact]
    public async Task Expired_entries_are_swept_on_later_writes()
    {
        for (var i = 0; i < 100; i++)
        {
            await _store.CreateAsync(NewState(), default);
        }

        Time.Advance(TimeSpan.FromMinutes(5));
        await _store.CreateAsync(NewState(), default);
        Assert.Equal(1, _store.Count);
        Assert.Equal(1, await _store.CountPendingAsync(default));
    }
}

public sealed class DistributedCacheStoreContractTests : StoreContractTests
{
    private readonly DistributedCacheEidLoginStore _store;

    public DistributedCacheStoreContractTests()
        => _store = new DistributedCacheEidLoginStore(
            new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions())),
            new EphemeralDataProtectionProvider(),
            Time);

    protected override IEidLoginStore Store => _store;

    protected override bool IsAtomic => false;

    protected override bool DetectsDuplicateIds => false; // IDistributedCache cannot tell
}

/// <summary>The store contract, and what only the Redis store promises, on one Redis server or on a cluster.</summary>
public abstract class RedisStoreContractTestsBase : StoreContractTests, IDisposable
{
    protected IcelandicEidRedisOptions Options { get; } = new() { KeyPrefix = "contract-" + Guid.NewGuid().ToString("N")[..8] + ":" };
    private readonly IDataProtectionProvider _protection = new EphemeralDataProtectionProvider();
    private ConnectionMultiplexer? _redis;
    private RedisEidLoginStore? _store;

    /// <summary>Where the Redis under test is; skips the test when it cannot run on this machine.</summary>
    protected abstract string Configuration { get; }

    protected ConnectionMultiplexer Redis => _redis ??= ConnectionMultiplexer.Connect(Configuration);

    private protected RedisEidLoginStore RedisStore => _store ??= new RedisEidLoginStore(Redis, _protection, Options, Time);

    protected override IEidLoginStore Store => RedisStore;

    public void Dispose()
    {
        _redis?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The keys matching a pattern on every primary (one server, or each of a cluster's).</summary>
    protected IEnumerable<RedisKey> Keys(string pattern) => Redis.GetServers().Where(s => !s.IsReplica).SelectMany(s => s.Keys(pattern: pattern));

    [SkippableFact]
    public async Task Nothing_personal_is_stored_in_clear_and_every_key_expires()
    {
        var state = NewState() with
        {
            Identifier = "2410803079",
            Person = new EidPerson { Name = "Jón Prófari Jónsson", NationalId = "2410803079", PhoneNumber = "8881234", Address = "Laugavegur 1" },
        };
        await RedisStore.CreateAsync(state, default);
        var keys = Keys(Options.KeyPrefix + "*").ToList();
        Assert.NotEmpty(keys);
        var db = Redis.GetDatabase();
        foreach (var key in keys)
        {
            Assert.DoesNotContain(state.Id, (string)key!, StringComparison.Ordinal);
            Assert.True(await db.KeyTimeToLiveAsync(key) is not null || key.ToString().Contains(":pending:{", StringComparison.Ordinal), "key without expiry: " + key.ToString());
            var type = await db.KeyTypeAsync(key);
            var dump = type == RedisType.String
                ? System.Text.Encoding.UTF8.GetString((byte[])(await db.StringGetAsync(key))!)
                : string.Join('|', (await db.SortedSetRangeByRankAsync(key)).Select(v => (string)v!));
            Assert.DoesNotContain("2410803079", dump, StringComparison.Ordinal);
            Assert.DoesNotContain("8881234", dump, StringComparison.Ordinal);
            Assert.DoesNotContain("Laugavegur", dump, StringComparison.Ordinal);
            Assert.DoesNotContain("Prófari", dump, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task A_completed_login_keeps_its_personal_data_only_briefly()
    {
        var state = NewState();
        await RedisStore.CreateAsync(state, default);
        await RedisStore.UpdateAsync(state with { Status = EidLoginStatus.Succeeded, Person = new EidPerson { Name = "Jón", NationalId = "2410803079" } }, default);
        var key = Keys(Options.KeyPrefix + "l:*").Single();
        var ttl = await Redis.GetDatabase().KeyTimeToLiveAsync(key);
        Assert.InRange(ttl!.Value, TimeSpan.FromSeconds(1), Options.CompletedLoginRetention);
    }

    [SkippableFact]
    public async Task A_poll_time_that_gains_a_digit_rewrites_the_header_and_keeps_the_expiry()
    {
        // The poll scripts overwrite the next-poll time in place when it keeps its width; 10^13 ms (in 2286) is where
        // it next gains a digit, and there the whole value is written again: it must read back the same, and expire.
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(9_999_999_990_000));
        var store = new RedisEidLoginStore(Redis, new EphemeralDataProtectionProvider(), Options, time);
        var now = time.GetUtcNow();
        var state = NewState() with { PollInterval = TimeSpan.FromSeconds(10), CreatedAt = now, ExpiresAt = now.AddSeconds(180), NextPollAt = now, VerificationCode = "🐑🐴🐟🐳" };
        await store.CreateAsync(state, default);

        var peek = await store.PeekAsync(state.Id, now, TimeSpan.FromMilliseconds(500), default);
        Assert.True(peek!.PollLease);
        var read = (await store.GetAsync(state.Id, default))!;
        Assert.Equal(now.AddSeconds(10.5), read.NextPollAt);
        Assert.Equal(10_000_000_000_500, read.NextPollAt.ToUnixTimeMilliseconds());
        Assert.Equal(state with { NextPollAt = read.NextPollAt }, read);
        Assert.False((await store.PeekAsync(state.Id, now.AddSeconds(10), TimeSpan.FromMilliseconds(500), default))!.PollLease);

        // Back to thirteen digits and on to fourteen through the other two scripts.
        await store.SetNextPollAsync(state.Id, now.AddSeconds(1), default);
        Assert.Equal(now.AddSeconds(1), (await store.GetAsync(state.Id, default))!.NextPollAt);
        Assert.True(await store.TryBeginPollAsync(state.Id, now.AddSeconds(1), now.AddSeconds(20), default));
        Assert.Equal(now.AddSeconds(20), (await store.GetAsync(state.Id, default))!.NextPollAt);

        var key = Keys(Options.KeyPrefix + "l:*").Single();
        var expiresIn = state.ExpiresAt - DateTimeOffset.UtcNow;
        Assert.InRange((await Redis.GetDatabase().KeyTimeToLiveAsync(key))!.Value, expiresIn - TimeSpan.FromMinutes(1), expiresIn + TimeSpan.FromSeconds(1)); // Redis counts in whole milliseconds, on its own clock
    }

    [SkippableFact]
    public async Task The_read_path_fetches_only_the_header_and_reads_a_longer_one_whole()
    {
        var now = Time.GetUtcNow();
        var usual = NewState() with { VerificationCode = "🐑🐴🐟🐳", NextPollAt = now.AddSeconds(3) };
        var longCode = NewState() with { VerificationCode = new string('7', 150), NextPollAt = now.AddSeconds(3) };
        await RedisStore.CreateAsync(usual, default);
        await RedisStore.CreateAsync(longCode, default);

        foreach (var state in new[] { usual, longCode })
        {
            var peek = await RedisStore.PeekAsync(state.Id, now, TimeSpan.FromMilliseconds(500), default);
            Assert.Equal((state.VerificationCode, EidLoginStatus.Pending, state.NextPollAt, false), (peek!.Summary.VerificationCode, peek.Summary.Status, peek.Summary.NextPollAt, peek.PollLease));

            // Due without this instance expecting it: the lease comes with the whole state.
            var due = await new RedisEidLoginStore(Redis, _protection, Options, Time).PeekAsync(state.Id, now.AddSeconds(3), TimeSpan.FromMilliseconds(500), default);
            Assert.True(due!.PollLease);
            Assert.Equal(state.Reference, due.State!.Reference);
            Assert.Equal(now.AddSeconds(6.5), (await RedisStore.GetAsync(state.Id, default))!.NextPollAt);
        }
    }

    [SkippableFact]
    public async Task A_contest_by_key_fails_a_pending_login_at_once_and_leaves_an_ended_one_alone()
    {
        var now = Time.GetUtcNow();
        var pending = NewState() with { NextPollAt = now.AddSeconds(3) };
        var approved = NewState() with { NextPollAt = now.AddSeconds(3) };
        await RedisStore.CreateAsync(pending, default);
        await RedisStore.CreateAsync(approved, default);
        await RedisStore.UpdateAsync(approved with { Status = EidLoginStatus.Succeeded, Person = new EidPerson { Name = "Jón", NationalId = "2410803079" } }, default);
        var store = (IEidContestedLogins)RedisStore;

        var request = await store.FailContestedAsync(EidLoginId.KeyOf(pending.Id), default);
        Assert.Equal(new EidPollRequest(pending.Method, pending.Reference) { PollInterval = pending.PollInterval }, request);
        Assert.Null(await store.FailContestedAsync(EidLoginId.KeyOf(pending.Id), default)); // once
        Assert.Null(await store.FailContestedAsync(EidLoginId.KeyOf(approved.Id), default)); // an ended login stays as it ended
        Assert.Null(await store.FailContestedAsync(EidLoginId.KeyOf(EidLoginId.New().Value), default));
        Assert.Equal(0, await RedisStore.CountPendingAsync(default));

        // Every instance, and every way of reading it, sees the failure; the protected state is never rewritten by it.
        var other = new RedisEidLoginStore(Redis, _protection, Options, Time);
        var peek = (await other.PeekAsync(pending.Id, now.AddSeconds(10), TimeSpan.FromMilliseconds(500), default))!;
        Assert.Equal((EidLoginStatus.Failed, EidFailureReason.Contested, false), (peek.Summary.Status, peek.Summary.FailureReason, peek.PollLease));
        Assert.Equal((EidLoginStatus.Failed, EidFailureReason.Contested), ((await other.GetAsync(pending.Id, default))!.Status, (await other.GetAsync(pending.Id, default))!.FailureReason));
        Assert.False(await other.TryBeginPollAsync(pending.Id, now.AddSeconds(10), now.AddSeconds(20), default));
        await other.UpdateAsync(pending with { Status = EidLoginStatus.Succeeded, Person = new EidPerson { Name = "Jón", NationalId = "2410803079" } }, default);
        var consumed = await other.TryConsumeAsync(pending.Id, default);
        Assert.Equal((EidLoginStatus.Failed, EidFailureReason.Contested, null), (consumed!.Status, consumed.FailureReason, consumed.Person));
        Assert.Equal(EidLoginStatus.Succeeded, (await RedisStore.GetAsync(approved.Id, default))!.Status);
    }

    [SkippableFact]
    public async Task A_contested_login_is_kept_only_as_long_as_an_ended_one()
    {
        var state = NewState() with { NextPollAt = Time.GetUtcNow().AddSeconds(3) };
        await RedisStore.CreateAsync(state, default);
        await ((IEidContestedLogins)RedisStore).FailContestedAsync(EidLoginId.KeyOf(state.Id), default);
        var key = Keys(Options.KeyPrefix + "l:*").Single();
        Assert.InRange((await Redis.GetDatabase().KeyTimeToLiveAsync(key))!.Value, TimeSpan.FromSeconds(1), Options.CompletedLoginRetention);
    }

    [SkippableTheory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("0:-1:0:3000:9999999999999::1234\n")]
    [InlineData("0:+1:0:3000:9999999999999::1234\n")]
    [InlineData("0: 1:0:3000:9999999999999::1234\n")]
    [InlineData("0:1:0:3000:9999999999999\n")]
    [InlineData("0:1:0:3000:99999999999999999999::1234\n")]
    [InlineData("0:1:0:3000:9999999999999:1234\n")]
    [InlineData("0:1::3000:9999999999999::1234\n")]
    public async Task A_malformed_header_reads_as_gone_never_as_an_error(string header)
    {
        // Whatever is found under a login's key (another writer, a restore, a truncated value): gone, not a 500.
        var state = NewState() with { NextPollAt = Time.GetUtcNow().AddSeconds(3) };
        await RedisStore.CreateAsync(state, default);
        var key = Keys(Options.KeyPrefix + "l:*").Single();
        await Redis.GetDatabase().StringSetAsync(key, header + "body", TimeSpan.FromMinutes(1));

        Assert.Null(await RedisStore.PeekAsync(state.Id, Time.GetUtcNow(), TimeSpan.FromMilliseconds(500), default));
        Assert.Null(await new RedisEidLoginStore(Redis, _protection, Options, Time).PeekAsync(state.Id, Time.GetUtcNow().AddSeconds(10), TimeSpan.FromMilliseconds(500), default));
        Assert.Null(await RedisStore.GetAsync(state.Id, default));
    }

    [SkippableFact]
    public async Task A_header_reads_back_field_by_field()
    {
        var now = Time.GetUtcNow();
        var state = NewState() with { VerificationCode = "12:34", NextPollAt = now.AddSeconds(3), PollInterval = TimeSpan.FromMilliseconds(1500), Method = EidMethod.App };
        await RedisStore.CreateAsync(state, default);
        var peek = (await new RedisEidLoginStore(Redis, _protection, Options, Time).PeekAsync(state.Id, now, TimeSpan.FromMilliseconds(500), default))!;
        Assert.Equal(
            new EidLoginSummary(EidLoginStatus.Pending, EidMethod.App, "1234", DateTimeOffset.FromUnixTimeMilliseconds(state.ExpiresAt.ToUnixTimeMilliseconds()), state.NextPollAt, state.PollInterval, null),
            peek.Summary);

        await RedisStore.UpdateAsync(state with { Status = EidLoginStatus.Failed, FailureReason = EidFailureReason.Contested }, default);
        var failed = (await new RedisEidLoginStore(Redis, _protection, Options, Time).PeekAsync(state.Id, now, TimeSpan.FromMilliseconds(500), default))!;
        Assert.Equal((EidLoginStatus.Failed, EidFailureReason.Contested), (failed.Summary.Status, failed.Summary.FailureReason));
    }

    [SkippableFact]
    public async Task Pending_logins_are_counted()
    {
        var a = NewState();
        var b = NewState();
        await RedisStore.CreateAsync(a, default);
        await RedisStore.CreateAsync(b, default);
        Assert.Equal(2, await RedisStore.CountPendingAsync(default));
        await RedisStore.UpdateAsync(a with { Status = EidLoginStatus.Failed }, default);
        Assert.Equal(1, await RedisStore.CountPendingAsync(default));
    }
}

public sealed class RedisStoreContractTests(RedisFixture fixture) : RedisStoreContractTestsBase, IClassFixture<RedisFixture>
{
    protected override string Configuration => fixture.Server.Configuration;
}

/// <summary>The same contract on a real three-primary Redis Cluster.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterStoreContractTests(RedisClusterFixture fixture) : RedisStoreContractTestsBase
{
    protected override string Configuration => fixture.Cluster.Configuration;

    [SkippableFact]
    public async Task A_logins_keys_share_a_slot_and_logins_spread_over_every_primary()
    {
        var states = Enumerable.Range(0, 200).Select(_ => NewState()).ToList();
        foreach (var state in states)
        {
            await RedisStore.CreateAsync(state, default);
        }

        var primaries = Redis.GetServers().Where(s => !s.IsReplica).ToList();
        Assert.Equal(3, primaries.Count);
        foreach (var server in primaries)
        {
            Assert.NotEmpty(server.Keys(pattern: Options.KeyPrefix + "l:*"));
        }

        foreach (var state in states.Take(20))
        {
            var key = Keys(Options.KeyPrefix + "l:{*}" + EidLoginId.KeyOf(state.Id)).Single();
            var shard = Keys(Options.KeyPrefix + "pending:{" + EidLoginId.KeyOf(state.Id)[0] + "}").Single();
            Assert.Equal(Redis.HashSlot(key), Redis.HashSlot(shard));
        }

        Assert.Equal(200, await RedisStore.CountPendingAsync(default));
    }
}
