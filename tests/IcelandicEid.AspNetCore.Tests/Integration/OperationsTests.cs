using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using IcelandicEid.AspNetCore;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace IcelandicEid.Tests.Integration;

public sealed class OperationsTests : IClassFixture<RedisFixture>
{
    private readonly RedisFixture _redis;

    public OperationsTests(RedisFixture redis) => _redis = redis;

    [Fact]
    public async Task Logins_are_counted_and_traced_without_personal_data()
    {
        await using var app = await TestApp.StartAsync();
        var meterFactory = app.Services.GetRequiredService<IMeterFactory>();
        _ = app.Services.GetRequiredService<IcelandicEidMetrics>();
        var measurements = new ConcurrentQueue<(string Name, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this app's meter: other tests running at the same time have meters of the same name.
            if (instrument.Meter.Name == IcelandicEidMetrics.Name && ReferenceEquals(instrument.Meter.Scope, meterFactory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            measurements.Enqueue((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
            measurements.Enqueue((instrument.Name, 1, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        listener.Start();

        var activities = new ConcurrentQueue<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == IcelandicEidMetrics.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Enqueue,
        };
        ActivitySource.AddActivityListener(activityListener);

        using var ok = app.NewBrowser();
        await TestLogins.LoginAsync(app, ok, "sim", "8881234");
        using var cancelled = app.NewBrowser();
        await TestLogins.LoginAsync(app, cancelled, "sim", "6100001");
        listener.RecordObservableInstruments();

        Assert.Equal(2, measurements.Where(m => m.Name == "icelandic_eid.logins.started").Sum(m => m.Value));
        var succeeded = Assert.Single(measurements, m => m.Name == "icelandic_eid.logins.succeeded");
        Assert.Equal("Simulator", succeeded.Tags["provider"]);
        Assert.Equal("sim", succeeded.Tags["method"]);
        var failed = Assert.Single(measurements, m => m.Name == "icelandic_eid.logins.failed");
        Assert.Equal("cancelled", failed.Tags["reason"]);
        Assert.Contains(measurements, m => m.Name == "icelandic_eid.upstream.duration" && (string?)m.Tags["operation"] == "poll");

        Assert.Contains(activities, a => a.OperationName == "IcelandicEid.Start");
        Assert.Contains(activities, a => a.OperationName == "IcelandicEid.Poll");
        Assert.Contains(activities, a => a.OperationName == "IcelandicEid.Finish" && (string?)a.GetTagItem("icelandic_eid.outcome") == "signed-in");

        var everything = string.Join(' ', measurements.SelectMany(m => m.Tags.Values).Concat(activities.SelectMany(a => a.Tags.Select(t => t.Value))));
        Assert.DoesNotContain("8881234", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("6100001", everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_checks_report_the_store_and_the_upstream()
    {
        await using var server = await RedisServer.StartAsync();
        var redis = ConnectionMultiplexer.Connect(server.Configuration);
        await using var app = await TestApp.StartAsync(
            o => o.Provider = "Taktikal",
            services: s =>
            {
                s.AddIcelandicEidTaktikal(t =>
                {
                    t.BaseUrl = new Uri("http://127.0.0.1:9/api/"); // nothing answers
                    t.FlowKey = "f";
                });
                s.AddIcelandicEidRedis(redis, r => r.PersistDataProtectionKeys = false);
                s.AddHealthChecks().AddIcelandicEid();
            });
        var health = app.Services.GetRequiredService<HealthCheckService>();

        var report = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, report.Entries["icelandic-eid-store"].Status);
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["icelandic-eid-upstream"].Status);
        Assert.Contains("cannot be reached", report.Entries["icelandic-eid-upstream"].Description, StringComparison.Ordinal);

        await server.StopAsync();
        report = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["icelandic-eid-store"].Status);
        redis.Dispose();
    }
}

/// <summary>The upstream health probe against a real HTTP upstream: at most once per period per instance.</summary>
public sealed class UpstreamHealthProbeTests
{
    private static async Task<(WebApplication Server, Func<int> Hits)> StartUpstreamAsync(TimeSpan delay)
    {
        var hits = 0;
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var server = builder.Build();
        server.Run(async context =>
        {
            Interlocked.Increment(ref hits);
            await Task.Delay(delay, context.RequestAborted);
            context.Response.StatusCode = 404;
        });
        await server.StartAsync();
        return (server, () => Volatile.Read(ref hits));
    }

    /// <summary>An app on Taktikal at <paramref name="upstream"/>, with its health checks at /health.</summary>
    private static Task<TestApp> StartAppAsync(WebApplication upstream, Action<IcelandicEidHealthCheckOptions>? configure, TimeProvider? time)
        => TestApp.StartAsync(
            o => o.Provider = "Taktikal",
            services: s =>
            {
                s.AddIcelandicEidTaktikal(t =>
                {
                    t.BaseUrl = new Uri(upstream.Urls.First() + "/api/");
                    t.FlowKey = "f";
                });
                s.AddHealthChecks().AddIcelandicEid(configure: configure);
            },
            endpoints: e => e.MapHealthChecks("/health"),
            time: time);

    [Fact]
    public async Task A_flood_of_health_requests_probes_the_upstream_once_per_period()
    {
        var (upstream, hits) = await StartUpstreamAsync(TimeSpan.FromMilliseconds(50));
        await using var _ = upstream;
        await using var app = await StartAppAsync(upstream, configure: null, time: null);
        using var browser = app.NewBrowser();
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => browser.GetAsync("/health")));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal(1, hits());

        app.Time.Advance(TimeSpan.FromSeconds(29));
        await browser.GetAsync("/health");
        Assert.Equal(1, hits());
        app.Time.Advance(TimeSpan.FromSeconds(2));
        await browser.GetAsync("/health");
        Assert.Equal(2, hits());
    }

    [Fact]
    public async Task A_hanging_upstream_makes_the_probe_unhealthy_within_its_timeout()
    {
        var (upstream, _) = await StartUpstreamAsync(TimeSpan.FromSeconds(30));
        await using var server = upstream;
        await using var app = await StartAppAsync(upstream, h => h.UpstreamProbeTimeout = TimeSpan.FromSeconds(1), TimeProvider.System);
        using var browser = app.NewBrowser();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var health = await browser.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(4));
    }
}
