using System.Net;
using IcelandicEid.Tests.Infrastructure;

namespace IcelandicEid.Tests.Integration;

public class AbuseLimitTests
{
    [Fact]
    public async Task Only_one_pending_login_per_identifier_and_the_same_browser_goes_back_to_its_own()
    {
        await using var app = await TestApp.StartAsync(o => o.Simulator.ApprovalDelay = TimeSpan.FromSeconds(30));
        using var victim = app.NewBrowser();
        using var attacker = app.NewBrowser();
        var form = await victim.OpenLoginAsync();
        Assert.Equal(HttpStatusCode.SeeOther, (await victim.SubmitAsync(form, "sim", "888 1234")).StatusCode);

        // Another browser cannot push a second request to the same phone while one waits.
        var attackerForm = await attacker.OpenLoginAsync();
        var refused = await attacker.SubmitAsync(attackerForm, "sim", "+354 8881234");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter is not null);
        Assert.Contains("bíður þegar staðfestingar", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(app.Logs.Entries, e => e.Id.Name == "StartLimited");

        // The browser that owns the pending login is taken back to it, and no second push is sent.
        var again = await victim.SubmitAsync(await victim.ReadLoginAsync("/icelandic-eid/login"), "sim", "8881234");
        Assert.Equal(HttpStatusCode.SeeOther, again.StatusCode);
        Assert.Equal("/icelandic-eid/verify", again.Headers.Location!.OriginalString);

        // Once the login has ended, the identifier is free again.
        var verify = TestBrowser.Parse(await (await victim.GetAsync("/icelandic-eid/verify")).Content.ReadAsStringAsync());
        var token = verify.QuerySelector("form[action='/icelandic-eid/cancel'] input[name='__RequestVerificationToken']")!.GetAttribute("value")!;
        await victim.PostFormAsync("/icelandic-eid/cancel", new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
        Assert.Equal(HttpStatusCode.SeeOther, (await attacker.SubmitAsync(attackerForm, "sim", "8881234")).StatusCode);
    }

    [Fact]
    public async Task A_pending_lock_is_released_when_the_upstream_ends_the_login()
    {
        await using var app = await TestApp.StartAsync();
        using var first = app.NewBrowser();
        using var second = app.NewBrowser();
        await first.SubmitAsync(await first.OpenLoginAsync(), "sim", "6100001"); // cancelled on the phone
        app.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("failed", (await first.StatusAsync()).Json.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.SeeOther, (await second.SubmitAsync(await second.OpenLoginAsync(), "sim", "6100001")).StatusCode);
    }

    [Fact]
    public async Task Starts_per_identifier_are_limited_in_a_window()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.Limits.StartsPerIdentifier = 3;
            o.Limits.Window = TimeSpan.FromMinutes(10);
            o.Simulator.ApprovalDelay = TimeSpan.Zero;
        });
        for (var i = 0; i < 3; i++)
        {
            using var browser = app.NewBrowser();
            Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(await browser.OpenLoginAsync(), "app", "120389-4569")).StatusCode);
            app.Time.Advance(TimeSpan.FromSeconds(2));
            await browser.FinishAsync();
        }

        using var fourth = app.NewBrowser();
        var refused = await fourth.SubmitAsync(await fourth.OpenLoginAsync(), "app", "1203894569");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("Of margar tilraunir", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Another identifier is not affected, and the window passes.
        Assert.Equal(HttpStatusCode.SeeOther, (await fourth.SubmitAsync(await fourth.OpenLoginAsync(), "sim", "7771234")).StatusCode);
        app.Time.Advance(TimeSpan.FromMinutes(10));
        using var later = app.NewBrowser();
        Assert.Equal(HttpStatusCode.SeeOther, (await later.SubmitAsync(await later.OpenLoginAsync(), "app", "1203894569")).StatusCode);
    }

    [Fact]
    public async Task Starts_per_client_address_are_limited()
    {
        await using var app = await TestApp.StartAsync(
            o => o.Limits.StartsPerClientAddress = 2,
            endpoints: null,
            services: null,
            clientAddress: IPAddress.Parse("203.0.113.7"));
        for (var i = 0; i < 2; i++)
        {
            using var browser = app.NewBrowser();
            Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "77700" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture))).StatusCode);
        }

        using var third = app.NewBrowser();
        Assert.Equal(HttpStatusCode.TooManyRequests, (await third.SubmitAsync(await third.OpenLoginAsync(), "sim", "7770099")).StatusCode);
    }
}
