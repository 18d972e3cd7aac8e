using IcelandicEid.AspNetCore.State;
using IcelandicEid.Redis;
using IcelandicEid.Tests.Infrastructure;
using StackExchange.Redis;
using IcelandicEid.State;

namespace IcelandicEid.Tests.Stores;

/// <summary>What every <see cref="IEidAbuseLimiter"/> must do; run against each implementation, on one Redis server and
/// on a cluster.</summary>
public abstract class LimiterContractTests
{
    protected abstract IEidAbuseLimiter Limiter { get; }

    /// <summary>Lets time pass for the limiter (its own clock: a fake one, or Redis's).</summary>
    protected abstract Task PassAsync(TimeSpan time);

    private static string NewKey() => "t:" + Guid.NewGuid().ToString("N");

    [SkippableFact]
    public async Task A_counter_counts_in_a_fixed_window_and_starts_again_after_it()
    {
        var key = NewKey();
        var window = TimeSpan.FromMilliseconds(600);
        var first = await Limiter.HitAsync(key, window, default);
        Assert.Equal(1, first.Count);
        Assert.InRange(first.ResetsIn, TimeSpan.FromMilliseconds(1), window);
        Assert.Equal(2, (await Limiter.HitAsync(key, window, default)).Count);
        Assert.Equal(1, (await Limiter.HitAsync(NewKey(), window, default)).Count); // counters are apart

        await PassAsync(TimeSpan.FromMilliseconds(800));
        Assert.Equal(1, (await Limiter.HitAsync(key, window, default)).Count);
    }

    [SkippableFact]
    public async Task Many_hits_at_once_are_each_counted()
    {
        var key = NewKey();
        var limiter = Limiter;
        var counts = await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(() => limiter.HitAsync(key, TimeSpan.FromMinutes(1), default))));
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), counts.Select(c => c.Count).Order());
    }

    [SkippableFact]
    public async Task A_refund_takes_back_one_hit_and_never_goes_below_zero()
    {
        var key = NewKey();
        await Limiter.HitAsync(key, TimeSpan.FromMinutes(1), default);
        await Limiter.HitAsync(key, TimeSpan.FromMinutes(1), default);
        await Limiter.RefundAsync(key, default);
        Assert.Equal(2, (await Limiter.HitAsync(key, TimeSpan.FromMinutes(1), default)).Count);
        for (var i = 0; i < 5; i++)
        {
            await Limiter.RefundAsync(key, default);
        }

        await Limiter.RefundAsync(NewKey(), default); // nothing to take back
        Assert.Equal(1, (await Limiter.HitAsync(key, TimeSpan.FromMinutes(1), default)).Count);
    }

    [SkippableFact]
    public async Task A_lock_has_one_holder_until_released_or_expired()
    {
        var key = NewKey();
        Assert.Null(await Limiter.TryLockAsync(key, "a", TimeSpan.FromMilliseconds(600), default));
        Assert.Null(await Limiter.TryLockAsync(key, "a", TimeSpan.FromMilliseconds(600), default)); // already ours
        var held = await Limiter.TryLockAsync(key, "b", TimeSpan.FromMinutes(1), default);
        Assert.Equal("a", held!.Value);
        Assert.InRange(held.TimeToLive, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(600));

        await Limiter.ReleaseAsync(key, "b", default); // not b's to release
        Assert.Equal("a", (await Limiter.GetAsync(key, default))!.Value);
        await Limiter.ReleaseAsync(key, "a", default);
        Assert.Null(await Limiter.GetAsync(key, default));

        Assert.Null(await Limiter.TryLockAsync(key, "b", TimeSpan.FromMilliseconds(600), default));
        await PassAsync(TimeSpan.FromMilliseconds(800));
        Assert.Null(await Limiter.GetAsync(key, default));
        Assert.Null(await Limiter.TryLockAsync(key, "c", TimeSpan.FromMinutes(1), default));
    }

    [SkippableFact]
    public async Task Only_one_of_many_at_once_takes_a_lock()
    {
        var key = NewKey();
        var limiter = Limiter;
        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(() => limiter.TryLockAsync(key, "owner-" + i, TimeSpan.FromMinutes(1), default))));
        Assert.Single(results, r => r is null);
        var holder = (await Limiter.GetAsync(key, default))!.Value;
        Assert.All(results.Where(r => r is not null), r => Assert.Equal(holder, r!.Value));
    }

    [SkippableFact]
    public async Task Replace_is_compare_and_set_and_swap_returns_what_was_there()
    {
        var key = NewKey();
        Assert.False(await Limiter.ReplaceAsync(key, "a", "b", TimeSpan.FromMinutes(1), default)); // nothing there
        await Limiter.TryLockAsync(key, "a", TimeSpan.FromMinutes(1), default);
        Assert.False(await Limiter.ReplaceAsync(key, "x", "b", TimeSpan.FromMinutes(1), default));
        Assert.True(await Limiter.ReplaceAsync(key, "a", "b", TimeSpan.FromMinutes(2), default));
        var read = (await Limiter.GetAsync(key, default))!;
        Assert.Equal("b", read.Value);
        Assert.InRange(read.TimeToLive, TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(2));

        var swapped = (await Limiter.SwapAsync(key, "c", TimeSpan.FromMinutes(3), default))!;
        Assert.Equal("b", swapped.Value);
        Assert.InRange(swapped.TimeToLive, TimeSpan.FromSeconds(60), TimeSpan.FromMinutes(2));
        Assert.Equal("c", (await Limiter.GetAsync(key, default))!.Value);
        Assert.Null(await Limiter.SwapAsync(NewKey(), "d", TimeSpan.FromMinutes(1), default));
    }

    [SkippableFact]
    public async Task The_hash_key_is_long_and_stays_the_same()
    {
        var key = await Limiter.GetHashKeyAsync(default);
        Assert.True(key.Length >= 32);
        Assert.Equal(key, await Limiter.GetHashKeyAsync(default));
    }
}

public sealed class InMemoryLimiterContractTests : LimiterContractTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly InMemoryEidAbuseLimiter _limiter;

    public InMemoryLimiterContractTests() => _limiter = new InMemoryEidAbuseLimiter(_time);

    protected override IEidAbuseLimiter Limiter => _limiter;

    protected override Task PassAsync(TimeSpan time)
    {
        _time.Advance(time);
        return Task.CompletedTask;
    }
}

/// <summary>The limiter contract on Redis: its windows and locks run on Redis's own clock, so time passes for real.</summary>
public abstract class RedisLimiterContractTestsBase : LimiterContractTests, IDisposable
{
    private readonly Lazy<(ConnectionMultiplexer Redis, RedisEidAbuseLimiter Limiter)> _connection;

    protected RedisLimiterContractTestsBase() => _connection = new(() =>
    {
        var redis = ConnectionMultiplexer.Connect(Configuration);
        return (redis, new RedisEidAbuseLimiter(redis, new IcelandicEidRedisOptions { KeyPrefix = "limiter-" + Guid.NewGuid().ToString("N")[..8] + ":" }));
    });

    protected abstract string Configuration { get; }

    protected override IEidAbuseLimiter Limiter => _connection.Value.Limiter;

    protected override Task PassAsync(TimeSpan time) => Task.Delay(time);

    public void Dispose()
    {
        if (_connection.IsValueCreated)
        {
            _connection.Value.Redis.Dispose();
        }

        GC.SuppressFinalize(this);
    }
}

public sealed class RedisLimiterContractTests(RedisFixture fixture) : RedisLimiterContractTestsBase, IClassFixture<RedisFixture>
{
    protected override string Configuration => fixture.Server.Configuration;
}

[Collection(RedisClusterCollection.Name)]
public sealed class RedisClusterLimiterContractTests(RedisClusterFixture fixture) : RedisLimiterContractTestsBase
{
    protected override string Configuration => fixture.Cluster.Configuration;
}
