using System.Net;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace IcelandicEid.Tests.Stores;

/// <summary>The Redis store over TLS (a certificate authority made by the test) under a Redis ACL user with exactly the
/// rights the README documents.</summary>
public sealed class TlsAclTests
{
    /// <summary>The smallest ACL the store, the limiter, the key ring and the health check work under (README).</summary>
    public const string SmallestAcl = "~icelandic-eid:* resetchannels -@all +auth +echo +ping +get +getrange +set +del +exists +incr +decr "
        + "+pexpire +pexpireat +pttl +setrange +zadd +zrem +zremrangebyscore +zcard +lrange +rpush +eval +evalsha +script|load";

    private static void SkipWithoutRedis()
    {
        var missing = RedisSentinelSet.Missing;
        Skip.If(missing is not null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), missing);
        Assert.True(missing is null, missing);
    }

    [SkippableFact]
    public async Task Logins_work_over_TLS_under_the_smallest_ACL_with_the_key_ring_and_health_in_Redis()
    {
        SkipWithoutRedis();
        await using var server = await RedisTlsServer.StartAsync(SmallestAcl);
        await using var app = await StartAsync(server, trusted: true, persistKeys: true);
        using var browser = app.NewBrowser();
        await TestLogins.LoginAsync(app, browser, "sim", "8881234");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/profile")).StatusCode);

        // What the user did is in Redis under its prefix: the key ring, and nothing of the user's was refused.
        var admin = ConfigurationOptions.Parse($"127.0.0.1:{server.Port},ssl=true,sslHost=localhost,password={RedisTlsServer.AdminPassword},allowAdmin=true");
        admin.TrustIssuer(server.CertificateAuthorityPath);
        using var connection = await ConnectionMultiplexer.ConnectAsync(admin);
        Assert.Equal(1, await connection.GetDatabase().ListLengthAsync("icelandic-eid:DataProtection-Keys"));
        var refused = string.Join('\n', ((RedisResult[])(await connection.GetServer(connection.GetEndPoints()[0]).ExecuteAsync("ACL", "LOG"))!)
            .Select(entry => string.Join(' ', ((RedisResult[])entry!).Select(x => x.ToString()))));
        foreach (var command in new[] { "get", "set", "eval", "evalsha", "lrange", "rpush", "zadd", "zrem", "zcard", "ping", "icelandic-eid:" })
        {
            Assert.DoesNotContain("object " + command + " ", refused + " ", StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public async Task A_server_certificate_the_app_does_not_trust_is_refused_and_people_are_told_to_try_again()
    {
        SkipWithoutRedis();
        await using var server = await RedisTlsServer.StartAsync(SmallestAcl);
        await using var app = await StartAsync(server, trusted: false, persistKeys: false);
        using var browser = app.NewBrowser();
        var started = await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "8881234");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, started.StatusCode);
        Assert.Contains("ekki tiltæk", await started.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(app.Logs.Entries, e => e.Id.Name == "StoreError");
    }

    [SkippableFact]
    public async Task The_ACL_holds_the_user_to_its_prefix()
    {
        SkipWithoutRedis();
        await using var server = await RedisTlsServer.StartAsync(SmallestAcl);
        await using var app = await StartAsync(server, trusted: true, persistKeys: false, prefix: "another-app:");
        using var browser = app.NewBrowser();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "8881234")).StatusCode);
    }

    private static Task<TestApp> StartAsync(RedisTlsServer server, bool trusted, bool persistKeys, string prefix = "icelandic-eid:")
        => TestApp.StartAsync(
            o => o.Limits.HashKey = "a hash key of the app's configuration, 32+ chars",
            services: s =>
            {
                s.AddDataProtection().SetApplicationName("tls-acl-tests");
                s.AddIcelandicEidRedis(server.Configuration, r =>
                {
                    r.KeyPrefix = prefix;
                    r.PersistDataProtectionKeys = persistKeys;
                    r.OperationTimeout = TimeSpan.FromSeconds(1);
                    r.TrustedCertificateAuthority = trusted ? server.CertificateAuthorityPath : null;
                });
            });
}
