using System.Collections.Concurrent;
using System.Security.Claims;
using IcelandicEid.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IcelandicEid.Tests.Infrastructure;

/// <summary>
/// A host app with nothing but minimal APIs (no MVC, no Razor Pages, no controllers), cookie authentication and
/// AddIcelandicEid(), on an in-memory test server with a fake clock.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly TimeProvider _time;

    private TestApp(WebApplication app, TimeProvider time, LogSink logs)
    {
        App = app;
        _time = time;
        Logs = logs;
    }

    public WebApplication App { get; }

    /// <summary>The fake clock (for apps started without a real one).</summary>
    public FakeTimeProvider Time => _time as FakeTimeProvider ?? throw new InvalidOperationException("This app runs on the real clock.");

    public LogSink Logs { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<TestApp> StartAsync(
        Action<IcelandicEidOptions>? configure = null,
        Action<IServiceCollection>? services = null,
        Action<WebApplication>? endpoints = null,
        TimeProvider? time = null,
        System.Net.IPAddress? clientAddress = null,
        string environment = "Testing")
    {
        time ??= new FakeTimeProvider();
        var logs = new LogSink();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(logs);
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services
            .AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = IcelandicEidDefaults.AuthenticationScheme;
            })
            .AddCookie()
            .AddIcelandicEid(o =>
            {
                o.Provider = "Simulator";
                o.AllowPlainHttp = true; // the test server speaks plain HTTP; tests of the refusal set it back
                o.Simulator.ApprovalDelay = TimeSpan.FromSeconds(3);
                o.Simulator.PollInterval = TimeSpan.FromSeconds(1);
                configure?.Invoke(o);
            });
        builder.Services.AddAuthorization();
        services?.Invoke(builder.Services);

        var app = builder.Build();
        // The client's address: fixed for the app, or per request from a test-only header (a stand-in for many clients).
        app.Use((context, next) =>
        {
            if (context.Request.Headers.TryGetValue(TestBrowser.ClientAddressHeader, out var given)
                && System.Net.IPAddress.TryParse(given.ToString(), out var address))
            {
                context.Connection.RemoteIpAddress = address;
            }
            else if (clientAddress is not null)
            {
                context.Connection.RemoteIpAddress = clientAddress;
            }

            return next(context);
        });

        string[] cultures = ["is", "en"];
        app.UseRequestLocalization(o => o.SetDefaultCulture("is").AddSupportedCultures(cultures).AddSupportedUICultures(cultures));
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/", () => "home");
        app.MapGet("/profile", (ClaimsPrincipal user) => Results.Json(user.Claims.Select(c => new ClaimDto(c.Type, c.Value))))
            .RequireAuthorization();
        app.MapGet("/login", (string? returnUrl) => Results.Challenge(
            new AuthenticationProperties { RedirectUri = returnUrl },
            [IcelandicEidDefaults.AuthenticationScheme]));
        endpoints?.Invoke(app);
        await app.StartAsync();
        return new TestApp(app, time, logs);
    }

    public TestBrowser NewBrowser(bool https = false)
    {
        var handler = new CookieHandler(App.GetTestServer().CreateHandler());
        var client = new HttpClient(handler) { BaseAddress = new Uri(https ? "https://localhost" : "http://localhost") };
        return new TestBrowser(client, handler);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

public sealed record ClaimDto(string Type, string Value);

public sealed class LogSink : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, EventId Id, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new SinkLogger(this, categoryName);

    public string AllText() => string.Join('\n', Entries.Select(e => e.Category + " " + e.Message));

    public void Dispose()
    {
    }

    private sealed class SinkLogger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => sink.Entries.Enqueue((category, logLevel, eventId, formatter(state, exception) + (exception is null ? string.Empty : " " + exception)));
    }
}
