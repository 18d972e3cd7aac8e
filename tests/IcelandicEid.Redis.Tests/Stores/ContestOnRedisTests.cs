using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace IcelandicEid.Tests.Stores;

/// <summary>The attacks on the contest rule against a real Redis store and limiter (one server, or a cluster).</summary>
public abstract class ContestOnRedisTestsBase
{
    private string _prefix = string.Empty;

    /// <summary>Where the Redis under test is; skips the test when it cannot run on this machine.</summary>
    protected abstract string Configuration { get; }

    private async Task<(TestApp App, ConnectionMultiplexer Redis)> StartAsync(TimeSpan approvalDelay)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(Configuration);
        var prefix = _prefix = "contest-" + Guid.NewGuid().ToString("N")[..8] + ":";
        var app = await TestApp.StartAsync(
            o => o.Simulator.ApprovalDelay = approvalDelay,
            services: s =>
            {
                s.AddDataProtection().SetApplicationName("contest-on-redis-tests");
                s.AddIcelandicEidRedis(connection, r =>
                {
                    r.KeyPrefix = prefix;
                    r.PersistDataProtectionKeys = true;
                });
            });
        return (app, connection);
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_copied_browser_cookie_never_joins_the_persons_login(bool https)
    {
        var (app, connection) = await StartAsync(TimeSpan.FromSeconds(3));
        await using (app)
        using (connection)
        {
            await ContestScenarios.CopiedBrowserCookieNeverJoinsAsync(app, https);
        }
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_planted_browser_cookie_never_joins_the_person_to_the_attackers_login(bool https)
    {
        var (app, connection) = await StartAsync(TimeSpan.FromSeconds(60));
        await using (app)
        using (connection)
        {
            await ContestScenarios.PlantedBrowserCookieNeverJoinsAsync(app, https);
        }
    }

    [SkippableFact]
    public async Task A_login_approved_upstream_but_not_yet_seen_here_is_spared_by_a_later_start()
    {
        var (app, connection) = await StartAsync(TimeSpan.FromSeconds(3));
        await using (app)
        using (connection)
        {
            await ContestScenarios.ApprovedButUnseenLoginIsSparedAsync(app);
        }
    }

    /// <summary>Deletes the contest markers, as a loss of Redis's data (or an eviction) would.</summary>
    private async Task<int> DeleteMarkersAsync(ConnectionMultiplexer connection)
    {
        var deleted = 0;
        foreach (var key in connection.GetServers().Where(s => !s.IsReplica).SelectMany(s => s.Keys(pattern: _prefix + "k:g:*")).ToArray())
        {
            deleted += await connection.GetDatabase().KeyDeleteAsync(key) ? 1 : 0;
        }

        return deleted;
    }

    [SkippableFact]
    public async Task A_lost_contest_marker_does_not_fail_a_lone_login_with_the_another_browser_text()
    {
        var (app, connection) = await StartAsync(TimeSpan.FromSeconds(3));
        await using (app)
        using (connection)
        {
            using var person = app.NewBrowser();
            await person.SubmitAsync(await person.OpenLoginAsync(), "sim", "8881234");
            Assert.Equal(1, await DeleteMarkersAsync(connection));

            // Nobody has started since: the login is still its number's current one, and signs in.
            app.Time.Advance(TimeSpan.FromSeconds(4));
            Assert.Equal("succeeded", (await person.StatusAsync()).Json.GetProperty("status").GetString());
            Assert.Equal("/profile", (await person.FinishAsync()).Headers.Location!.OriginalString);
            Assert.DoesNotContain(app.Logs.Entries, e => e.Id.Name == "LoginSuperseded");
        }
    }

    [SkippableFact]
    public async Task A_lost_contest_marker_does_not_let_a_contested_login_sign_in()
    {
        var (app, connection) = await StartAsync(TimeSpan.FromSeconds(8));
        await using (app)
        using (connection)
        {
            using var attacker = app.NewBrowser();
            using var person = app.NewBrowser();
            await attacker.SubmitAsync(await attacker.OpenLoginAsync(), "sim", "8881234");
            app.Time.Advance(TimeSpan.FromSeconds(2));
            await person.SubmitAsync(await person.OpenLoginAsync(), "sim", "8881234");
            Assert.Equal(1, await DeleteMarkersAsync(connection));

            // The simulator approves both. The contested one was failed in the store by the start that contested it.
            app.Time.Advance(TimeSpan.FromSeconds(9));
            Assert.Equal("contested", (await attacker.StatusAsync()).Json.GetProperty("reason").GetString());
            await attacker.FinishAsync();
            Assert.NotEqual(System.Net.HttpStatusCode.OK, (await attacker.GetAsync("/profile")).StatusCode);
            Assert.Equal("/profile", (await person.FinishAsync()).Headers.Location!.OriginalString);
        }
    }
}

public sealed class ContestOnRedisTests(RedisFixture redis) : ContestOnRedisTestsBase, IClassFixture<RedisFixture>
{
    protected override string Configuration => redis.Server.Configuration;
}

[Collection(RedisClusterCollection.Name)]
public sealed class ContestOnRedisClusterTests(RedisClusterFixture fixture) : ContestOnRedisTestsBase
{
    protected override string Configuration => fixture.Cluster.Configuration;
}
