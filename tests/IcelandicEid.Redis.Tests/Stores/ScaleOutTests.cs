using System.Net;
using IcelandicEid.Simulation;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace IcelandicEid.Tests.Stores;

/// <summary>Three app instances sharing one real Redis (one server, or a cluster): one login, whichever instance each
/// request lands on.</summary>
public abstract class ScaleOutTestsBase
{
    /// <summary>Where the Redis under test is; skips the test when it cannot run on this machine.</summary>
    protected abstract string Configuration { get; }

    protected sealed class Instances : IAsyncDisposable
    {
        public required TestApp[] Apps { get; init; }

        public required FakeTimeProvider Time { get; init; }

        public required CountingProvider Upstream { get; init; }

        public required ConnectionMultiplexer Redis { get; init; }

        public required string Prefix { get; init; }

        public (TestBrowser Browser, RoutingHandler Router) NewBrowser()
        {
            var router = new RoutingHandler(Apps.Select(a => a.App.GetTestServer().CreateHandler()).ToArray());
            var cookies = new CookieHandler(router);
            return (new TestBrowser(new HttpClient(cookies) { BaseAddress = new Uri("http://localhost") }, cookies), router);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var app in Apps)
            {
                await app.DisposeAsync();
            }

            Redis.Dispose();
        }
    }

    protected async Task<Instances> StartInstancesAsync(int instances = 3, TimeSpan? approvalDelay = null)
    {
        var time = new FakeTimeProvider();
        var upstream = new CountingProvider(new SimulatorProvider(
            new SimulatorOptions { ApprovalDelay = approvalDelay ?? TimeSpan.FromSeconds(3), PollInterval = TimeSpan.FromSeconds(1) }, time))
        {
            Clock = time,
        };
        var redis = await ConnectionMultiplexer.ConnectAsync(Configuration);
        var prefix = "cluster-" + Guid.NewGuid().ToString("N")[..8] + ":";
        var apps = new TestApp[instances];
        for (var i = 0; i < instances; i++)
        {
            apps[i] = await TestApp.StartAsync(
                o => o.ProviderInstance = upstream,
                services: s =>
                {
                    s.AddDataProtection().SetApplicationName("scale-out-tests");
                    s.AddIcelandicEidRedis(redis, r =>
                    {
                        r.KeyPrefix = prefix;
                        r.PersistDataProtectionKeys = true;
                    });
                },
                time: time);
        }

        return new Instances { Apps = apps, Time = time, Upstream = upstream, Redis = redis, Prefix = prefix };
    }

    [SkippableFact]
    public async Task A_login_started_on_one_instance_is_polled_on_another_and_finished_on_a_third()
    {
        await using var site = await StartInstancesAsync();
        var (browser, router) = site.NewBrowser();
        using (browser)
        {
            router.Target = 0;
            var form = await browser.OpenLoginAsync();
            Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(form, "sim", "8881234")).StatusCode);

            router.Target = 1;
            Assert.Equal("pending", (await browser.StatusAsync()).Json.GetProperty("status").GetString());
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/icelandic-eid/verify")).StatusCode);
            site.Time.Advance(TimeSpan.FromSeconds(4));
            Assert.Equal("succeeded", (await browser.StatusAsync()).Json.GetProperty("status").GetString());

            router.Target = 2;
            var finish = await browser.FinishAsync();
            Assert.Equal("/profile", finish.Headers.Location!.OriginalString);

            // The sign-in cookie issued by the third instance is accepted by every instance.
            for (var i = 0; i < 3; i++)
            {
                router.Target = i;
                var claims = await TestLogins.ProfileAsync(browser);
                Assert.Contains(claims, c => c.Type == System.Security.Claims.ClaimTypes.Name && c.Value == "Jón Prófari Jónsson");
            }

            // And the login cannot be finished again on any instance.
            router.Target = 0;
            // (A signed-in person going back to it goes on to where they were going: no failure, no second sign-in.)
            var again = await browser.FinishAsync();
            Assert.Equal(HttpStatusCode.SeeOther, again.StatusCode);
            Assert.False(again.Headers.TryGetValues("Set-Cookie", out var set) && set.Any(c => c.StartsWith(".AspNetCore.Cookies=", StringComparison.Ordinal) && !c.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)));
        }
    }

    [SkippableFact]
    public async Task Many_tabs_on_many_instances_poll_the_upstream_at_most_once_per_interval()
    {
        await using var site = await StartInstancesAsync(approvalDelay: TimeSpan.FromSeconds(8));
        var tabs = new List<(TestBrowser Browser, RoutingHandler Router)>();
        var (first, firstRouter) = site.NewBrowser();
        firstRouter.Target = 0;
        await first.SubmitAsync(await first.OpenLoginAsync(), "app", "1203894569");
        var cookie = first.Cookie(IcelandicEid.AspNetCore.IcelandicEidDefaults.LoginCookieName)!;
        for (var i = 0; i < 9; i++)
        {
            var tab = site.NewBrowser();
            tab.Router.Target = i % 3; // three tabs on each of three instances
            tab.Browser.SetCookie(IcelandicEid.AspNetCore.IcelandicEidDefaults.LoginCookieName, cookie);
            tabs.Add(tab);
        }

        var done = false;
        var elapsed = TimeSpan.Zero;
        while (!done && elapsed < TimeSpan.FromSeconds(20))
        {
            var answers = await Task.WhenAll(tabs.Select(t => t.Browser.StatusAsync()));
            done = answers.All(a => a.Json.GetProperty("status").GetString() == "succeeded");
            site.Time.Advance(TimeSpan.FromMilliseconds(250));
            elapsed += TimeSpan.FromMilliseconds(250);
        }

        Assert.True(done);
        var ideal = (int)Math.Ceiling(8 / 1.0) + 1;
        Assert.InRange(site.Upstream.Polls, 1, ideal);
        var times = site.Upstream.PollTimes;
        for (var i = 1; i < times.Count; i++)
        {
            Assert.True(times[i] - times[i - 1] >= TimeSpan.FromSeconds(1), $"two polls {times[i] - times[i - 1]} apart");
        }

        foreach (var tab in tabs)
        {
            tab.Browser.Dispose();
        }

        first.Dispose();
    }

    [SkippableFact]
    public async Task The_contest_rule_holds_across_instances()
    {
        await using var site = await StartInstancesAsync(approvalDelay: TimeSpan.FromSeconds(10));
        var (a, routerA) = site.NewBrowser();
        var (b, routerB) = site.NewBrowser();
        routerA.Target = 0;
        routerB.Target = 1;
        Assert.Equal(HttpStatusCode.SeeOther, (await a.SubmitAsync(await a.OpenLoginAsync(), "sim", "8881234")).StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await b.SubmitAsync(await b.OpenLoginAsync(), "sim", "8881234")).StatusCode);
        Assert.Equal(2, site.Upstream.Starts);

        // Both are approved by the simulator; only the newer one signs in, whichever instance finishes it.
        site.Time.Advance(TimeSpan.FromSeconds(11));
        routerA.Target = 2;
        Assert.Equal("contested", (await a.StatusAsync()).Json.GetProperty("reason").GetString());
        routerB.Target = 2;
        Assert.Equal("/profile", (await b.FinishAsync()).Headers.Location!.OriginalString);
        a.Dispose();
        b.Dispose();
    }

    [SkippableFact]
    public async Task A_superseded_login_is_told_at_its_next_status_read_before_any_poll_and_withdrawn_upstream()
    {
        await using var site = await StartInstancesAsync(approvalDelay: TimeSpan.FromSeconds(30));
        var (a, routerA) = site.NewBrowser();
        var (b, routerB) = site.NewBrowser();
        routerA.Target = 0;
        routerB.Target = 1;
        Assert.Equal(HttpStatusCode.SeeOther, (await a.SubmitAsync(await a.OpenLoginAsync(), "sim", "8881234")).StatusCode);
        Assert.Equal("pending", (await a.StatusAsync()).Json.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.SeeOther, (await b.SubmitAsync(await b.OpenLoginAsync(), "sim", "8881234")).StatusCode);

        // No time has passed: no poll is due, and A's instance still holds its login to be current. The start on
        // another instance has told the store, so A's very next read says so, on any instance, without a poll.
        var polls = site.Upstream.Polls;
        foreach (var instance in new[] { 0, 2 })
        {
            routerA.Target = instance;
            var (_, json) = await a.StatusAsync();
            Assert.Equal(("failed", "contested"), (json.GetProperty("status").GetString(), json.GetProperty("reason").GetString()));
        }

        Assert.Equal(polls, site.Upstream.Polls);
        var superseded = site.Upstream.Started[0];
        for (var i = 0; i < 100 && !site.Upstream.Cancelled.Contains(superseded); i++)
        {
            await Task.Delay(20);
        }

        Assert.Equal([superseded], site.Upstream.Cancelled);
        Assert.Contains(site.Apps[1].Logs.Entries, e => e.Id.Name == "LoginSuperseded");

        // B goes on and signs in; A cannot, approved or not.
        site.Time.Advance(TimeSpan.FromSeconds(31));
        routerA.Target = 1;
        Assert.Equal("contested", (await a.StatusAsync()).Json.GetProperty("reason").GetString());
        routerB.Target = 2;
        Assert.Equal("succeeded", (await b.StatusAsync()).Json.GetProperty("status").GetString());
        Assert.Equal("/profile", (await b.FinishAsync()).Headers.Location!.OriginalString);
        a.Dispose();
        b.Dispose();
    }
}

public sealed class ScaleOutTests(RedisFixture redis) : ScaleOutTestsBase, IClassFixture<RedisFixture>
{
    protected override string Configuration => redis.Server.Configuration;

    [Fact]
    public async Task Redis_down_mid_login_gives_a_clear_try_again_and_logins_work_when_it_is_back()
    {
        await using var server = await RedisServer.StartAsync();
        var time = new FakeTimeProvider();
        var redis = ConnectionMultiplexer.Connect(server.Configuration);
        await using var app = await TestApp.StartAsync(
            o => o.Provider = "Simulator",
            services: s =>
            {
                s.AddDataProtection().SetApplicationName("redis-down-tests");
                s.AddIcelandicEidRedis(redis, r => r.PersistDataProtectionKeys = false);
            },
            time: time);
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(form, "sim", "8881234")).StatusCode);

        await server.StopAsync();
        var (code, json) = await browser.StatusAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, code);
        Assert.Equal("unavailable", json.GetProperty("status").GetString());
        var verify = await browser.GetAsync("/icelandic-eid/verify");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, verify.StatusCode);
        Assert.Contains("ekki tiltæk", await verify.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var other = app.NewBrowser();
        var refused = await other.SubmitAsync(await other.OpenLoginAsync(), "sim", "7771234");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains(app.Logs.Entries, e => e.Id.Name == "StoreError");

        await server.RestartAsync();
        HttpResponseMessage? started = null;
        for (var attempt = 0; attempt < 60 && started?.StatusCode != HttpStatusCode.SeeOther; attempt++)
        {
            await Task.Delay(250);
            using var again = app.NewBrowser();
            started = await again.SubmitAsync(await again.OpenLoginAsync(), "sim", "7770000");
        }

        Assert.Equal(HttpStatusCode.SeeOther, started!.StatusCode);
        using var fresh = app.NewBrowser();
        Assert.Equal(HttpStatusCode.SeeOther, (await fresh.SubmitAsync(await fresh.OpenLoginAsync(), "app", "1203894569")).StatusCode);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("/profile", (await fresh.FinishAsync()).Headers.Location!.OriginalString);
        redis.Dispose();
    }
}

/// <summary>Sends each request to the instance chosen by <see cref="Target"/>, like a load balancer without stickiness.</summary>
public sealed class RoutingHandler(HttpMessageHandler[] instances) : HttpMessageHandler
{
    private readonly HttpMessageInvoker[] _invokers = instances.Select(h => new HttpMessageInvoker(h)).ToArray();

    public int Target { get; set; }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        => _invokers[Target].SendAsync(request, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var invoker in _invokers)
            {
                invoker.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
