using IcelandicEid.AspNetCore.State;
using IcelandicEid.Tests.Infrastructure;

namespace IcelandicEid.Tests.Unit;

public class InMemoryStoreTests
{
    private readonly FakeTimeProvider _time = new();

    private EidLoginState NewState(string id = "a") => new()
    {
        Id = id,
        Provider = "Simulator",
        Method = EidMethod.Sim,
        Identifier = "8881234",
        Reference = "ref",
        PollInterval = TimeSpan.FromSeconds(3),
        CreatedAt = _time.GetUtcNow(),
        ExpiresAt = _time.GetUtcNow().AddSeconds(180),
        NextPollAt = _time.GetUtcNow(),
    };

    [Fact]
    public async Task State_is_gone_once_expired()
    {
        var store = new InMemoryEidLoginStore(_time);
        await store.CreateAsync(NewState(), default);
        _time.Advance(TimeSpan.FromSeconds(179));
        Assert.NotNull(await store.GetAsync("a", default));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await store.GetAsync("a", default));
        Assert.False(await store.TryBeginPollAsync("a", _time.GetUtcNow(), _time.GetUtcNow().AddSeconds(3), default));
    }

    [Fact]
    public async Task Expired_entries_are_swept_on_later_writes()
    {
        var store = new InMemoryEidLoginStore(_time);
        for (var i = 0; i < 100; i++)
        {
            await store.CreateAsync(NewState("x" + i), default);
        }

        _time.Advance(TimeSpan.FromMinutes(5));
        await store.CreateAsync(NewState("fresh"), default);
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public async Task Only_one_caller_may_poll_per_interval()
    {
        var store = new InMemoryEidLoginStore(_time);
        await store.CreateAsync(NewState(), default);
        var now = _time.GetUtcNow();
        var wins = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => store.TryBeginPollAsync("a", now, now.AddSeconds(3), default))));
        Assert.Equal(1, wins.Count(w => w));

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(await store.TryBeginPollAsync("a", _time.GetUtcNow(), _time.GetUtcNow().AddSeconds(3), default));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await store.TryBeginPollAsync("a", _time.GetUtcNow(), _time.GetUtcNow().AddSeconds(3), default));
    }

    [Fact]
    public async Task Completion_is_single_use()
    {
        var store = new InMemoryEidLoginStore(_time);
        var state = NewState();
        await store.CreateAsync(state, default);
        Assert.Null(await store.TryConsumeAsync("a", default)); // still pending: not consumable
        Assert.NotNull(await store.GetAsync("a", default));

        await store.UpdateAsync(state with { Status = EidLoginStatus.Succeeded }, default);
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => store.TryConsumeAsync("a", default))));
        Assert.Single(results, r => r is not null);
        Assert.Null(await store.GetAsync("a", default));
    }

    [Fact]
    public async Task A_completed_login_stays_completed_and_a_removed_one_stays_removed()
    {
        var store = new InMemoryEidLoginStore(_time);
        var state = NewState();
        await store.CreateAsync(state, default);
        await store.UpdateAsync(state with { Status = EidLoginStatus.Failed, FailureReason = EidFailureReason.Cancelled }, default);
        await store.UpdateAsync(state with { Status = EidLoginStatus.Succeeded }, default);
        Assert.Equal(EidLoginStatus.Failed, (await store.GetAsync("a", default))!.Status);

        await store.RemoveAsync("a", default);
        await store.UpdateAsync(state, default);
        Assert.Null(await store.GetAsync("a", default));
    }

    [Fact]
    public async Task The_poller_sets_the_next_poll_time_when_it_is_done()
    {
        var store = new InMemoryEidLoginStore(_time);
        var state = NewState();
        await store.CreateAsync(state, default);
        var now = _time.GetUtcNow();
        Assert.True(await store.TryBeginPollAsync("a", now, now.AddSeconds(60), default));
        Assert.False(await store.TryBeginPollAsync("a", now.AddSeconds(10), now.AddSeconds(70), default));
        await store.UpdateAsync(state with { NextPollAt = now.AddSeconds(4) }, default);
        Assert.Equal(now.AddSeconds(4), (await store.GetAsync("a", default))!.NextPollAt);
        Assert.True(await store.TryBeginPollAsync("a", now.AddSeconds(4), now.AddSeconds(64), default));
    }
}
