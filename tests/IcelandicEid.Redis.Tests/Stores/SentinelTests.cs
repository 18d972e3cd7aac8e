using System.Diagnostics;
using System.Globalization;
using System.Net;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace IcelandicEid.Tests.Stores;

/// <summary>Redis behind Sentinel, connected by a <c>serviceName=</c> string, and a failover while logins are pending.</summary>
public sealed class SentinelTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task When_the_primary_dies_pending_logins_complete_after_the_promotion_or_say_try_again_and_a_new_start_works_at_once()
    {
        var missing = RedisSentinelSet.Missing;
        Skip.If(missing is not null && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), missing);
        Assert.True(missing is null, missing);

        await using var sentinels = await RedisSentinelSet.StartAsync();
        await using var app = await TestApp.StartAsync(
            o =>
            {
                o.Simulator.ApprovalDelay = TimeSpan.FromSeconds(8);
                o.Limits.HashKey = "a hash key of the app's configuration, 32+ chars";
            },
            services: s =>
            {
                s.AddDataProtection().SetApplicationName("sentinel-tests");
                s.AddIcelandicEidRedis(sentinels.Configuration, r =>
                {
                    r.KeyPrefix = "sentinel:";
                    r.OperationTimeout = TimeSpan.FromSeconds(1);
                });
            },
            time: TimeProvider.System);

        var browsers = new List<TestBrowser>();
        for (var i = 0; i < 5; i++)
        {
            var browser = app.NewBrowser();
            browser.ClientAddress = "198.51.100." + i.ToString(CultureInfo.InvariantCulture);
            Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "77710" + i.ToString("D2", CultureInfo.InvariantCulture))).StatusCode);
            browsers.Add(browser);
        }

        await Task.Delay(500); // the replica has what the primary wrote
        sentinels.KillPrimary();
        var clock = Stopwatch.StartNew();
        TimeSpan? firstUnavailable = null, lastUnavailable = null;
        var outcomes = new string?[browsers.Count];
        while (outcomes.Any(o => o is null) && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            for (var i = 0; i < browsers.Count; i++)
            {
                if (outcomes[i] is not null)
                {
                    continue;
                }

                var response = await browsers[i].GetAsync("/icelandic-eid/status");
                Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    firstUnavailable ??= clock.Elapsed;
                    lastUnavailable = clock.Elapsed;
                    continue;
                }

                var status = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString();
                if (status == "succeeded")
                {
                    var finish = await browsers[i].FinishAsync();
                    if (finish.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        lastUnavailable = clock.Elapsed;
                        continue;
                    }

                    Assert.Equal("/profile", finish.Headers.Location?.OriginalString);
                    Assert.Equal(HttpStatusCode.OK, (await browsers[i].GetAsync("/profile")).StatusCode);
                    outcomes[i] = "signed in";
                }
                else if (status != "pending")
                {
                    // Lost with the primary (asynchronous replication): the person is told and starts again at once.
                    outcomes[i] = "ended (" + status + ")";
                    Assert.Equal(HttpStatusCode.SeeOther, (await browsers[i].SubmitAsync(await browsers[i].ReadLoginAsync("/icelandic-eid/login"), "sim", "77720" + i.ToString("D2", CultureInfo.InvariantCulture))).StatusCode);
                }
            }

            await Task.Delay(200);
        }

        output.WriteLine($"outcomes: {string.Join(", ", outcomes)}; 503 from {firstUnavailable?.TotalSeconds:F1} s to {lastUnavailable?.TotalSeconds:F1} s after the primary was killed; all ended after {clock.Elapsed.TotalSeconds:F1} s");
        Assert.All(outcomes, Assert.NotNull);
        Assert.Contains("signed in", outcomes);
        await sentinels.WaitForPromotionAsync(TimeSpan.FromSeconds(5));

        // A new login works on the promoted primary.
        using var fresh = app.NewBrowser();
        Assert.Equal(HttpStatusCode.SeeOther, (await fresh.SubmitAsync(await fresh.OpenLoginAsync(), "sim", "7773000")).StatusCode);
        foreach (var browser in browsers)
        {
            browser.Dispose();
        }
    }
}
