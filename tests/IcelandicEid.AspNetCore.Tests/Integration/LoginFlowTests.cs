using System.Net;
using System.Security.Claims;
using System.Text.Json;
using IcelandicEid.AspNetCore;
using IcelandicEid.Simulation;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace IcelandicEid.Tests.Integration;

/// <summary>The whole login through a host app that has no MVC, Razor Pages or controllers.</summary>
public class LoginFlowTests
{
    [Theory]
    [InlineData("sim", "888-1234", "+3548881234")]
    [InlineData("sim", "+354 777 1234", "+3547771234")]
    [InlineData("app", "241080-3079", "+3548881234")]
    public async Task Challenge_to_profile_with_the_right_claims(string method, string identifier, string phone)
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();

        var finish = await TestLogins.LoginAsync(app, browser, method, identifier);
        Assert.Equal(HttpStatusCode.Redirect, finish.StatusCode);
        Assert.Equal("/profile", finish.Headers.Location!.OriginalString);

        var claims = await TestLogins.ProfileAsync(browser);
        string Claim(string type) => Assert.Single(claims, c => c.Type == type).Value;
        Assert.Equal("Jón Prófari Jónsson", Claim(ClaimTypes.Name));
        Assert.Equal("2410803079", Claim(ClaimTypes.NameIdentifier));
        Assert.Equal("2410803079", Claim(IcelandicEidClaimTypes.Kennitala));
        Assert.Equal(phone, Claim(ClaimTypes.MobilePhone));
        Assert.Equal("Laugavegur 1", Claim(ClaimTypes.StreetAddress));
        Assert.Equal("101", Claim(ClaimTypes.PostalCode));
        Assert.Equal("Reykjavík", Claim(ClaimTypes.Locality));
        Assert.Equal("1980-10-24", Claim(ClaimTypes.DateOfBirth));
        Assert.Equal("0101302049", Claim(IcelandicEidClaimTypes.PartnerKennitala));
        Assert.Equal(method, Claim(ClaimTypes.AuthenticationMethod));
        Assert.Equal("Simulator", Claim(IcelandicEidClaimTypes.Provider));
        Assert.Equal(app.Time.Start.AddSeconds(4).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture), Claim(ClaimTypes.AuthenticationInstant));

        // The login cookie now names a consumed login: Back to the login's pages goes on to where the person was going,
        // with no failure and no second sign-in.
        var back = await browser.GetAsync("/icelandic-eid/verify");
        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        Assert.Equal("/profile", back.Headers.Location!.OriginalString);
        var again = await browser.FinishAsync();
        Assert.Equal("/profile", again.Headers.Location!.OriginalString);
        Assert.False(again.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task The_browser_never_sees_personal_data_or_the_upstream_reference_in_urls_or_status()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        var started = await browser.SubmitAsync(form, "sim", "888 1234");
        Assert.DoesNotContain("8881234", started.Headers.Location!.OriginalString, StringComparison.Ordinal);

        var verify = await (await browser.GetAsync("/icelandic-eid/verify")).Content.ReadAsStringAsync();
        var (_, status) = await browser.StatusAsync();
        foreach (var text in new[] { verify, status.GetRawText() })
        {
            Assert.DoesNotContain("8881234", text, StringComparison.Ordinal);
            Assert.DoesNotContain("sim.", text, StringComparison.Ordinal); // the simulator's reference prefix
        }

        app.Time.Advance(TimeSpan.FromSeconds(4));
        var (_, done) = await browser.StatusAsync();
        Assert.DoesNotContain("2410803079", done.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("Jón", done.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_hold_identifiers_only_masked()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        await TestLogins.LoginAsync(app, browser, "sim", "8881234");
        using var other = app.NewBrowser();
        await TestLogins.LoginAsync(app, other, "app", "2410803079");

        var logs = app.Logs.AllText();
        Assert.Contains("***-**34", logs, StringComparison.Ordinal);
        Assert.Contains("******-**79", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("8881234", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("2410803079", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("241080-3079", logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_upstream_is_polled_at_most_once_per_interval_however_often_browsers_ask()
    {
        var time = new FakeTimeProvider();
        var counting = new CountingProvider(new SimulatorProvider(new SimulatorOptions { ApprovalDelay = TimeSpan.FromSeconds(30) }, time));
        await using var app = await TestApp.StartAsync(o => o.ProviderInstance = counting, time: time);
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        await browser.SubmitAsync(form, "sim", "8881234");

        // 20 status requests (as from several tabs) within one interval: no poll before the interval, one after.
        for (var i = 0; i < 20; i++)
        {
            await browser.StatusAsync();
        }

        Assert.Equal(0, counting.Polls);
        app.Time.Advance(TimeSpan.FromSeconds(1));
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => browser.StatusAsync()));
        Assert.Equal(1, counting.Polls);
        await browser.GetAsync("/icelandic-eid/verify");
        Assert.Equal(1, counting.Polls);

        app.Time.Advance(TimeSpan.FromSeconds(1));
        await browser.StatusAsync();
        await browser.StatusAsync();
        Assert.Equal(2, counting.Polls);
    }

    [Fact]
    public async Task The_status_tells_the_page_when_to_ask_again()
    {
        await using var app = await TestApp.StartAsync(o => o.Simulator.PollInterval = TimeSpan.FromSeconds(3));
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        await browser.SubmitAsync(form, "app", "2410803079");
        var (code, json) = await browser.StatusAsync();
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal(3000, json.GetProperty("retryAfterMs").GetInt32());
        Assert.Equal(180, json.GetProperty("secondsLeft").GetInt32());
        Assert.Matches("^[0-9]{4}$", json.GetProperty("verificationCode").GetString());
    }

    [Fact]
    public async Task The_verification_page_shows_the_code_status_countdown_and_cancel()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        await browser.SubmitAsync(form, "sim", "8881234");
        var response = await browser.GetAsync("/icelandic-eid/verify");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        var (_, status) = await browser.StatusAsync();
        var document = TestBrowser.Parse(html);

        var code = status.GetProperty("verificationCode").GetString()!;
        Assert.Equal(code, document.QuerySelector("#eid-code")!.GetAttribute("data-code"));
        // Read digit by digit, with its name: "Öryggistala: 7 2 3 8".
        Assert.Equal("Öryggistala: " + string.Join(' ', code.ToCharArray()), document.QuerySelector("#eid-code .eid-sr")!.TextContent);
        Assert.Equal("Beiðnin var send á 888 ••34.", document.QuerySelector(".eid-sent")!.TextContent);
        Assert.Contains("Staðfestu aldrei beiðni", document.QuerySelector(".eid-never")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(document.QuerySelector("noscript"));
        Assert.Equal("status", document.QuerySelector("#eid-status")!.GetAttribute("role"));
        Assert.Equal("3:00", document.QuerySelector("#eid-time-left")!.TextContent);
        Assert.NotNull(document.QuerySelector("form[action='/icelandic-eid/cancel'] button"));
        Assert.Empty(document.QuerySelectorAll("script:not([src])")); // no inline script
        Assert.Empty(document.QuerySelectorAll("[style]"));
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_removes_the_login_and_returns_to_the_form()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        await browser.SubmitAsync(form, "sim", "8881234");
        var verify = TestBrowser.Parse(await (await browser.GetAsync("/icelandic-eid/verify")).Content.ReadAsStringAsync());
        var token = verify.QuerySelector("form[action='/icelandic-eid/cancel'] input[name='__RequestVerificationToken']")!.GetAttribute("value")!;

        var cancelled = await browser.PostFormAsync("/icelandic-eid/cancel", new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
        Assert.Equal(HttpStatusCode.SeeOther, cancelled.StatusCode);
        Assert.StartsWith("/icelandic-eid/login?state=", cancelled.Headers.Location!.OriginalString, StringComparison.Ordinal);

        app.Time.Advance(TimeSpan.FromSeconds(4));
        // Back to the cancelled login's pages (a history entry): the form again, not a failure, never a sign-in.
        var finish = await browser.FinishAsync();
        Assert.Equal(HttpStatusCode.SeeOther, finish.StatusCode);
        Assert.StartsWith("/icelandic-eid/login?state=", finish.Headers.Location!.OriginalString, StringComparison.Ordinal);

        // The form comes back with the number filled in (from an encrypted cookie, never the URL) and SIM chosen.
        var refilled = TestBrowser.Parse(await (await browser.GetAsync(cancelled.Headers.Location.OriginalString)).Content.ReadAsStringAsync());
        Assert.Equal("888 1234", refilled.QuerySelector("input[name=phone]")!.GetAttribute("value"));
        Assert.NotNull(refilled.QuerySelector("input#eid-m-sim[checked]"));
        Assert.DoesNotContain("8881234", cancelled.Headers.Location.OriginalString, StringComparison.Ordinal);

        // Starting again from the cancel redirect still returns to the original page.
        var again = await browser.ReadLoginAsync(cancelled.Headers.Location.OriginalString);
        await browser.SubmitAsync(again, "sim", "8881234");
        app.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("/profile", (await browser.FinishAsync()).Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Finishing_too_early_goes_back_to_the_verification_page()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        await browser.SubmitAsync(form, "sim", "8881234");
        var early = await browser.FinishAsync();
        Assert.Equal(HttpStatusCode.SeeOther, early.StatusCode);
        Assert.Equal("/icelandic-eid/verify", early.Headers.Location!.OriginalString);

        app.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(HttpStatusCode.Redirect, (await browser.FinishAsync()).StatusCode);
    }

    [Fact]
    public async Task Without_script_the_verification_page_itself_moves_on()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        await browser.SubmitAsync(form, "sim", "8881234");
        var html = await (await browser.GetAsync("/icelandic-eid/verify")).Content.ReadAsStringAsync();
        Assert.Contains("<noscript><meta http-equiv=\"refresh\"", html, StringComparison.Ordinal);

        app.Time.Advance(TimeSpan.FromSeconds(4));
        var verify = await browser.GetAsync("/icelandic-eid/verify");
        Assert.Equal(HttpStatusCode.SeeOther, verify.StatusCode);
        Assert.Equal("/icelandic-eid/finish", verify.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Events_can_add_claims_and_see_the_person()
    {
        await using var app = await TestApp.StartAsync(o => o.Events.OnCreatingTicket = ctx =>
        {
            ctx.Identity!.AddClaim(new Claim("role", ctx.Person.City == "Reykjavík" ? "resident" : "visitor"));
            return Task.CompletedTask;
        });
        using var browser = app.NewBrowser();
        await TestLogins.LoginAsync(app, browser, "sim", "8881234");
        Assert.Contains(await TestLogins.ProfileAsync(browser), c => c.Type == "role" && c.Value == "resident");
    }

    [Fact]
    public async Task Events_can_refuse_a_login()
    {
        EidFailureReason? seen = null;
        await using var app = await TestApp.StartAsync(o =>
        {
            o.Events.OnCreatingTicket = ctx =>
            {
                ctx.Fail("not a customer");
                return Task.CompletedTask;
            };
            o.Events.OnRemoteFailure = ctx =>
            {
                seen = (ctx.Failure as IcelandicEidLoginFailedException)?.Reason;
                return IcelandicEidEvents.RenderFailurePageAsync(ctx);
            };
        });
        using var browser = app.NewBrowser();
        var finish = await TestLogins.LoginAsync(app, browser, "sim", "8881234");
        Assert.Equal(HttpStatusCode.OK, finish.StatusCode);
        Assert.Contains("Ekki tókst að ljúka innskráningunni", await finish.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(EidFailureReason.Other, seen);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/profile")).StatusCode);
    }

    [Fact]
    public async Task Handled_remote_failures_are_left_to_the_app()
    {
        await using var app = await TestApp.StartAsync(o => o.Events.OnRemoteFailure = ctx =>
        {
            ctx.Response.Redirect("/login-failed");
            ctx.HandleResponse();
            return Task.CompletedTask;
        });
        using var browser = app.NewBrowser();
        var finish = await TestLogins.LoginAsync(app, browser, "sim", "6100001");
        Assert.Equal(HttpStatusCode.Redirect, finish.StatusCode);
        Assert.Equal("/login-failed", finish.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("en-GB,en;q=0.9", "en", "Log in to Sýnibær", "A mobile number is seven digits, for example 888 1234.")]
    [InlineData("is-IS", "is", "Innskráning á Sýnibær", "Farsímanúmer er sjö tölustafir, til dæmis 888 1234.")]
    [InlineData("de-DE", "en", "Log in to Sýnibær", "A mobile number is seven digits, for example 888 1234.")]
    [InlineData("pl, is;q=0.5", "is", "Innskráning á Sýnibær", "Farsímanúmer er sjö tölustafir, til dæmis 888 1234.")]
    public async Task Pages_speak_the_request_language(string acceptLanguage, string lang, string title, string phoneError)
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        browser.AcceptLanguage = acceptLanguage;
        var response = await browser.GetAsync("/icelandic-eid/login");
        var document = TestBrowser.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(lang, document.DocumentElement.GetAttribute("lang"));
        Assert.Equal(title, document.QuerySelector("h1")!.TextContent);

        var form = TestBrowser.ParseLogin(document.DocumentElement.OuterHtml);
        var bad = await browser.SubmitAsync(form, "sim", "12");
        Assert.Contains(phoneError, await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serves_its_assets()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var js = await browser.GetAsync("/icelandic-eid/assets/eid.js");
        Assert.Equal(HttpStatusCode.OK, js.StatusCode);
        Assert.Equal("text/javascript", js.Content.Headers.ContentType!.MediaType);
        Assert.Contains("data-eid-status-url", await js.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/icelandic-eid/assets/eid.css")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/icelandic-eid/assets/other.js")).StatusCode);
    }

    [Fact]
    public async Task A_second_scheme_with_its_own_path_works_beside_the_first()
    {
        await using var app = await TestApp.StartAsync(services: s => s.AddAuthentication().AddIcelandicEid("Second", o =>
        {
            o.Provider = "Simulator";
            o.AllowPlainHttp = true;
            o.BasePath = "/eid2";
            o.LoginCookie.Name = ".Second.Login";
        }));
        using var browser = app.NewBrowser();
        var page = await browser.GetAsync("/eid2/login");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("action=\"/eid2/start\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<IcelandicEidOptions>>().Get("Second");
        Assert.Equal("/eid2/finish", options.CallbackPath.Value);
    }
}
