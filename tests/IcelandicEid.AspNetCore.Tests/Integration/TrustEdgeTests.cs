using System.Net;
using IcelandicEid.AspNetCore;
using IcelandicEid.Simulation;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using IcelandicEid.State;

namespace IcelandicEid.Tests.Integration;

/// <summary>Return URLs after approval, cookies over HTTPS, identity checks, cancel, memory caps and health probes.</summary>
public class TrustEdgeTests
{
    [Theory]
    [InlineData("/síða", "/s%C3%AD%C3%B0a")]
    [InlineData("/fréttir?q=Jón", "/fr%C3%A9ttir?q=J%C3%B3n")]
    [InlineData("/a/./b/../c?x=1#frag", "/a/c?x=1#frag")]
    [InlineData("/.//evil.example/x", "/")]
    [InlineData("/%2e//evil.example/x", "/")]
    public async Task A_login_with_any_local_return_url_completes_and_lands_on_its_safe_form(string returnUrl, string expected)
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var form = await browser.ReadLoginAsync("/icelandic-eid/login?ReturnUrl=" + Uri.EscapeDataString(returnUrl));
        await browser.SubmitAsync(form, "sim", "8881234");
        app.Time.Advance(TimeSpan.FromSeconds(4));
        var finish = await browser.FinishAsync();
        Assert.Equal(HttpStatusCode.Redirect, finish.StatusCode);
        Assert.Equal(expected, finish.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/profile")).StatusCode);
    }

    [Fact]
    public async Task A_challenge_from_a_page_with_a_non_ascii_path_completes_after_approval()
    {
        await using var app = await TestApp.StartAsync(endpoints: e => e.MapGet("/síða", () => "síða").RequireAuthorization());
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync("/s%C3%AD%C3%B0a?q=J%C3%B3n");
        await browser.SubmitAsync(form, "sim", "8881234");
        app.Time.Advance(TimeSpan.FromSeconds(4));
        var finish = await browser.FinishAsync();
        Assert.Equal(HttpStatusCode.Redirect, finish.StatusCode);
        Assert.Equal("/s%C3%AD%C3%B0a?q=J%C3%B3n", finish.Headers.Location!.OriginalString);
        Assert.Equal("síða", await (await browser.GetAsync(finish.Headers.Location!.OriginalString)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Over_https_the_cookies_are_host_only_and_secure_and_a_planted_cookie_is_ignored()
    {
        await using var app = await TestApp.StartAsync(o => o.Simulator.ApprovalDelay = TimeSpan.FromSeconds(30));
        using var attacker = app.NewBrowser(https: true);
        using var person = app.NewBrowser(https: true);
        var loginPage = await attacker.GetAsync("/icelandic-eid/login");
        var pageCookies = loginPage.Headers.GetValues("Set-Cookie").ToList();
        Assert.Contains(pageCookies, c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal) && c.Contains("secure", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(pageCookies, c => c.StartsWith("__Host-IcelandicEid.Browser=", StringComparison.Ordinal) && c.Contains("secure", StringComparison.OrdinalIgnoreCase));

        var started = await attacker.SubmitAsync(TestBrowser.ParseLogin(await loginPage.Content.ReadAsStringAsync()), "sim", "8881234");
        var loginCookie = started.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-IcelandicEid.Login=", StringComparison.Ordinal));
        Assert.Contains("secure", loginCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", loginCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", loginCookie, StringComparison.OrdinalIgnoreCase);

        // A sibling subdomain can set a cookie without the prefix; over HTTPS it is not read.
        person.SetCookie(IcelandicEidDefaults.LoginCookieName, attacker.Cookie("__Host-IcelandicEid.Login")!);
        var (code, json) = await person.StatusAsync();
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("invalid", json.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("PUT", "/icelandic-eid/start", "POST")]
    [InlineData("POST", "/icelandic-eid/status", "GET, HEAD")]
    [InlineData("DELETE", "/icelandic-eid/login", "GET, HEAD")]
    [InlineData("POST", "/icelandic-eid/assets/eid.js", "GET, HEAD")]
    public async Task Method_not_allowed_says_which_are(string method, string path, string allow)
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        var response = await browser.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow));
    }

    [Fact]
    public async Task An_app_login_approved_with_another_persons_ID_fails_with_a_clear_reason()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var finish = await TestLogins.LoginAsync(app, browser, "app", "010190-1079");
        var alert = TestBrowser.Parse(await finish.Content.ReadAsStringAsync()).QuerySelector("[role=alert]")!.TextContent;
        Assert.Contains("skilríkjum annars en eiganda kennitölunnar sem slegin var inn", alert, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/profile")).StatusCode);
        Assert.Contains(app.Logs.Entries, e => e.Id.Name == "IdentityMismatch");
    }

    [Fact]
    public async Task Cancel_withdraws_the_request_upstream_where_the_API_can_and_the_retry_keeps_the_return_url()
    {
        var time = new FakeTimeProvider();
        var upstream = new CancellableProvider(new SimulatorProvider(new SimulatorOptions { ApprovalDelay = TimeSpan.FromSeconds(60) }, time));
        await using var app = await TestApp.StartAsync(o => o.ProviderInstance = upstream, time: time);
        using var browser = app.NewBrowser();
        await browser.SubmitAsync(await browser.OpenLoginAsync("/profile"), "sim", "8881234");
        var cancelled = await CancelAsync(browser);
        Assert.Single(upstream.Cancelled);
        var page = await browser.GetAsync(cancelled.Headers.Location!.OriginalString);
        Assert.Contains("Þú hættir við innskráninguna.", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The form it came back to still leads to the page first asked for.
        var form = TestBrowser.ParseLogin(await page.Content.ReadAsStringAsync());
        await browser.SubmitAsync(form, "sim", "7771234");
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal("/profile", (await browser.FinishAsync()).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Without_an_upstream_cancel_the_page_says_the_request_on_the_phone_can_be_ignored()
    {
        await using var app = await TestApp.StartAsync(o => o.Simulator.ApprovalDelay = TimeSpan.FromSeconds(60));
        using var browser = app.NewBrowser();
        await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "8881234");
        var cancelled = await CancelAsync(browser);
        var page = await (await browser.GetAsync(cancelled.Headers.Location!.OriginalString)).Content.ReadAsStringAsync();
        Assert.Contains("hafna henni eða hunsa hana", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_login_offers_a_retry_that_keeps_the_return_url()
    {
        var time = new FakeTimeProvider();
        var upstream = new NeverAnsweredFor("8881234", new SimulatorProvider(new SimulatorOptions(), time));
        await using var app = await TestApp.StartAsync(o => o.ProviderInstance = upstream, time: time);
        using var browser = app.NewBrowser();
        await browser.SubmitAsync(await browser.OpenLoginAsync("/profile"), "sim", "8881234");
        time.Advance(TimeSpan.FromSeconds(181));
        var failure = await browser.FinishAsync();
        Assert.Contains("Tíminn rann út", await failure.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var retry = TestBrowser.Parse(await failure.Content.ReadAsStringAsync()).QuerySelector("a.eid-retry")!.GetAttribute("href")!;
        Assert.StartsWith("/icelandic-eid/login?state=", retry, StringComparison.Ordinal);
        var form = await browser.ReadLoginAsync(retry);
        await browser.SubmitAsync(form, "sim", "7771234");
        time.Advance(TimeSpan.FromSeconds(4));
        await browser.StatusAsync();
        Assert.Equal("/profile", (await browser.FinishAsync()).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_full_in_memory_store_refuses_new_logins_with_try_again_and_frees_space_as_logins_expire()
    {
        await using var app = await TestApp.StartAsync(
            o => { o.Simulator.ApprovalDelay = TimeSpan.FromMinutes(10); o.Limits.StartsPerClientAddress = 0; },
            services: s => s.Configure<IcelandicEidMemoryOptions>(m => m.MaxLogins = 3));
        for (var i = 0; i < 3; i++)
        {
            using var browser = app.NewBrowser();
            Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "777000" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))).StatusCode);
        }

        using var fourth = app.NewBrowser();
        var refused = await fourth.SubmitAsync(await fourth.OpenLoginAsync(), "sim", "7770009");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("ekki tiltæk", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        app.Time.Advance(TimeSpan.FromSeconds(181));
        Assert.Equal(HttpStatusCode.SeeOther, (await fourth.SubmitAsync(await fourth.OpenLoginAsync(), "sim", "7770009")).StatusCode);
    }

    [Fact]
    public async Task A_full_in_memory_limiter_refuses_with_try_again_instead_of_growing()
    {
        await using var app = await TestApp.StartAsync(
            o => o.Simulator.ApprovalDelay = TimeSpan.FromMinutes(10),
            services: s => s.Configure<IcelandicEidMemoryOptions>(m => m.MaxLimiterKeys = 8));
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var browser = app.NewBrowser();
            browser.ClientAddress = "198.51.100." + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            codes.Add((await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "777000" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))).StatusCode);
        }

        Assert.Contains(HttpStatusCode.SeeOther, codes);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, codes[^1]);
        Assert.DoesNotContain(HttpStatusCode.InternalServerError, codes);
    }

    [Theory]
    [InlineData(40, 10_000)] // the store fills first
    [InlineData(10_000, 120)] // the limiter fills first
    public async Task A_flood_that_fills_memory_denies_new_numbers_but_not_remembered_browsers_nor_logins_under_way(int maxLogins, int maxKeys)
    {
        await using var app = await TestApp.StartAsync(
            o => { o.Simulator.ApprovalDelay = TimeSpan.FromSeconds(30); o.Limits.StartsPerClientAddress = 0; },
            services: s => s.Configure<IcelandicEidMemoryOptions>(m => { m.MaxLogins = maxLogins; m.MaxLimiterKeys = maxKeys; }));
        using var person = app.NewBrowser();
        await person.SubmitAsync(await person.OpenLoginAsync(), "sim", "8881234");
        app.Time.Advance(TimeSpan.FromSeconds(31));
        await person.StatusAsync();
        Assert.Equal("/profile", (await person.FinishAsync()).Headers.Location!.OriginalString); // remembered from now on
        app.Time.Advance(TimeSpan.FromMinutes(11)); // its counters and login are gone; the browser remembers the number
        using var underway = app.NewBrowser();
        Assert.Equal(HttpStatusCode.SeeOther, (await underway.SubmitAsync(await underway.OpenLoginAsync(), "sim", "7771234")).StatusCode);

        // The flood: new numbers from new networks until the bounded memory says "try again".
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 80; i++)
        {
            using var flood = app.NewBrowser();
            flood.ClientAddress = "198.51." + (i / 250).ToString(System.Globalization.CultureInfo.InvariantCulture) + "." + (i % 250).ToString(System.Globalization.CultureInfo.InvariantCulture);
            answers.Add((await flood.SubmitAsync(await flood.OpenLoginAsync(), "sim", "65" + (10000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture))).StatusCode);
        }

        Assert.InRange(answers.Count(a => a == HttpStatusCode.SeeOther), 20, 60);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, answers[^1]);
        Assert.All(answers, a => Assert.True(a is HttpStatusCode.SeeOther or HttpStatusCode.ServiceUnavailable, a.ToString()));

        // A newcomer is told to try again; the remembered browser starts from the reserve; the login under way goes on.
        using var newcomer = app.NewBrowser();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await newcomer.SubmitAsync(await newcomer.OpenLoginAsync(), "sim", "6999999")).StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await person.SubmitAsync(await person.ReadLoginAsync("/icelandic-eid/login"), "sim", "8881234")).StatusCode);
        app.Time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("succeeded", (await underway.StatusAsync()).Json.GetProperty("status").GetString());
        Assert.Equal("/profile", (await underway.FinishAsync()).Headers.Location!.OriginalString);
        Assert.Equal("succeeded", (await person.StatusAsync()).Json.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Redirect, (await person.FinishAsync()).StatusCode);
    }

    [Fact]
    public async Task A_limiter_failing_at_the_finish_answers_try_again_and_keeps_the_approved_login()
    {
        var limiter = new SwitchableLimiter(new IcelandicEid.AspNetCore.State.InMemoryEidAbuseLimiter(TimeProvider.System));
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<IcelandicEid.State.IEidAbuseLimiter>(limiter));
        using var browser = app.NewBrowser();
        await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "8881234");
        app.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("succeeded", (await browser.StatusAsync()).Json.GetProperty("status").GetString());

        limiter.Broken = true;
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await browser.FinishAsync()).StatusCode);
        limiter.Broken = false;
        Assert.Equal("/profile", (await browser.FinishAsync()).Headers.Location!.OriginalString);
    }

    /// <summary>A limiter whose reads fail while <see cref="Broken"/> is set, as a shared limiter's server does.</summary>
    private sealed class SwitchableLimiter(IcelandicEid.State.IEidAbuseLimiter inner) : IcelandicEid.State.IEidAbuseLimiter
    {
        public bool Broken { get; set; }

        public Task<IcelandicEid.State.EidLimiterCount> HitAsync(string key, TimeSpan window, CancellationToken cancellationToken) => inner.HitAsync(key, window, cancellationToken);

        public Task RefundAsync(string key, CancellationToken cancellationToken) => inner.RefundAsync(key, cancellationToken);

        public Task<IcelandicEid.State.EidLimiterValue?> TryLockAsync(string key, string owner, TimeSpan ttl, CancellationToken cancellationToken) => inner.TryLockAsync(key, owner, ttl, cancellationToken);

        public Task<bool> ReplaceAsync(string key, string expected, string value, TimeSpan ttl, CancellationToken cancellationToken) => inner.ReplaceAsync(key, expected, value, ttl, cancellationToken);

        public Task<IcelandicEid.State.EidLimiterValue?> SwapAsync(string key, string value, TimeSpan ttl, CancellationToken cancellationToken) => inner.SwapAsync(key, value, ttl, cancellationToken);

        public Task<IcelandicEid.State.EidLimiterValue?> GetAsync(string key, CancellationToken cancellationToken)
            => Broken ? throw new TimeoutException("The limiter did not answer.") : inner.GetAsync(key, cancellationToken);

        public Task ReleaseAsync(string key, string owner, CancellationToken cancellationToken) => inner.ReleaseAsync(key, owner, cancellationToken);

        public Task<byte[]> GetHashKeyAsync(CancellationToken cancellationToken) => inner.GetHashKeyAsync(cancellationToken);
    }

    private static async Task<HttpResponseMessage> CancelAsync(TestBrowser browser)
    {
        var verify = TestBrowser.Parse(await (await browser.GetAsync("/icelandic-eid/verify")).Content.ReadAsStringAsync());
        var token = verify.QuerySelector("form[action='/icelandic-eid/cancel'] input[name='__RequestVerificationToken']")!.GetAttribute("value")!;
        var cancelled = await browser.PostFormAsync("/icelandic-eid/cancel", new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
        Assert.Equal(HttpStatusCode.SeeOther, cancelled.StatusCode);
        return cancelled;
    }

    private sealed class NeverAnsweredFor(string identifier, IIcelandicEidProvider inner) : IIcelandicEidProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _silent = new();

        public string Name => inner.Name;

        public async Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
        {
            var result = await inner.StartAsync(request, cancellationToken);
            if (request.Identifier == identifier && result.Reference is { } reference)
            {
                _silent[reference] = true;
            }

            return result;
        }

        public Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
            => _silent.ContainsKey(request.Reference) ? Task.FromResult(EidPollResult.Pending) : inner.PollAsync(request, cancellationToken);
    }

    private sealed class CancellableProvider(IIcelandicEidProvider inner) : IIcelandicEidProvider, IEidProviderCancellation
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Cancelled { get; } = new();

        public string Name => inner.Name;

        public Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken) => inner.StartAsync(request, cancellationToken);

        public Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken) => inner.PollAsync(request, cancellationToken);

        public Task CancelAsync(EidPollRequest request, CancellationToken cancellationToken)
        {
            Cancelled.Enqueue(request.Reference);
            return Task.CompletedTask;
        }
    }
}
