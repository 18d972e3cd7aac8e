using System.Net;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace IcelandicEid.Tests.Integration;

/// <summary>The sample with <c>Sample:Store=DistributedCache</c>: pending logins in the app's own
/// <c>IDistributedCache</c> on a real Redis (Microsoft.Extensions.Caching.StackExchangeRedis).</summary>
public sealed class SampleDistributedCacheTests
{
    [Fact]
    public async Task A_login_goes_through_the_apps_distributed_cache_on_Redis()
    {
        await using var redis = await RedisServer.StartAsync();
        var time = new FakeTimeProvider();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("IcelandicEid:AllowPlainHttp", "true");
            builder.UseSetting("ConnectionStrings:Redis", redis.Configuration);
            builder.UseSetting("Sample:Store", "DistributedCache");
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(time));
        });
        var handler = new CookieHandler(factory.Server.CreateHandler());
        using var browser = new TestBrowser(new HttpClient(handler) { BaseAddress = new Uri("http://localhost") }, handler);

        Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(await browser.OpenLoginAsync("/profile"), "sim", "888 1234")).StatusCode);
        var keys = await redis.CommandAsync("KEYS", "icelandic-eid-sample:*");
        Assert.Contains("icelandic-eid-sample:", keys, StringComparison.Ordinal); // the pending login is in Redis

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("succeeded", (await browser.StatusAsync()).Json.GetProperty("status").GetString());
        Assert.Equal("/profile", (await browser.FinishAsync()).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/profile")).StatusCode);
    }
}
