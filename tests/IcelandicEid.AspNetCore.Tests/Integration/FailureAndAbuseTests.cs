using System.Net;
using IcelandicEid.AspNetCore;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IcelandicEid.Tests.Integration;

public class FailureAndAbuseTests
{
    [Theory]
    [InlineData("sim", "6100001", HttpStatusCode.OK, "Hætt við innskráningu", "Beiðninni var hafnað í símanum.", EidFailureReason.Cancelled)]
    [InlineData("sim", "6100002", HttpStatusCode.OK, "Tíminn rann út", "Innskráningin var ekki staðfest í tæka tíð.", EidFailureReason.TimedOut)]
    [InlineData("sim", "6100003", HttpStatusCode.BadGateway, "Villa hjá þjónustu rafrænna skilríkja", "Villa kom upp hjá þjónustu rafrænna skilríkja.", EidFailureReason.UpstreamError)]
    [InlineData("sim", "6100005", HttpStatusCode.OK, "Ekki er hægt að nota skilríkin", "Skilríkin læsast ef PIN-númer", EidFailureReason.Blocked)]
    [InlineData("app", "010190-1019", HttpStatusCode.OK, "Hætt við innskráningu", "Beiðninni var hafnað í símanum.", EidFailureReason.Cancelled)]
    [InlineData("app", "010190-1029", HttpStatusCode.OK, "Tíminn rann út", "Innskráningin var ekki staðfest í tæka tíð.", EidFailureReason.TimedOut)]
    public async Task Each_failed_outcome_shows_its_own_title_and_words_and_reaches_OnRemoteFailure(
        string method, string identifier, HttpStatusCode code, string title, string message, EidFailureReason reason)
    {
        EidFailureReason? seen = null;
        await using var app = await TestApp.StartAsync(o => o.Events.OnRemoteFailure = ctx =>
        {
            seen = ((IcelandicEidLoginFailedException)ctx.Failure!).Reason;
            return IcelandicEidEvents.RenderFailurePageAsync(ctx);
        });
        using var browser = app.NewBrowser();

        var finish = await TestLogins.LoginAsync(app, browser, method, identifier);
        Assert.Equal(code, finish.StatusCode);
        var document = TestBrowser.Parse(await finish.Content.ReadAsStringAsync());
        Assert.Equal(title, document.QuerySelector("h1")!.TextContent);
        Assert.StartsWith(message, document.QuerySelector(".eid-message")!.TextContent, StringComparison.Ordinal);
        // A person's own cancel and a timeout are not errors: a status, not an alert.
        Assert.Equal(reason is EidFailureReason.Cancelled or EidFailureReason.TimedOut ? "status" : "alert", document.QuerySelector(".eid-message")!.GetAttribute("role"));
        Assert.NotNull(document.QuerySelector("footer a[href='/']"));
        Assert.NotNull(document.QuerySelector("footer a[href^='https://www.audkenni.is/']"));
        var retry = document.QuerySelector("a.eid-retry")!.GetAttribute("href")!;
        Assert.StartsWith("/icelandic-eid/login?state=", retry, StringComparison.Ordinal);
        Assert.Equal(reason, seen);

        // Trying again from the failure page still leads back to the page first asked for.
        var again = await browser.ReadLoginAsync(retry);
        await browser.SubmitAsync(again, "sim", "8881234");
        app.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("/profile", (await browser.FinishAsync()).Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("6100004", HttpStatusCode.OK, "Ekki tókst að senda beiðni á þetta farsímanúmer.")]
    [InlineData("6100009", HttpStatusCode.ServiceUnavailable, "Þjónusta rafrænna skilríkja er ekki tiltæk")]
    public async Task A_refused_or_failed_start_shows_a_clear_message(string phone, HttpStatusCode code, string message)
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        var response = await browser.SubmitAsync(form, "sim", phone);
        Assert.Equal(code, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(browser.Cookie(IcelandicEidDefaults.LoginCookieName));
    }

    [Fact]
    public async Task Not_found_and_blocked_each_get_their_own_words_and_name_nobody()
    {
        await using var app = await TestApp.StartAsync();
        using var a = app.NewBrowser();
        using var b = app.NewBrowser();
        var notFound = await a.SubmitAsync(await a.OpenLoginAsync(), "sim", "6100004");
        var blocked = await TestLogins.LoginAsync(app, b, "sim", "6100005");
        string Message(string html) => TestBrowser.Parse(html).QuerySelector("[role=alert]")!.TextContent;
        var (one, other) = (await notFound.Content.ReadAsStringAsync(), await blocked.Content.ReadAsStringAsync());
        Assert.NotEqual(Message(one), Message(other));
        Assert.DoesNotContain("610", Message(one), StringComparison.Ordinal);
        Assert.DoesNotContain("610", Message(other), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_upstream_that_keeps_failing_ends_the_login_as_unavailable_not_a_500()
    {
        var time = new FakeTimeProvider();
        await using var app = await TestApp.StartAsync(o => o.ProviderInstance = new BrokenPollProvider(), time: time);
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        await browser.SubmitAsync(form, "sim", "8881234");
        for (var i = 0; i < 4; i++)
        {
            time.Advance(TimeSpan.FromSeconds(2));
            var (code, json) = await browser.StatusAsync();
            Assert.Equal(HttpStatusCode.OK, code);
            Assert.Equal("pending", json.GetProperty("status").GetString());
        }

        time.Advance(TimeSpan.FromSeconds(2));
        var (_, failed) = await browser.StatusAsync();
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal("unavailable", failed.GetProperty("reason").GetString());
        var finish = await browser.FinishAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, finish.StatusCode);
        Assert.Contains("PollError", string.Join(',', app.Logs.Entries.Select(e => e.Id.Name)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_poll_error_in_between_does_not_lose_a_login_that_was_otherwise_fine()
    {
        var time = new FakeTimeProvider();
        var flaky = new FlakyProvider(new IcelandicEid.Simulation.SimulatorProvider(new() { ApprovalDelay = TimeSpan.FromSeconds(3) }, time));
        await using var app = await TestApp.StartAsync(o => o.ProviderInstance = flaky, time: time);
        using var browser = app.NewBrowser();
        var finish = await TestLogins.LoginAsync(app, browser, "sim", "8881234"); // first poll fails, later ones work
        Assert.Equal(HttpStatusCode.SeeOther, finish.StatusCode); // not done yet: the failed poll cost one interval
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("/profile", (await browser.FinishAsync()).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_forged_reference_is_refused()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        browser.SetCookie(IcelandicEidDefaults.LoginCookieName, "CfDJ8forged-value-that-is-not-protected");
        var (code, json) = await browser.StatusAsync();
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Equal("invalid", json.GetProperty("status").GetString());
        AssertBackToTheForm(await browser.FinishAsync());
        AssertBackToTheForm(await browser.GetAsync("/icelandic-eid/verify"));
    }

    [Fact]
    public async Task A_reference_protected_for_another_purpose_is_refused()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();

        // The protected challenge state is a valid data-protection payload, but not a login reference.
        browser.SetCookie(IcelandicEidDefaults.LoginCookieName, form.State);
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.StatusAsync()).Code);
    }

    [Fact]
    public async Task An_expired_login_is_gone()
    {
        await using var app = await TestApp.StartAsync(o => o.Simulator.ApprovalDelay = TimeSpan.FromMinutes(10));
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        await browser.SubmitAsync(form, "sim", "8881234");
        app.Time.Advance(TimeSpan.FromSeconds(179));
        Assert.Equal("pending", (await browser.StatusAsync()).Json.GetProperty("status").GetString());

        app.Time.Advance(TimeSpan.FromSeconds(2));
        var (code, json) = await browser.StatusAsync();
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("expired", json.GetProperty("status").GetString());
        var finish = await browser.FinishAsync();
        Assert.Equal(HttpStatusCode.OK, finish.StatusCode);
        Assert.Contains("Tíminn rann út", await finish.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_approved_login_not_finished_in_time_expires_too()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        await browser.SubmitAsync(form, "sim", "8881234");
        app.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("succeeded", (await browser.StatusAsync()).Json.GetProperty("status").GetString());
        app.Time.Advance(TimeSpan.FromSeconds(180));
        Assert.Contains("Tíminn rann út", await (await browser.FinishAsync()).Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/profile")).StatusCode);
    }

    [Fact]
    public async Task A_completed_login_cannot_be_replayed()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        await browser.SubmitAsync(form, "sim", "8881234");
        var reference = browser.Cookie(IcelandicEidDefaults.LoginCookieName)!;
        app.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(HttpStatusCode.Redirect, (await browser.FinishAsync()).StatusCode);

        // Another browser that copied the reference cookie gets nothing.
        using var thief = app.NewBrowser();
        thief.SetCookie(IcelandicEidDefaults.LoginCookieName, reference);
        var replay = await thief.FinishAsync();
        AssertBackToTheForm(replay);
        Assert.Equal(HttpStatusCode.Redirect, (await thief.GetAsync("/profile")).StatusCode);
        Assert.Equal("expired", (await thief.StatusAsync()).Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Another_browser_cannot_see_or_finish_a_login()
    {
        await using var app = await TestApp.StartAsync();
        using var owner = app.NewBrowser();
        using var other = app.NewBrowser();
        var form = await owner.OpenLoginAsync();
        await owner.SubmitAsync(form, "sim", "8881234");
        app.Time.Advance(TimeSpan.FromSeconds(4));

        Assert.Equal(HttpStatusCode.BadRequest, (await other.StatusAsync()).Code);
        AssertBackToTheForm(await other.FinishAsync());
        AssertBackToTheForm(await other.GetAsync("/icelandic-eid/verify"));

        // Another browser's own login does not reach the first one's state either.
        var otherForm = await other.OpenLoginAsync();
        await other.SubmitAsync(otherForm, "app", "2410803079");
        Assert.Equal("app", (await other.StatusAsync()).Json.GetProperty("method").GetString());
        Assert.Equal("sim", (await owner.StatusAsync()).Json.GetProperty("method").GetString());

        // The owner is unaffected and finishes.
        Assert.Equal(HttpStatusCode.Redirect, (await owner.FinishAsync()).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync("/profile")).StatusCode);
    }

    [Theory]
    [InlineData("//evil.example/x")]
    [InlineData("/\\evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("/%2F%2Fevil.example")]
    [InlineData("%2F%2Fevil.example")]
    [InlineData("/%5Cevil.example")]
    [InlineData("/\t/evil.example")]
    [InlineData("javascript:alert(1)")]
    public async Task Hostile_return_urls_through_a_challenge_end_at_the_default(string hostile)
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var finish = await TestLogins.LoginAsync(app, browser, "sim", "8881234", "/login?returnUrl=" + Uri.EscapeDataString(hostile));
        Assert.Equal(HttpStatusCode.Redirect, finish.StatusCode);
        Assert.Equal("/", finish.Headers.Location!.OriginalString);
        Assert.Contains(app.Logs.Entries, e => e.Id.Name == "ReturnUrlRefused");
    }

    [Theory]
    [InlineData("//evil.example/x")]
    [InlineData("/\\evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("/%2F%2Fevil.example")]
    public async Task Hostile_return_urls_on_the_login_link_end_at_the_default(string hostile)
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var form = await browser.ReadLoginAsync("/icelandic-eid/login?ReturnUrl=" + Uri.EscapeDataString(hostile));
        await browser.SubmitAsync(form, "sim", "8881234");
        app.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("/", (await browser.FinishAsync()).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_local_return_url_on_the_login_link_is_honoured()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var form = await browser.ReadLoginAsync("/icelandic-eid/login?ReturnUrl=" + Uri.EscapeDataString("/profile?tab=2"));
        await browser.SubmitAsync(form, "sim", "8881234");
        app.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("/profile?tab=2", (await browser.FinishAsync()).Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("sim", "", "Sláðu inn farsímanúmer.")]
    [InlineData("sim", "12345", "Farsímanúmer er sjö tölustafir")]
    [InlineData("sim", "5551234", "byrja á 6, 7 eða 8")]
    [InlineData("sim", "+44 7700 900123", "Aðeins er hægt að nota íslensk farsímanúmer (+354).")]
    [InlineData("sim", "<script>alert(1)</script>", "Farsímanúmer er sjö tölustafir")]
    [InlineData("app", "", "Sláðu inn kennitölu.")]
    [InlineData("app", "1234", "Kennitala er tíu tölustafir")]
    [InlineData("app", "3213803079", "fæðingardagur")]
    [InlineData("app", "010199-0010", "fæðingardagur")] // 2099: a birth date in the future
    [InlineData("app", "641080-3079", "ekki fyrirtækis")]
    public async Task Bad_form_input_gets_a_clear_400(string method, string identifier, string message)
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        var response = await browser.SubmitAsync(form, method, identifier);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var document = TestBrowser.Parse(html);
        var input = document.QuerySelector($"#eid-{method}")!;
        Assert.Equal("true", input.GetAttribute("aria-invalid"));
        Assert.Contains(message, document.QuerySelector($"#eid-{method}-error")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
        Assert.Null(browser.Cookie(IcelandicEidDefaults.LoginCookieName));

        // The re-rendered form still works.
        var retry = TestBrowser.ParseLogin(html);
        Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(retry, "sim", "8881234")).StatusCode);
    }

    [Fact]
    public async Task A_kennitala_whose_check_digit_fails_is_accepted()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(form, "app", "241080-3089")).StatusCode);
    }

    [Fact]
    public async Task A_post_without_the_antiforgery_token_is_refused()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        var response = await browser.SubmitAsync(form with { Token = string.Empty }, "sim", "8881234");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Síðan rann út. Reyndu aftur.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A token from another browser does not help either.
        using var attacker = app.NewBrowser();
        var attackerForm = await attacker.OpenLoginAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.SubmitAsync(form with { Token = attackerForm.Token }, "sim", "8881234")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.PostFormAsync("/icelandic-eid/cancel", [])).StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("email")]
    [InlineData("SIM")]
    public async Task An_unknown_method_is_a_400(string method)
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        var response = await browser.SubmitAsync(form, method, "8881234");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Þessi innskráningarleið er ekki í boði.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_switched_off_method_is_neither_offered_nor_accepted()
    {
        await using var app = await TestApp.StartAsync(o => o.EnableApp = false);
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        var page = await (await browser.GetAsync("/icelandic-eid/login")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("eid-app", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.SubmitAsync(form, "app", "2410803079")).StatusCode);
    }

    [Fact]
    public async Task Garbage_requests_never_get_a_500()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var responses = new List<HttpResponseMessage>
        {
            await browser.Client.PostAsync("/icelandic-eid/start", new StringContent("{\"method\":\"sim\"}", System.Text.Encoding.UTF8, "application/json")),
            await browser.Client.PostAsync("/icelandic-eid/start", new StringContent("%%%===&&&", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded")),
            await browser.PostFormAsync("/icelandic-eid/start", [new("identifier", new string('8', 100_000)), new("method", "sim")]),
            await browser.GetAsync("/icelandic-eid/login?state=garbage"),
            await browser.GetAsync("/icelandic-eid/login?ReturnUrl=%ZZ"),
            await browser.GetAsync("/icelandic-eid/start"),
            await browser.Client.DeleteAsync("/icelandic-eid/status"),
            await browser.GetAsync("/icelandic-eid/cancel"),
        };

        foreach (var response in responses)
        {
            Assert.InRange((int)response.StatusCode, 200, 499);
        }

        Assert.Equal(HttpStatusCode.OK, responses[3].StatusCode); // garbage state: the form, with the default return URL
        Assert.Equal(HttpStatusCode.MethodNotAllowed, responses[5].StatusCode);
    }

    [Fact]
    public async Task Ajax_challenges_get_a_401_with_the_login_location()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/profile");
        request.Headers.Add("X-Requested-With", "XMLHttpRequest");
        var response = await browser.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("/icelandic-eid/login?state=", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "Provider")]
    [InlineData("Nonexistent", "Provider")]
    public async Task Options_are_validated_at_startup_naming_the_option(string? provider, string optionName)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Services.AddAuthentication().AddCookie().AddIcelandicEid(o => o.Provider = provider);
        await using var app = builder.Build();
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
        Assert.Contains(optionName, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("BasePath", "icelandic-eid/")]
    [InlineData("RemoteAuthenticationTimeout", "00:20:00")]
    [InlineData("MinimumPollInterval", "00:00:00")]
    [InlineData("DefaultReturnUrl", "https://evil.example/")]
    [InlineData("EnableSim", "false")]
    [InlineData("Limits:HashKey", "too short")]
    [InlineData("Limits:KnownBrowserLifetime", "-00:00:01")]
    public async Task Bad_configuration_values_stop_startup_naming_the_option(string key, string value)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["IcelandicEid:Provider"] = "Simulator",
            ["IcelandicEid:" + key] = value,
            ["IcelandicEid:EnableApp"] = key == "EnableSim" ? "false" : "true",
        });
        builder.Services.AddAuthentication().AddCookie().AddIcelandicEid();
        await using var app = builder.Build();
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_bind_from_configuration()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["IcelandicEid:Provider"] = "Simulator",
            ["IcelandicEid:BasePath"] = "/innskraning",
            ["IcelandicEid:RemoteAuthenticationTimeout"] = "00:02:00",
            ["IcelandicEid:Simulator:ApprovalDelay"] = "00:00:07",
            ["IcelandicEid:LoginCookie:Name"] = ".Custom",
        });
        builder.Services.AddAuthentication().AddCookie().AddIcelandicEid();
        await using var app = builder.Build();
        await app.StartAsync();
        var options = app.Services.GetRequiredService<IOptionsMonitor<IcelandicEidOptions>>().Get(IcelandicEidDefaults.AuthenticationScheme);
        Assert.Equal("/innskraning", options.BasePath.Value);
        Assert.Equal("/innskraning/finish", options.CallbackPath.Value);
        Assert.Equal(TimeSpan.FromMinutes(2), options.RemoteAuthenticationTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), options.Simulator.ApprovalDelay);
        Assert.Equal(".Custom", options.LoginCookie.Name);
        Assert.Null(options.ProviderInstance); // the provider is a service, not an option
        Assert.IsType<IcelandicEid.Simulation.SimulatorProvider>(app.Services.GetRequiredService<IcelandicEidProviders>().Get(IcelandicEidDefaults.AuthenticationScheme, options));
        await app.StopAsync();
    }

    private sealed class BrokenPollProvider : IIcelandicEidProvider
    {
        public string Name => "Broken";

        public Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
            => Task.FromResult(EidStartResult.Started("ref", "1234", TimeSpan.FromSeconds(2)));

        public Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
            => throw new HttpRequestException("connection refused");
    }

    private sealed class FlakyProvider(IIcelandicEidProvider inner) : IIcelandicEidProvider
    {
        private int _polls;

        public string Name => inner.Name;

        public Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
            => inner.StartAsync(request, cancellationToken);

        public Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
            => Interlocked.Increment(ref _polls) == 1
                ? throw new EidProviderException("transient")
                : inner.PollAsync(request, cancellationToken);
    }

    /// <summary>A page of a login that is not there (forged, someone else's, replayed): the form again, never a sign-in
    /// and never a failure page.</summary>
    private static void AssertBackToTheForm(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.StartsWith("/icelandic-eid/login?state=", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }
}
