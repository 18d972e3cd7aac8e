using System.Collections.Concurrent;
using System.Net;
using IcelandicEid.AspNetCore;
using IcelandicEid.Simulation;
using IcelandicEid.Tests.Infrastructure;

namespace IcelandicEid.Tests.Integration;

/// <summary>Who can start a request to whose phone, and what a second browser can do: push confusion, contests,
/// double submits and lock-outs.</summary>
public class StartRulesTests
{
    private static async Task<string> CodeAsync(TestBrowser browser)
        => (await browser.StatusAsync()).Json.GetProperty("verificationCode").GetString()!;

    [Fact]
    public async Task A_second_browser_gets_its_own_login_and_code_never_a_page_telling_it_to_approve_another()
    {
        await using var app = await TestApp.StartAsync(o => o.Simulator.ApprovalDelay = TimeSpan.FromSeconds(30));
        using var attacker = app.NewBrowser();
        using var person = app.NewBrowser();
        Assert.Equal(HttpStatusCode.SeeOther, (await attacker.SubmitAsync(await attacker.OpenLoginAsync(), "sim", "888 1234")).StatusCode);

        var started = await person.SubmitAsync(await person.OpenLoginAsync(), "sim", "+354 8881234");
        Assert.Equal(HttpStatusCode.SeeOther, started.StatusCode);
        Assert.Equal("/icelandic-eid/verify", started.Headers.Location!.OriginalString);
        var verify = TestBrowser.Parse(await (await person.GetAsync("/icelandic-eid/verify")).Content.ReadAsStringAsync());
        var shown = verify.QuerySelector(".eid-code")?.TextContent ?? verify.DocumentElement.TextContent;
        Assert.Contains(await CodeAsync(person), shown, StringComparison.Ordinal);
        Assert.Contains(app.Logs.Entries, e => e.Id.Name == "LoginContested");
    }

    [Fact]
    public async Task A_contested_login_never_signs_in_even_when_approved_afterwards_and_its_browser_is_told_why()
    {
        await using var app = await TestApp.StartAsync(o => o.Simulator.ApprovalDelay = TimeSpan.FromSeconds(10));
        using var attacker = app.NewBrowser();
        using var person = app.NewBrowser();
        await attacker.SubmitAsync(await attacker.OpenLoginAsync(), "app", "241080-3079");
        app.Time.Advance(TimeSpan.FromSeconds(5));
        await person.SubmitAsync(await person.OpenLoginAsync(), "app", "2410803079");

        // The simulator approves both after its delay, as a confused person approving every request would.
        app.Time.Advance(TimeSpan.FromSeconds(11));
        var (_, status) = await attacker.StatusAsync();
        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Equal("contested", status.GetProperty("reason").GetString());
        var finish = await attacker.FinishAsync();
        var text = await finish.Content.ReadAsStringAsync();
        Assert.Contains("hafin í öðrum vafra", text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await attacker.GetAsync("/profile")).StatusCode); // not signed in

        Assert.Equal("succeeded", (await person.StatusAsync()).Json.GetProperty("status").GetString());
        Assert.Equal("/profile", (await person.FinishAsync()).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await person.GetAsync("/profile")).StatusCode);
    }

    [Fact]
    public async Task A_login_approved_before_another_browser_started_is_not_contested_by_that_start()
    {
        // Whoever approved it did so before the other start's request existed, so it cannot have been meant for that
        // request; contesting it would let anyone who starts right after a person approves take that person's login
        // away (the old rule did). A browser quick to finish would have signed in before the other start anyway.
        await using var app = await TestApp.StartAsync(o => o.Simulator.ApprovalDelay = TimeSpan.FromSeconds(3));
        using var first = app.NewBrowser();
        using var second = app.NewBrowser();
        await first.SubmitAsync(await first.OpenLoginAsync(), "sim", "8881234");
        app.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("succeeded", (await first.StatusAsync()).Json.GetProperty("status").GetString());

        app.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.SeeOther, (await second.SubmitAsync(await second.OpenLoginAsync(), "sim", "8881234")).StatusCode);
        Assert.Equal("/profile", (await first.FinishAsync()).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/profile")).StatusCode);
    }

    [Fact]
    public async Task A_login_approved_upstream_but_not_yet_seen_here_is_spared_by_a_later_start()
    {
        await using var app = await TestApp.StartAsync();
        await ContestScenarios.ApprovedButUnseenLoginIsSparedAsync(app);
    }

    [Fact]
    public async Task An_upstream_that_stalls_on_the_check_of_the_other_login_delays_a_start_by_at_most_5_seconds()
    {
        var upstream = new StallingPollsProvider(new SimulatorProvider(new SimulatorOptions { ApprovalDelay = TimeSpan.FromMinutes(1) }, TimeProvider.System));
        await using var app = await TestApp.StartAsync(o => o.ProviderInstance = upstream, time: TimeProvider.System);
        using var first = app.NewBrowser();
        using var second = app.NewBrowser();
        Assert.Equal(HttpStatusCode.SeeOther, (await first.SubmitAsync(await first.OpenLoginAsync(), "sim", "8881234")).StatusCode);

        upstream.Stall = true; // BackchannelTimeout is a minute; the check of the first login gives up after 5 s
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.SeeOther, (await second.SubmitAsync(await second.OpenLoginAsync(), "sim", "8881234")).StatusCode);
        Assert.InRange(watch.Elapsed, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_login_approved_after_another_browser_started_never_signs_in_even_if_its_browser_polls_only_then()
    {
        // Approved upstream at 3 s but seen by nobody until the other start: that start asks the upstream about it first
        // (its poll is due), so the approval is seen before the start began and the login signs in. An approval that
        // comes after the start began never does.
        await using var app = await TestApp.StartAsync(o => o.Simulator.ApprovalDelay = TimeSpan.FromSeconds(8));
        using var attacker = app.NewBrowser();
        using var person = app.NewBrowser();
        await attacker.SubmitAsync(await attacker.OpenLoginAsync(), "sim", "8881234");
        app.Time.Advance(TimeSpan.FromSeconds(4));
        await person.SubmitAsync(await person.OpenLoginAsync(), "sim", "8881234");
        app.Time.Advance(TimeSpan.FromSeconds(5)); // the simulator approves the attacker's request now, after the start
        var finish = await attacker.FinishAsync();
        Assert.Contains("hafin í öðrum vafra", await finish.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await attacker.GetAsync("/profile")).StatusCode);
        Assert.Contains(app.Logs.Entries, e => e.Id.Name == "LoginSuperseded");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_copied_browser_cookie_never_joins_the_persons_login(bool https)
    {
        await using var app = await TestApp.StartAsync();
        await ContestScenarios.CopiedBrowserCookieNeverJoinsAsync(app, https);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_planted_browser_cookie_never_joins_the_person_to_the_attackers_login(bool https)
    {
        await using var app = await TestApp.StartAsync(o => o.Simulator.ApprovalDelay = TimeSpan.FromSeconds(60));
        await ContestScenarios.PlantedBrowserCookieNeverJoinsAsync(app, https);
    }

    [Fact]
    public async Task A_double_click_on_one_form_joins_its_own_login_and_gets_its_cookie_another_form_gets_none()
    {
        var upstream = new CountingProvider(new SimulatorProvider(new SimulatorOptions { ApprovalDelay = TimeSpan.FromSeconds(60) }, TimeProvider.System));
        await using var app = await TestApp.StartAsync(o => o.ProviderInstance = upstream);
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        var other = await browser.OpenLoginAsync();
        await browser.SubmitAsync(form, "sim", "8881234");
        var login = browser.Cookie(".IcelandicEid.Login");

        // A double click: the browser drops the first answer (and its cookie) and keeps the second's, so the second
        // answer must carry the login cookie itself.
        browser.RemoveCookie(".IcelandicEid.Login");
        var second = await browser.SubmitAsync(form, "sim", "8881234");
        Assert.Equal(HttpStatusCode.SeeOther, second.StatusCode);
        Assert.Contains(second.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".IcelandicEid.Login=", StringComparison.Ordinal));
        Assert.Equal(1, upstream.Starts);

        // Another form of the same browser id (another tab, or a copied cookie): sent to the verification page with no
        // login cookie; a real tab has the one its browser already holds.
        browser.RemoveCookie(".IcelandicEid.Login");
        var fromOther = await browser.SubmitAsync(other, "sim", "8881234");
        Assert.Equal("/icelandic-eid/verify", fromOther.Headers.Location!.OriginalString);
        Assert.False(fromOther.Headers.TryGetValues("Set-Cookie", out var set) && set.Any(c => c.StartsWith(".IcelandicEid.Login=", StringComparison.Ordinal)));
        Assert.Equal(1, upstream.Starts);
        Assert.NotNull(login);
    }

    [Fact]
    public async Task Two_near_simultaneous_submits_from_one_browser_end_in_one_login_whose_code_both_tabs_show()
    {
        var upstream = new CountingProvider(new SlowStartProvider(new SimulatorProvider(new SimulatorOptions { ApprovalDelay = TimeSpan.FromSeconds(60) }, TimeProvider.System), TimeSpan.FromMilliseconds(600)));
        await using var app = await TestApp.StartAsync(o => o.ProviderInstance = upstream, time: TimeProvider.System);
        using var browser = app.NewBrowser();
        var tab1 = await browser.OpenLoginAsync();
        var tab2 = await browser.OpenLoginAsync();

        var answers = await Task.WhenAll(browser.SubmitAsync(tab1, "sim", "8881234"), browser.SubmitAsync(tab2, "sim", "888 1234"));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.SeeOther, a.StatusCode));
        Assert.All(answers, a => Assert.Equal("/icelandic-eid/verify", a.Headers.Location!.OriginalString));
        Assert.Equal(1, upstream.Starts);

        // A re-click after the start finished joins the same login too.
        var again = await browser.SubmitAsync(await browser.ReadLoginAsync("/icelandic-eid/login"), "sim", "8881234");
        Assert.Equal(HttpStatusCode.SeeOther, again.StatusCode);
        Assert.Equal(1, upstream.Starts);
        Assert.Equal("pending", (await browser.StatusAsync()).Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task When_the_upstream_refuses_a_second_request_the_page_says_decline_it_and_the_open_login_is_left_alone()
    {
        var time = new FakeTimeProvider();
        var upstream = new OneOpenRequestProvider(new SimulatorProvider(new SimulatorOptions { ApprovalDelay = TimeSpan.FromSeconds(100) }, time));
        await using var app = await TestApp.StartAsync(o => o.ProviderInstance = upstream, time: time);
        using var first = app.NewBrowser();
        using var second = app.NewBrowser();
        await first.SubmitAsync(await first.OpenLoginAsync(), "sim", "8881234");
        time.Advance(TimeSpan.FromSeconds(60));

        var refused = await second.SubmitAsync(await second.OpenLoginAsync(), "sim", "8881234");
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var html = await refused.Content.ReadAsStringAsync();
        var text = TestBrowser.Parse(html).QuerySelector(".eid-message")!.TextContent;
        Assert.Contains("Hafnaðu henni", text, StringComparison.Ordinal);

        // Nothing on this page to compare a code with, so it never asks to compare one; its own title, not an alert.
        Assert.DoesNotContain("öryggistölu", html, StringComparison.Ordinal);
        Assert.Contains("<h1 tabindex=\"-1\">Beiðni er þegar opin í símanum</h1>", html, StringComparison.Ordinal);
        Assert.Null(TestBrowser.Parse(html).QuerySelector("[role=alert]"));

        // The wait is the whole lifetime of a request, whenever the open one began: it tells nobody when that was.
        Assert.Contains("rennur hún út eftir 3 mínútur", text, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(180), refused.Headers.RetryAfter!.Delta);

        // A refused start contests nobody: the open request's own login still signs in when approved.
        time.Advance(TimeSpan.FromSeconds(45));
        Assert.Equal("succeeded", (await first.StatusAsync()).Json.GetProperty("status").GetString());
        Assert.Equal("/profile", (await first.FinishAsync()).Headers.Location!.OriginalString);
        Assert.DoesNotContain(app.Logs.Entries, e => e.Id.Name is "LoginContested" or "LoginSuperseded");
    }

    [Fact]
    public async Task Only_starts_that_reached_the_upstream_spend_the_identifier_budget()
    {
        var time = new FakeTimeProvider();
        var upstream = new FailFirstStartsProvider(new SimulatorProvider(new SimulatorOptions(), time), failures: 6);
        await using var app = await TestApp.StartAsync(o => { o.ProviderInstance = upstream; o.Limits.StartsPerIdentifierAllNetworks = 2; }, time: time);
        for (var i = 0; i < 6; i++)
        {
            using var browser = app.NewBrowser();
            browser.ClientAddress = "198.51.100." + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "8881234")).StatusCode);
        }

        for (var i = 0; i < 2; i++)
        {
            using var browser = app.NewBrowser();
            Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "8881234")).StatusCode);
        }

        using var third = app.NewBrowser();
        var refused = await third.SubmitAsync(await third.OpenLoginAsync(), "sim", "8881234");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);

        // Refused attempts do not move the window: the wait shown is what is left of it, and it ends then.
        time.Advance(TimeSpan.FromMinutes(4));
        using var fourth = app.NewBrowser();
        var later = await fourth.SubmitAsync(await fourth.OpenLoginAsync(), "sim", "8881234");
        Assert.Equal(TimeSpan.FromMinutes(6), later.Headers.RetryAfter!.Delta);
        Assert.Contains("eftir 6 mínútur", await later.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        time.Advance(TimeSpan.FromMinutes(6));
        using var fifth = app.NewBrowser();
        Assert.Equal(HttpStatusCode.SeeOther, (await fifth.SubmitAsync(await fifth.OpenLoginAsync(), "sim", "8881234")).StatusCode);
    }

    [Fact]
    public async Task Third_parties_spending_the_budget_cannot_lock_out_a_browser_that_has_logged_in_with_the_identifier()
    {
        await using var app = await TestApp.StartAsync(o => { o.Limits.StartsPerIdentifierAllNetworks = 3; o.Limits.StartsPerClientAddress = 3; });
        using var person = app.NewBrowser();
        person.ClientAddress = "203.0.113.50";
        await TestLogins.LoginAsync(app, person, "sim", "8881234");

        // Six addresses spend the number's shared budget, and the person's shared address is spent too.
        for (var i = 0; i < 6; i++)
        {
            using var attacker = app.NewBrowser();
            attacker.ClientAddress = i < 3 ? "198.51.100." + i.ToString(System.Globalization.CultureInfo.InvariantCulture) : "203.0.113.50";
            await attacker.SubmitAsync(await attacker.OpenLoginAsync(), "sim", i < 3 ? "8881234" : "777000" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        // Three more networks that had not started one each get theirs past the budget, which is then spent twice over.
        for (var i = 0; i < 3; i++)
        {
            using var attacker = app.NewBrowser();
            attacker.ClientAddress = "198.51.100.1" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await attacker.SubmitAsync(await attacker.OpenLoginAsync(), "sim", "8881234");
        }

        using var stranger = app.NewBrowser();
        stranger.ClientAddress = "192.0.2.9";
        Assert.Equal(HttpStatusCode.TooManyRequests, (await stranger.SubmitAsync(await stranger.OpenLoginAsync(), "sim", "8881234")).StatusCode);

        // The person's browser has a budget of its own for the number and is not held back by its shared address.
        var own = await person.SubmitAsync(await person.ReadLoginAsync("/icelandic-eid/login"), "sim", "8881234");
        Assert.Equal(HttpStatusCode.SeeOther, own.StatusCode);
    }

    [Fact]
    public async Task An_attacker_on_one_network_cannot_use_up_what_a_person_elsewhere_needs_and_many_networks_are_capped()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.Limits.StartsPerIdentifier = 2;
            o.Limits.StartsPerIdentifierAllNetworks = 6;
            o.Simulator.ApprovalDelay = TimeSpan.FromSeconds(60);
        });
        async Task<HttpResponseMessage> StartAsync(string address)
        {
            using var browser = app.NewBrowser();
            browser.ClientAddress = address;
            return await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "8881234");
        }

        // Two from anywhere, then two more of the attacker's network's own.
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.SeeOther, (await StartAsync("198.51.100.1")).StatusCode);
        }

        var refused = await StartAsync("198.51.100.1");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromMinutes(10), refused.Headers.RetryAfter!.Delta);

        // The person, on another network, is not held back by that attacker.
        Assert.Equal(HttpStatusCode.SeeOther, (await StartAsync("203.0.113.20")).StatusCode);

        // Across all networks six; past that a network that has not started one for the number gets one, up to twelve:
        // a few networks cannot spend the number's budget and keep a person on another network out.
        Assert.Equal(HttpStatusCode.SeeOther, (await StartAsync("192.0.2.30")).StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await StartAsync("192.0.2.31")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await StartAsync("192.0.2.31")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await StartAsync("198.51.100.1")).StatusCode);
        for (var i = 32; i < 37; i++)
        {
            Assert.Equal(HttpStatusCode.SeeOther, (await StartAsync("192.0.2." + i.ToString(System.Globalization.CultureInfo.InvariantCulture))).StatusCode);
        }

        // Twelve requests in the window: the most the phone gets, from any number of networks.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await StartAsync("192.0.2.40")).StatusCode);
        Assert.Contains(app.Logs.Entries, e => e.Id.Name == "StartLimited" && e.Message.Contains("identifier-all-networks", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_start_writes_at_most_one_line_at_Information_or_above()
    {
        await using var app = await TestApp.StartAsync(o => { o.Limits.StartsPerClientAddress = 1; o.Simulator.ApprovalDelay = TimeSpan.FromSeconds(60); });
        using var first = app.NewBrowser();
        first.ClientAddress = "198.51.100.7";
        Assert.Equal(HttpStatusCode.SeeOther, (await first.SubmitAsync(await first.OpenLoginAsync(), "sim", "7770001")).StatusCode);
        for (var i = 0; i < 20; i++)
        {
            using var flood = app.NewBrowser();
            flood.ClientAddress = "198.51.100.7";
            var form = await flood.OpenLoginAsync();
            var before = app.Logs.Entries.Count(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Information && e.Category.StartsWith("IcelandicEid", StringComparison.Ordinal));
            Assert.Equal(HttpStatusCode.TooManyRequests, (await flood.SubmitAsync(form, "sim", "777" + (1000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture))).StatusCode);
            var lines = app.Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Information && e.Category.StartsWith("IcelandicEid", StringComparison.Ordinal)).Skip(before).ToList();
            Assert.True(lines.Count <= 1, string.Join('\n', lines.Select(l => l.Level + " " + l.Message)));
            Assert.All(lines, l => Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Information, l.Level));
        }

        Assert.Equal(20, app.Logs.Entries.Count(e => e.Id.Name == "StartLimited" && e.Category.StartsWith("IcelandicEid", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Client_address_limits_group_IPv6_by_64_and_count_IPv4_addresses_one_by_one()
    {
        await using var app = await TestApp.StartAsync(o => { o.Limits.StartsPerClientAddress = 2; o.Simulator.ApprovalDelay = TimeSpan.FromSeconds(60); });
        async Task<HttpStatusCode> StartAsync(string address, string phone)
        {
            using var browser = app.NewBrowser();
            browser.ClientAddress = address;
            return (await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", phone)).StatusCode;
        }

        Assert.Equal(HttpStatusCode.SeeOther, await StartAsync("2001:db8:1:2::1", "7770001"));
        Assert.Equal(HttpStatusCode.SeeOther, await StartAsync("2001:db8:1:2:ffff::9", "7770002"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StartAsync("2001:db8:1:2:abcd::3", "7770003")); // same /64
        Assert.Equal(HttpStatusCode.SeeOther, await StartAsync("2001:db8:1:3::1", "7770004")); // the next /64
        Assert.Equal(HttpStatusCode.SeeOther, await StartAsync("203.0.113.1", "7770005"));
        Assert.Equal(HttpStatusCode.SeeOther, await StartAsync("203.0.113.2", "7770006"));
    }

    [Fact]
    public async Task A_person_who_just_finished_a_login_can_start_again_at_once_from_another_browser()
    {
        await using var app = await TestApp.StartAsync();
        using var first = app.NewBrowser();
        using var second = app.NewBrowser();
        await TestLogins.LoginAsync(app, first, "sim", "8881234");
        Assert.Equal(HttpStatusCode.SeeOther, (await second.SubmitAsync(await second.OpenLoginAsync(), "sim", "8881234")).StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await first.SubmitAsync(await first.ReadLoginAsync("/icelandic-eid/login"), "sim", "8881234")).StatusCode);
    }

    [Fact]
    public async Task A_start_right_after_a_failed_login_in_the_same_browser_starts_anew()
    {
        var time = new FakeTimeProvider();
        var upstream = new CountingProvider(new SimulatorProvider(new SimulatorOptions { ApprovalDelay = TimeSpan.FromSeconds(2) }, time));
        await using var app = await TestApp.StartAsync(o => o.ProviderInstance = upstream, time: time);
        using var browser = app.NewBrowser();
        await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "6100001"); // declined on the phone
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal("failed", (await browser.StatusAsync()).Json.GetProperty("status").GetString());

        // Within the few seconds in which a second tab would join: a new login, not the failed one.
        var again = await browser.SubmitAsync(await browser.ReadLoginAsync("/icelandic-eid/login"), "sim", "6100001");
        Assert.Equal(HttpStatusCode.SeeOther, again.StatusCode);
        Assert.Equal(2, upstream.Starts);
        Assert.Equal("pending", (await browser.StatusAsync()).Json.GetProperty("status").GetString());
    }

    [Fact]
    public async Task After_a_cancel_the_same_browser_starts_a_new_login_not_the_cancelled_one()
    {
        var time = new FakeTimeProvider();
        var upstream = new CountingProvider(new SimulatorProvider(new SimulatorOptions { ApprovalDelay = TimeSpan.FromSeconds(60) }, time));
        await using var app = await TestApp.StartAsync(o => o.ProviderInstance = upstream, time: time);
        using var browser = app.NewBrowser();
        await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "8881234");
        var verify = TestBrowser.Parse(await (await browser.GetAsync("/icelandic-eid/verify")).Content.ReadAsStringAsync());
        var token = verify.QuerySelector("form[action='/icelandic-eid/cancel'] input[name='__RequestVerificationToken']")!.GetAttribute("value")!;
        await browser.PostFormAsync("/icelandic-eid/cancel", new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
        Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "8881234")).StatusCode);
        Assert.Equal(2, upstream.Starts);
        Assert.Equal("pending", (await browser.StatusAsync()).Json.GetProperty("status").GetString());
    }
}

/// <summary>An upstream that takes its time to start (real time), as a slow upstream does.</summary>
internal sealed class SlowStartProvider(IIcelandicEidProvider inner, TimeSpan delay) : IIcelandicEidProvider
{
    public string Name => inner.Name;

    public async Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
    {
        await Task.Delay(delay, cancellationToken);
        return await inner.StartAsync(request, cancellationToken);
    }

    public Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken) => inner.PollAsync(request, cancellationToken);
}

/// <summary>An upstream that, like Auðkenni, refuses a second request for a person while one is open
/// (<c>mssp_209</c>).</summary>
internal sealed class OneOpenRequestProvider(IIcelandicEidProvider inner) : IIcelandicEidProvider
{
    private readonly ConcurrentDictionary<string, string> _open = new();

    public string Name => inner.Name;

    public async Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
    {
        if (_open.ContainsKey(request.Identifier))
        {
            return EidStartResult.Failed(EidFailureReason.AlreadyInProgress, "mssp_209");
        }

        var result = await inner.StartAsync(request, cancellationToken);
        if (result.Succeeded)
        {
            _open[request.Identifier] = result.Reference!;
        }

        return result;
    }

    public Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken) => inner.PollAsync(request, cancellationToken);
}

/// <summary>An upstream whose polls hang until cancelled while <see cref="Stall"/> is set.</summary>
internal sealed class StallingPollsProvider(IIcelandicEidProvider inner) : IIcelandicEidProvider
{
    public bool Stall { get; set; }

    public string Name => inner.Name;

    public Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken) => inner.StartAsync(request, cancellationToken);

    public async Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
    {
        if (Stall)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        return await inner.PollAsync(request, cancellationToken);
    }
}

/// <summary>An upstream that cannot be reached for its first few starts.</summary>
internal sealed class FailFirstStartsProvider(IIcelandicEidProvider inner, int failures) : IIcelandicEidProvider
{
    private int _starts;

    public string Name => inner.Name;

    public Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
        => Interlocked.Increment(ref _starts) <= failures
            ? throw new EidProviderException(EidFailureReason.Unavailable, "connection refused")
            : inner.StartAsync(request, cancellationToken);

    public Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken) => inner.PollAsync(request, cancellationToken);
}
