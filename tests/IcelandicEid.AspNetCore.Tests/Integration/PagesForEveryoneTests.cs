using System.Net;
using IcelandicEid.AspNetCore;
using IcelandicEid.AspNetCore.Ui;
using IcelandicEid.Simulation;
using IcelandicEid.Tests.Infrastructure;

namespace IcelandicEid.Tests.Integration;

/// <summary>Who is asking, pages that say what to do, and pages that keep what they said: through the handler.</summary>
public sealed class PagesForEveryoneTests
{
    /// <summary>With no ServiceName the pages name the site's host, never an assembly name; the phone names nobody (a
    /// host from the request is not put on a phone); in Production a warning says what to set.</summary>
    [Fact]
    public async Task Without_a_service_name_the_pages_name_the_host_and_Production_warns()
    {
        var upstream = new CountingProvider(new SimulatorProvider(new SimulatorOptions(), TimeProvider.System));
        await using var app = await TestApp.StartAsync(o => { o.ServiceName = null; o.ProviderInstance = upstream; }, environment: "Production");
        using var browser = app.NewBrowser();
        var page = TestBrowser.Parse(await (await browser.GetAsync("/icelandic-eid/login")).Content.ReadAsStringAsync());
        Assert.Equal("Innskráning á localhost", page.QuerySelector("h1")!.TextContent);
        Assert.Equal("localhost", page.QuerySelector(".eid-service span")!.TextContent);
        Assert.DoesNotContain("SampleWeb", page.DocumentElement.OuterHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("testhost", page.DocumentElement.OuterHtml, StringComparison.Ordinal);
        Assert.Contains(app.Logs.Entries, e => e.Id.Id == 28 && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning);

        await browser.SubmitAsync(TestBrowser.ParseLogin(page.DocumentElement.OuterHtml), "sim", "8881234");
        Assert.Null(upstream.LastServiceName);
    }

    [Fact]
    public async Task A_service_name_is_in_the_heading_the_title_the_bar_and_on_the_phone()
    {
        var upstream = new CountingProvider(new SimulatorProvider(new SimulatorOptions(), TimeProvider.System));
        await using var app = await TestApp.StartAsync(o => { o.ServiceName = "Mínar síður Sýnibæjar"; o.ProviderInstance = upstream; }, environment: "Production");
        using var browser = app.NewBrowser();
        var html = await (await browser.GetAsync("/icelandic-eid/login?lang=en")).Content.ReadAsStringAsync();
        var page = TestBrowser.Parse(html);
        Assert.Equal("Log in to Mínar síður Sýnibæjar", page.QuerySelector("h1")!.TextContent);
        Assert.Equal("Log in to Mínar síður Sýnibæjar", page.Title);
        Assert.Equal("Mínar síður Sýnibæjar", page.QuerySelector(".eid-service span")!.TextContent);
        Assert.DoesNotContain(app.Logs.Entries, e => e.Id.Id == 28);
        await browser.SubmitAsync(TestBrowser.ParseLogin(html), "sim", "8881234");
        Assert.Equal("Mínar síður Sýnibæjar", upstream.LastServiceName);
    }

    /// <summary>The language switch of a failure page shows the same failure in the other language (it used to land on
    /// an empty form); a forged or foreign switch leads to the form, never to a page it wrote.</summary>
    [Fact]
    public async Task The_language_switch_on_a_failure_page_keeps_the_failure()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var failed = TestBrowser.Parse(await (await browser.SubmitAsync(await browser.OpenLoginAsync("/profile?tab=1"), "sim", "6100004")).Content.ReadAsStringAsync());
        Assert.Equal("Ekki tókst að senda beiðni", failed.QuerySelector("h1")!.TextContent);
        var link = failed.QuerySelector("a.eid-lang")!.GetAttribute("href")!;
        Assert.StartsWith("/icelandic-eid/failed?f=", link, StringComparison.Ordinal);
        Assert.DoesNotContain("6100004", link, StringComparison.Ordinal);

        var english = TestBrowser.Parse(await (await browser.GetAsync(link)).Content.ReadAsStringAsync());
        Assert.Equal("en", english.DocumentElement.GetAttribute("lang"));
        Assert.Equal("The request could not be sent", english.QuerySelector("h1")!.TextContent);
        Assert.Contains("could not be sent to this mobile number", english.QuerySelector(".eid-message")!.TextContent, StringComparison.Ordinal);

        // Its "try again" still leads to where the person was going, and back to Icelandic keeps the page too.
        var retry = await browser.ReadLoginAsync(english.QuerySelector("a.eid-retry")!.GetAttribute("href")!);
        Assert.NotEmpty(retry.State);
        var back = TestBrowser.Parse(await (await browser.GetAsync(english.QuerySelector("a.eid-lang")!.GetAttribute("href")!)).Content.ReadAsStringAsync());
        Assert.Equal("Ekki tókst að senda beiðni", back.QuerySelector("h1")!.TextContent);

        var forged = await browser.GetAsync("/icelandic-eid/failed?f=CfDJ8forged&lang=en");
        Assert.Equal(HttpStatusCode.SeeOther, forged.StatusCode);
        Assert.StartsWith("/icelandic-eid/login", forged.Headers.Location!.OriginalString, StringComparison.Ordinal);

        // Older than its lifetime on the handler's clock: the form.
        app.Time.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(HttpStatusCode.SeeOther, (await browser.GetAsync(link)).StatusCode);
    }

    /// <summary>"Too many": its own title, what was limited in words, the wait, and no "try again" that cannot work.</summary>
    [Fact]
    public async Task Too_many_starts_say_what_was_limited_and_offer_no_retry_that_cannot_work()
    {
        await using var app = await TestApp.StartAsync(o => { o.Limits.StartsPerClientAddress = 1; o.Limits.Window = TimeSpan.FromMinutes(10); }, clientAddress: IPAddress.Parse("203.0.113.5"));
        using var browser = app.NewBrowser();
        await browser.SubmitAsync(await browser.OpenLoginAsync(), "app", "241080-3079");
        using var other = app.NewBrowser();
        var refused = await other.SubmitAsync(await other.OpenLoginAsync(), "sim", "8881234");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var page = TestBrowser.Parse(await refused.Content.ReadAsStringAsync());
        Assert.Equal("Of margar tilraunir", page.QuerySelector("h1")!.TextContent);
        Assert.Contains("frá þessari nettengingu", page.QuerySelector(".eid-message")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("mínút", page.QuerySelector(".eid-message")!.TextContent, StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("a.eid-retry"));
        Assert.NotNull(page.QuerySelector(".eid-foot a[href='/']"));
    }

    /// <summary>The contested browser is told where the login goes on, and "log in here" says first what it does to the
    /// other browser: the form it leads to carries the warning before anything is sent.</summary>
    [Fact]
    public async Task The_contested_page_says_where_to_continue_and_asks_before_taking_over()
    {
        await using var app = await TestApp.StartAsync(o => o.Simulator.ApprovalDelay = TimeSpan.FromSeconds(10));
        using var first = app.NewBrowser();
        using var second = app.NewBrowser();
        await first.SubmitAsync(await first.OpenLoginAsync(), "app", "241080-3079");
        app.Time.Advance(TimeSpan.FromSeconds(5));
        await second.SubmitAsync(await second.OpenLoginAsync(), "app", "2410803079");
        app.Time.Advance(TimeSpan.FromSeconds(1));
        await first.StatusAsync();
        var page = TestBrowser.Parse(await (await first.FinishAsync()).Content.ReadAsStringAsync());
        Assert.Equal("Innskráningin heldur áfram í öðrum vafra", page.QuerySelector("h1")!.TextContent);
        var message = page.QuerySelector(".eid-message")!;
        Assert.Equal("status", message.GetAttribute("role"));
        Assert.Contains("Ljúktu innskráningunni þar", message.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("öryggistöl", page.DocumentElement.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("sama númeri", page.DocumentElement.TextContent, StringComparison.Ordinal);
        var retry = page.QuerySelector("a.eid-retry")!;
        Assert.Equal("Skrá inn í þessum vafra í staðinn", retry.TextContent);

        var form = TestBrowser.Parse(await (await first.GetAsync(retry.GetAttribute("href")!)).Content.ReadAsStringAsync());
        Assert.Contains("stöðvast innskráningin í hinum vafranum", form.QuerySelector(".eid-message")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("pending", (await second.StatusAsync()).Json.GetProperty("status").GetString());
    }

    /// <summary>Back after logging in reaches the login address: the person is told they are logged in and offered the
    /// way on (or another login), never the bare form.</summary>
    [Fact]
    public async Task A_logged_in_person_at_the_login_address_is_told_so_and_offered_the_way_on()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync("/profile");
        await browser.SubmitAsync(form, "sim", "8881234");
        app.Time.Advance(TimeSpan.FromSeconds(4));
        await browser.StatusAsync();
        Assert.Equal("/profile", (await browser.FinishAsync()).Headers.Location!.OriginalString);

        var page = TestBrowser.Parse(await (await browser.GetAsync("/icelandic-eid/login?state=" + Uri.EscapeDataString(form.State))).Content.ReadAsStringAsync());
        Assert.Equal("Innskráningu er lokið", page.QuerySelector("h1")!.TextContent);
        Assert.Null(page.QuerySelector("form[data-eid-login]"));
        Assert.Equal("/profile", page.QuerySelector("a.eid-continue")!.GetAttribute("href"));
        Assert.Contains("again=1", page.QuerySelector("a.eid-again")!.GetAttribute("href")!, StringComparison.Ordinal);
    }

    /// <summary>After a time-out, "try again" comes back filled in, as after a cancel or a decline.</summary>
    [Fact]
    public async Task Try_again_after_a_time_out_is_filled_in()
    {
        await using var app = await TestApp.StartAsync(o => o.Simulator.ApprovalDelay = TimeSpan.FromHours(1));
        using var browser = app.NewBrowser();
        await browser.SubmitAsync(await browser.OpenLoginAsync("/profile"), "sim", "888 1234");
        app.Time.Advance(TimeSpan.FromMinutes(4));
        var page = TestBrowser.Parse(await (await browser.GetAsync("/icelandic-eid/verify")).Content.ReadAsStringAsync());
        var finish = await browser.FinishAsync();
        var failed = TestBrowser.Parse(await finish.Content.ReadAsStringAsync());
        var retry = failed.QuerySelector("a.eid-retry")?.GetAttribute("href") ?? page.QuerySelector("a.eid-retry")!.GetAttribute("href")!;
        var form = TestBrowser.Parse(await (await browser.GetAsync(retry)).Content.ReadAsStringAsync());
        Assert.Equal("888 1234", form.QuerySelector("input[name=phone]")!.GetAttribute("value"));
    }

    /// <summary>The verification page for screen readers and keyboards: the code's label said once, the number heard as
    /// its last digits, the late hint and the time warning in live regions from the start, the language switch right
    /// after the heading, and Auðkenni's phone a tel: link.</summary>
    [Fact]
    public async Task The_verification_page_reads_well_and_its_help_line_calls()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "7771234");
        var page = TestBrowser.Parse(await (await browser.GetAsync("/icelandic-eid/verify")).Content.ReadAsStringAsync());
        Assert.Equal("true", page.QuerySelector("#eid-code-label")!.GetAttribute("aria-hidden"));
        Assert.Single(page.QuerySelectorAll(".eid-code .eid-sr"));
        Assert.Equal("true", page.QuerySelector(".eid-sent")!.GetAttribute("aria-hidden"));
        Assert.Contains(page.QuerySelectorAll(".eid-sr"), e => e.TextContent == "Beiðnin var send á farsímanúmer sem endar á 34.");
        Assert.Equal("status", page.QuerySelector("#eid-late")!.GetAttribute("role"));
        Assert.Equal("status", page.QuerySelector("#eid-time-warn")!.GetAttribute("role"));
        Assert.Equal(string.Empty, page.QuerySelector("#eid-late")!.TextContent);
        Assert.Equal("tel:+3545300000", page.QuerySelector(".eid-foot a[href^='tel:']")!.GetAttribute("href"));

        // Forward Tab from the focused heading reaches the language switch first.
        var heading = page.QuerySelector("h1")!;
        Assert.Equal("eid-lang-row", heading.NextElementSibling!.ClassName);

        // The code comes before the instructions.
        var html = page.DocumentElement.OuterHtml;
        Assert.True(html.IndexOf("id=\"eid-code\"", StringComparison.Ordinal) < html.IndexOf("Beiðni hefur verið send", StringComparison.Ordinal));
    }

    [Fact]
    public void Every_failure_a_person_can_act_on_has_its_own_title_in_both_languages()
    {
        foreach (var t in new[] { IcelandicEidTexts.Icelandic, IcelandicEidTexts.English })
        {
            EidFailureReason[] reasons = [EidFailureReason.UpstreamError, EidFailureReason.IdentityMismatch, EidFailureReason.Contested, EidFailureReason.AlreadyInProgress,
                EidFailureReason.NotVerified, EidFailureReason.FinishFailed, EidFailureReason.Cancelled, EidFailureReason.TimedOut, EidFailureReason.Blocked, EidFailureReason.NotFound, EidFailureReason.Unavailable];
            var titles = reasons.Select(r => t.TitleFor(r)).Append(t.TitleTooMany).Append(t.FailureTitle).ToList();
            Assert.Equal(titles.Count, titles.Distinct(StringComparer.Ordinal).Count());
        }
    }

    [Fact]
    public void The_words_speak_as_Audkenni_does_and_never_in_the_machines_first_person()
    {
        var all = string.Join('\n', typeof(IcelandicEidTexts).GetProperties().Where(p => p.PropertyType == typeof(string))
            .SelectMany(p => new[] { (string?)p.GetValue(IcelandicEidTexts.Icelandic), (string?)p.GetValue(IcelandicEidTexts.English) }));
        foreach (var bad in new[] { "Samþykktu", "Bíð ", "Reyni aftur", "Sendi beiðni", "á þessi skilríki", "með þessu.", "sama númeri", "Login did not succeed", "approve a request" })
        {
            Assert.DoesNotContain(bad, all, StringComparison.Ordinal);
        }

        Assert.Contains("Auðkennisappið", IcelandicEidTexts.Icelandic.SimExplained, StringComparison.Ordinal);
        Assert.Contains("í símanum", IcelandicEidTexts.Icelandic.FailureCancelled, StringComparison.Ordinal);
        Assert.Contains("klukkustundir", IcelandicEidTexts.Icelandic.FailureBlocked, StringComparison.Ordinal);
        Assert.Contains("skráningarstöð", IcelandicEidTexts.Icelandic.FailureBlocked, StringComparison.Ordinal);
        Assert.Contains("kennitölu", IcelandicEidTexts.Icelandic.FailureNotFoundKennitala, StringComparison.Ordinal);
    }
}
