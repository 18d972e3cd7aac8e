using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace IcelandicEid.Tests.Stores;

/// <summary>The attacks on the contest rule against a real Redis store and limiter.</summary>
public sealed class ContestOnRedisTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    private async Task<(TestApp App, ConnectionMultiplexer Redis)> StartAsync(TimeSpan approvalDelay)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(redis.Server.Configuration);
        var prefix = "contest-" + Guid.NewGuid().ToString("N")[..8] + ":";
        var app = await TestApp.StartAsync(
            o => o.Simulator.ApprovalDelay = approvalDelay,
            services: s =>
            {
                s.AddDataProtection().SetApplicationName("contest-on-redis-tests");
                s.AddAuthentication().AddIcelandicEidRedis(connection, r =>
                {
                    r.KeyPrefix = prefix;
                    r.PersistDataProtectionKeys = true;
                });
            });
        return (app, connection);
    }

    [Theory]
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

    [Theory]
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
}
