using System.Net;
using IcelandicEid.AspNetCore;
using IcelandicEid.AspNetCore.Flow;
using IcelandicEid.AspNetCore.State;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace IcelandicEid.Tests.Unit;

/// <summary>Starting a login as a unit: the store, the limiter, the clock and the upstream are in-memory fakes; no
/// server and no HTTP.</summary>
public class LoginStarterTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly IDataProtector _protector = new EphemeralDataProtectionProvider().CreateProtector("browser");
    private readonly ScriptedProvider _upstream = new();
    private readonly InMemoryEidLoginStore _store;
    private readonly LoginServices _services;

    public LoginStarterTests()
    {
        _store = new InMemoryEidLoginStore(_time);
        var options = new IcelandicEidOptions { Provider = "Scripted" };
        options.Limits.StartsPerIdentifier = 2;
        options.Limits.StartsPerIdentifierAllNetworks = 3;
        _services = new LoginServices(_store, new InMemoryEidAbuseLimiter(_time), _upstream, new IcelandicEidMetrics(new TestMeterFactory(), _store, _time), NullLogger.Instance, options, _time);
    }

    private BrowserCookie NewBrowser() => BrowserCookie.Read(new DefaultHttpContext(), _protector, "b");

    /// <summary>The same browser on its next request: its cookie read back.</summary>
    private BrowserCookie Again(BrowserCookie browser)
    {
        var written = new DefaultHttpContext();
        browser.Write(written, _protector, "b", new CookieOptions());
        var next = new DefaultHttpContext();
        next.Request.Headers.Cookie = written.Response.Headers.SetCookie.ToString().Split(';')[0];
        return BrowserCookie.Read(next, _protector, "b");
    }

    private Task<StartOutcome> StartAsync(BrowserCookie browser, string phone = "+3548881234", string? own = null, string address = "192.0.2.1")
        => new LoginStarter(_services).StartAsync(
            new StartInput(EidMethod.Sim, phone, "888 ••34", new AuthenticationProperties { RedirectUri = "/profile" }, browser, IPAddress.Parse(address), own, own is null ? ReferenceProblem.Missing : ReferenceProblem.None, "is"),
            CancellationToken.None);

    [Fact]
    public async Task A_start_creates_the_login_with_the_upstreams_code_interval_and_the_return_url()
    {
        _upstream.Interval = TimeSpan.FromMilliseconds(200); // below the minimum: raised to it
        var outcome = await StartAsync(NewBrowser());
        Assert.Equal(StartOutcomeKind.Started, outcome.Kind);
        var login = await _store.GetAsync(outcome.Login!.Id, CancellationToken.None);
        Assert.Equal(("ref-1", "1234", TimeSpan.FromSeconds(1)), (login!.Reference, login.VerificationCode, login.PollInterval));
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(180), login.ExpiresAt);
        Assert.Equal("/profile", LoginProperties.Read(login, "/").RedirectUri);
    }

    [Fact]
    public async Task The_browsers_own_pending_login_is_resumed_without_asking_the_upstream()
    {
        var browser = NewBrowser();
        var first = await StartAsync(browser);
        var again = await StartAsync(Again(browser), own: first.Login!.Id);
        Assert.Equal((StartOutcomeKind.Resumed, first.Login.Id), (again.Kind, again.Login!.Id));
        Assert.Equal(1, _upstream.Starts);
    }

    [Fact]
    public async Task Only_starts_that_reached_the_upstream_spend_the_budget()
    {
        _upstream.Throw = new EidProviderException(EidFailureReason.Unavailable, "down");
        for (var i = 0; i < 5; i++)
        {
            var failed = await StartAsync(NewBrowser());
            Assert.Equal((StartOutcomeKind.Failed, EidFailureReason.Unavailable), (failed.Kind, failed.Reason));
        }

        _upstream.Throw = null;
        // 2 from anywhere, then this network's own (2), capped at 3 across all networks: the five failures cost nothing.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(StartOutcomeKind.Started, (await StartAsync(NewBrowser())).Kind);
        }

        var limited = await StartAsync(NewBrowser());
        Assert.Equal((StartOutcomeKind.Limited, "identifier-all-networks"), (limited.Kind, limited.Limit));
        Assert.InRange(limited.Wait, TimeSpan.FromSeconds(1), _services.Options.Limits.Window);
        Assert.Equal(8, _upstream.Starts);
    }

    [Fact]
    public async Task A_start_from_another_browser_contests_the_first_which_is_no_longer_current()
    {
        var first = await StartAsync(NewBrowser());
        Assert.True(await _services.Rules.IsCurrentAsync("+3548881234", first.Login!.Id, CancellationToken.None));
        var second = await StartAsync(NewBrowser());
        Assert.Equal(StartOutcomeKind.Started, second.Kind);
        Assert.False(await _services.Rules.IsCurrentAsync("+3548881234", first.Login.Id, CancellationToken.None));
        Assert.True(await _services.Rules.IsCurrentAsync("+3548881234", second.Login!.Id, CancellationToken.None));
    }

    [Fact]
    public async Task An_upstream_request_already_open_says_when_it_ends_at_the_latest()
    {
        await StartAsync(NewBrowser());
        _time.Advance(TimeSpan.FromSeconds(30));
        _upstream.Refuse = EidFailureReason.AlreadyInProgress;
        var outcome = await StartAsync(NewBrowser());
        Assert.Equal(StartOutcomeKind.InProgress, outcome.Kind);
        Assert.Equal(TimeSpan.FromSeconds(150), outcome.Wait);
    }

    [Fact]
    public async Task A_full_store_refuses_before_anything_is_counted_or_sent()
    {
        var store = new InMemoryEidLoginStore(_time) { MaxEntries = 1 };
        var services = new LoginServices(store, new InMemoryEidAbuseLimiter(_time), _upstream, new IcelandicEidMetrics(new TestMeterFactory(), store, _time), NullLogger.Instance, new IcelandicEidOptions { Provider = "Scripted" }, _time);
        var input = new StartInput(EidMethod.Sim, "+3548881234", "888 ••34", new AuthenticationProperties(), NewBrowser(), null, null, ReferenceProblem.Missing, "is");
        Assert.Equal(StartOutcomeKind.Started, (await new LoginStarter(services).StartAsync(input, CancellationToken.None)).Kind);
        Assert.Equal(StartOutcomeKind.Unavailable, (await new LoginStarter(services).StartAsync(input with { Identifier = "+3547771234", Browser = NewBrowser() }, CancellationToken.None)).Kind);
        Assert.Equal(1, _upstream.Starts);
    }

    private sealed class ScriptedProvider : IIcelandicEidProvider
    {
        public int Starts { get; private set; }

        public Exception? Throw { get; set; }

        public EidFailureReason? Refuse { get; set; }

        public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);

        public string Name => "Scripted";

        public Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
        {
            Starts++;
            if (Throw is not null)
            {
                throw Throw;
            }

            return Task.FromResult(Refuse is { } reason
                ? EidStartResult.Failed(reason, "scripted")
                : EidStartResult.Started("ref-" + Starts, "1234", Interval));
        }

        public Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken) => Task.FromResult(EidPollResult.Pending);
    }
}
