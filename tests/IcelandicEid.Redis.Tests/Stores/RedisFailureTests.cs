using System.Diagnostics;
using System.Net;
using IcelandicEid.Simulation;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace IcelandicEid.Tests.Stores;

/// <summary>A real Redis that stalls (SIGSTOP), is down when an instance starts, or loses its data.</summary>
public sealed class RedisFailureTests
{
    private static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < within, "The condition did not hold within " + within);
            await Task.Delay(200);
        }
    }

    /// <summary>One of several instances on <paramref name="server"/>, approving after 10 s on <paramref name="time"/>.</summary>
    private static Task<TestApp> StartInstanceAsync(RedisServer server, FakeTimeProvider time, string? hashKey, bool persistKeys = false, TimeSpan? approvalDelay = null)
        => TestApp.StartAsync(
            o =>
            {
                o.ProviderInstance = new SimulatorProvider(new SimulatorOptions { ApprovalDelay = approvalDelay ?? TimeSpan.FromSeconds(10) }, time);
                o.Limits.HashKey = hashKey;
            },
            services: s =>
            {
                s.AddDataProtection().SetApplicationName("redis-data-loss-tests");
                s.AddIcelandicEidRedis(ConnectionMultiplexer.Connect(server.Configuration), r =>
                {
                    r.KeyPrefix = "loss:";
                    r.PersistDataProtectionKeys = persistKeys;
                });
            },
            time: time);

    [Fact]
    public async Task A_stalled_Redis_fails_every_call_within_the_timeout_and_logins_work_again_after_it_resumes()
    {
        await using var server = await RedisServer.StartAsync();
        using var redis = ConnectionMultiplexer.Connect(server.Configuration);
        await using var app = await TestApp.StartAsync(
            o => o.Simulator.ApprovalDelay = TimeSpan.FromSeconds(1),
            services: s =>
            {
                s.AddDataProtection().SetApplicationName("redis-stall-tests");
                s.AddIcelandicEidRedis(redis, r =>
                {
                    r.KeyPrefix = "stall:";
                    r.OperationTimeout = TimeSpan.FromSeconds(1);
                    r.PersistDataProtectionKeys = true;
                });
                s.AddHealthChecks().AddIcelandicEid();
            },
            endpoints: e => e.MapHealthChecks("/health"),
            time: TimeProvider.System);
        using var browser = app.NewBrowser();
        using var other = app.NewBrowser();
        Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "8881234")).StatusCode);
        var otherForm = await other.OpenLoginAsync();

        server.Pause();
        try
        {
            var clock = Stopwatch.StartNew();
            var (code, json) = await browser.StatusAsync();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, code);
            Assert.Equal("unavailable", json.GetProperty("status").GetString());
            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(4));

            clock.Restart();
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await browser.GetAsync("/icelandic-eid/verify")).StatusCode);
            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(4));

            clock.Restart();
            var start = await other.SubmitAsync(otherForm, "sim", "7771234");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, start.StatusCode);
            Assert.Contains("ekki tiltæk", await start.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(6));

            clock.Restart();
            var health = await browser.GetAsync("/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());
            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
        }
        finally
        {
            server.Resume();
        }

        // Without a restart: the pending login goes on and signs in.
        await WaitUntilAsync(async () => (await browser.StatusAsync()).Json.GetProperty("status").GetString() == "succeeded", TimeSpan.FromSeconds(15));
        Assert.Equal("/profile", (await browser.FinishAsync()).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await other.SubmitAsync(await other.OpenLoginAsync(), "sim", "7771234")).StatusCode);
    }

    [Fact]
    public async Task An_approved_login_survives_a_stall_at_the_finish_and_finishes_once_Redis_answers()
    {
        await using var server = await RedisServer.StartAsync();
        using var redis = ConnectionMultiplexer.Connect(server.Configuration);
        await using var app = await TestApp.StartAsync(
            o => o.Simulator.ApprovalDelay = TimeSpan.FromSeconds(1),
            services: s =>
            {
                s.AddDataProtection().SetApplicationName("redis-stall-finish-tests");
                s.AddIcelandicEidRedis(redis, r =>
                {
                    r.KeyPrefix = "stall-finish:";
                    r.OperationTimeout = TimeSpan.FromSeconds(1);
                    r.PersistDataProtectionKeys = true;
                });
            },
            time: TimeProvider.System);
        using var browser = app.NewBrowser();
        await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "8881234");
        await WaitUntilAsync(async () => (await browser.StatusAsync()).Json.GetProperty("status").GetString() == "succeeded", TimeSpan.FromSeconds(15));

        server.Pause();
        try
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await browser.FinishAsync()).StatusCode);
        }
        finally
        {
            server.Resume();
        }

        // The approval was not lost: the same browser finishes and is signed in.
        Assert.Equal("/profile", (await browser.FinishAsync()).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/profile")).StatusCode);
    }

    [Fact]
    public async Task An_instance_started_while_Redis_is_down_answers_503_not_500_and_recovers_by_itself()
    {
        await using var server = RedisServer.NotStarted();
        await using var app = await TestApp.StartAsync(
            o => o.Simulator.ApprovalDelay = TimeSpan.FromSeconds(1),
            services: s =>
            {
                s.AddDataProtection().SetApplicationName("redis-down-at-start-" + Guid.NewGuid().ToString("N"));
                s.AddIcelandicEidRedis(server.Configuration, r =>
                {
                    r.OperationTimeout = TimeSpan.FromSeconds(1);
                    r.PersistDataProtectionKeys = true;
                });
            },
            time: TimeProvider.System);
        using var browser = app.NewBrowser();

        var login = await browser.GetAsync("/icelandic-eid/login");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, login.StatusCode);
        Assert.Contains("ekki tiltæk", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var challenge = await browser.GetAsync("/profile");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, challenge.StatusCode);
        Assert.Contains("ekki tiltæk", await challenge.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await server.RestartAsync();
        await WaitUntilAsync(async () => (await browser.GetAsync("/icelandic-eid/login")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "8881234")).StatusCode);
        await WaitUntilAsync(async () => (await browser.StatusAsync()).Json.GetProperty("status").GetString() == "succeeded", TimeSpan.FromSeconds(15));
        Assert.Equal("/profile", (await browser.FinishAsync()).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task After_Redis_loses_its_data_the_instances_agree_again_on_the_identifier_hashes()
    {
        await using var server = await RedisServer.StartAsync();
        var time = new FakeTimeProvider();
        Task<TestApp> InstanceAsync() => StartInstanceAsync(server, time, hashKey: null);

        await using var a = await InstanceAsync();
        using (var warm = a.NewBrowser())
        {
            // Instance A reads (and keeps) the hash key.
            await warm.SubmitAsync(await warm.OpenLoginAsync(), "sim", "7771234");
        }

        Assert.Contains("OK", await server.CommandAsync("FLUSHALL"), StringComparison.Ordinal);
        await using var c = await InstanceAsync(); // a new instance after the loss writes a new key
        using (var warm = c.NewBrowser())
        {
            await warm.SubmitAsync(await warm.OpenLoginAsync(), "sim", "7771235");
        }

        time.Advance(TimeSpan.FromSeconds(31));
        using var first = a.NewBrowser();
        using var second = c.NewBrowser();
        await first.SubmitAsync(await first.OpenLoginAsync(), "sim", "8881234");
        await second.SubmitAsync(await second.OpenLoginAsync(), "sim", "8881234");
        time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal("contested", (await first.StatusAsync()).Json.GetProperty("reason").GetString());
        Assert.Equal("succeeded", (await second.StatusAsync()).Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task With_a_configured_hash_key_instances_agree_at_once_after_a_flush()
    {
        await using var server = await RedisServer.StartAsync();
        var time = new FakeTimeProvider();
        Task<TestApp> InstanceAsync() => StartInstanceAsync(server, time, hashKey: "a shared secret of at least thirty-two characters");

        await using var a = await InstanceAsync();
        using (var warm = a.NewBrowser())
        {
            await warm.SubmitAsync(await warm.OpenLoginAsync(), "sim", "7771234");
        }

        await server.CommandAsync("FLUSHALL");
        await using var b = await InstanceAsync();
        using var first = a.NewBrowser();
        await first.SubmitAsync(await first.OpenLoginAsync(), "sim", "8881234");
        using var second = b.NewBrowser();
        await second.SubmitAsync(await second.OpenLoginAsync(), "sim", "8881234");
        time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal("contested", (await first.StatusAsync()).Json.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task The_key_ring_in_Redis_is_encrypted_with_the_secret_and_a_warning_is_logged_in_Production_without_it()
    {
        await using var server = await RedisServer.StartAsync();
        await using (var unprotected = await TestApp.StartAsync(
            o => o.Limits.HashKey = "a hash key of the app's configuration, 32+ chars",
            services: s => s.AddIcelandicEidRedis(ConnectionMultiplexer.Connect(server.Configuration), r =>
            {
                r.KeyPrefix = "plain:";
                r.PersistDataProtectionKeys = true;
            }),
            environment: "Production"))
        {
            Assert.Contains(unprotected.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("forge sign-in cookies", StringComparison.Ordinal));
        }

        await using var app = await TestApp.StartAsync(
            o => o.Limits.HashKey = "a hash key of the app's configuration, 32+ chars",
            services: s =>
            {
                s.AddDataProtection().SetApplicationName("key-ring-encryption-tests");
                s.AddIcelandicEidRedis(ConnectionMultiplexer.Connect(server.Configuration), r =>
                {
                    r.KeyPrefix = "sealed:";
                    r.PersistDataProtectionKeys = true;
                    r.KeyRingEncryptionSecret = "another secret of at least thirty-two characters";
                });
            },
            environment: "Production");
        Assert.DoesNotContain(app.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("forge sign-in cookies", StringComparison.Ordinal));
        using var browser = app.NewBrowser();
        await TestLogins.LoginAsync(app, browser, "sim", "8881234");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/profile")).StatusCode);
        var ring = await server.CommandAsync("LRANGE", "sealed:DataProtection-Keys", "0", "-1");
        Assert.Contains("encryptedSecret", ring, StringComparison.Ordinal);
        Assert.DoesNotContain("masterKey", ring, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_Production_the_Redis_limiter_needs_a_hash_key_of_the_apps_own_so_Redis_alone_cannot_reverse_the_hashes()
    {
        await using var server = await RedisServer.StartAsync();
        var failure = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => TestApp.StartAsync(
            services: s => s.AddIcelandicEidRedis(ConnectionMultiplexer.Connect(server.Configuration), r => r.KeyPrefix = "nokey:"),
            environment: "Production"));
        Assert.Contains("IcelandicEid:Limits:HashKey is required in Production", failure.Message, StringComparison.Ordinal);

        // With one, logins work and the key is nowhere in Redis: the hashes there cannot be reversed from Redis alone.
        await using var app = await TestApp.StartAsync(
            o => o.Limits.HashKey = "a hash key of the app's configuration, 32+ chars",
            services: s => s.AddIcelandicEidRedis(ConnectionMultiplexer.Connect(server.Configuration), r => r.KeyPrefix = "withkey:"),
            environment: "Production");
        using var browser = app.NewBrowser();
        await TestLogins.LoginAsync(app, browser, "sim", "8881234");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/profile")).StatusCode);
        Assert.Equal(":0", (await server.CommandAsync("EXISTS", "withkey:identifier-hash-key")).Trim());

        // Outside Production the limiter may keep one in Redis, as before.
        await using var testing = await TestApp.StartAsync(
            services: s => s.AddIcelandicEidRedis(ConnectionMultiplexer.Connect(server.Configuration), r => r.KeyPrefix = "testing:"));
    }

    [Fact]
    public async Task After_Redis_loses_its_data_and_one_instance_restarts_the_instances_accept_each_others_cookies_again_without_a_restart()
    {
        await using var server = await RedisServer.StartAsync();
        var time = new FakeTimeProvider();
        Task<TestApp> InstanceAsync() => StartInstanceAsync(server, time, "a hash key of the app's configuration, 32+ chars", persistKeys: true, approvalDelay: TimeSpan.FromSeconds(3));

        await using var a = await InstanceAsync();
        using var onA = a.NewBrowser();
        await TestLogins.LoginAsync(a, onA, "sim", "8881234");
        Assert.Contains("OK", await server.CommandAsync("FLUSHALL"), StringComparison.Ordinal);

        // Another instance starts after the loss and writes a new key; A goes on with the key it had.
        await using var b = await InstanceAsync();
        using var onB = b.NewBrowser();
        await TestLogins.LoginAsync(b, onB, "sim", "7771234");

        // Within a check interval of a request to each, each accepts the other's sign-in cookies.
        time.Advance(TimeSpan.FromSeconds(31));
        using var probeA = a.NewBrowser();
        await probeA.GetAsync("/icelandic-eid/login");
        await WaitUntilAsync(async () => (await server.CommandAsync("LLEN", "loss:DataProtection-Keys")).Trim() == ":2", TimeSpan.FromSeconds(10));
        using var probeB = b.NewBrowser();
        await probeB.GetAsync("/icelandic-eid/login");
        async Task<HttpStatusCode> ProfileWithAsync(TestApp app, TestBrowser from)
        {
            using var browser = app.NewBrowser();
            browser.SetCookie(".AspNetCore.Cookies", from.Cookie(".AspNetCore.Cookies")!);
            return (await browser.GetAsync("/profile")).StatusCode;
        }

        await WaitUntilAsync(async () => await ProfileWithAsync(b, onA) == HttpStatusCode.OK && await ProfileWithAsync(a, onB) == HttpStatusCode.OK, TimeSpan.FromSeconds(10));
        Assert.Contains(a.Logs.Entries, e => e.Category.EndsWith("KeyRingWatcher", StringComparison.Ordinal) && e.Level == LogLevel.Warning);

        // And a login started on one finishes on the other.
        using var across = a.NewBrowser();
        Assert.Equal(HttpStatusCode.SeeOther, (await across.SubmitAsync(await across.OpenLoginAsync(), "sim", "6661234")).StatusCode);
        using var onOther = b.NewBrowser();
        onOther.SetCookie(".IcelandicEid.Login", across.Cookie(".IcelandicEid.Login")!);
        Assert.Equal(HttpStatusCode.OK, (await onOther.StatusAsync()).Code);
    }
}
