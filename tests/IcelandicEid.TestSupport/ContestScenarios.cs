using System.Net;

namespace IcelandicEid.Tests.Infrastructure;

/// <summary>Attacks on the contest rule, played the same way against every store (memory, Redis).</summary>
public static class ContestScenarios
{
    public static string BrowserCookie(bool https) => https ? "__Host-IcelandicEid.Browser" : ".IcelandicEid.Browser";

    public static string LoginCookie(bool https) => https ? "__Host-IcelandicEid.Login" : ".IcelandicEid.Login";

    /// <summary>
    /// A browser cookie copied from the person's browser (a shared or once-borrowed computer keeps it for 180 days), used
    /// within the join window for the same number: the copy gets no login cookie and never sees the person's code; the
    /// person signs in, the copy does not. <paramref name="app"/> approves after 3 s on its fake clock.
    /// </summary>
    public static async Task CopiedBrowserCookieNeverJoinsAsync(TestApp app, bool https)
    {
        using var person = app.NewBrowser(https);
        using var attacker = app.NewBrowser(https);
        Assert.Equal(HttpStatusCode.SeeOther, (await person.SubmitAsync(await person.OpenLoginAsync(), "sim", "8881234")).StatusCode);
        var code = (await person.StatusAsync()).Json.GetProperty("verificationCode").GetString();

        var form = await attacker.OpenLoginAsync();
        attacker.SetCookie(BrowserCookie(https), person.Cookie(BrowserCookie(https))!);
        app.Time.Advance(TimeSpan.FromSeconds(1));
        var copied = await attacker.SubmitAsync(form, "sim", "888 1234");

        Assert.Null(attacker.Cookie(LoginCookie(https)));
        Assert.False(copied.Headers.TryGetValues("Set-Cookie", out var set) && set.Any(c => c.StartsWith(LoginCookie(https) + "=", StringComparison.Ordinal)), "The copy was given a login cookie.");
        var (statusCode, json) = await attacker.StatusAsync();
        Assert.NotEqual(HttpStatusCode.OK, statusCode);
        Assert.False(json.TryGetProperty("verificationCode", out var seen) && seen.GetString() == code, "The copy was shown the person's code.");

        app.Time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal("/profile", (await person.FinishAsync()).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await person.GetAsync("/profile")).StatusCode);
        await attacker.FinishAsync();
        Assert.NotEqual(HttpStatusCode.OK, (await attacker.GetAsync("/profile")).StatusCode);
    }

    /// <summary>
    /// The attacker's own browser cookie planted in the person's browser (a sibling subdomain over HTTP, a shared
    /// computer), and a login started by the attacker for the person's number just before the person starts: the person
    /// never joins the attacker's login (never holds its cookie, never sees its code), and starts a login of their own
    /// as soon as the attacker's is no longer pending.
    /// </summary>
    public static async Task PlantedBrowserCookieNeverJoinsAsync(TestApp app, bool https)
    {
        using var person = app.NewBrowser(https);
        using var attacker = app.NewBrowser(https);
        var personForm = await person.OpenLoginAsync();
        Assert.Equal(HttpStatusCode.SeeOther, (await attacker.SubmitAsync(await attacker.OpenLoginAsync(), "sim", "7771234")).StatusCode);
        person.SetCookie(BrowserCookie(https), attacker.Cookie(BrowserCookie(https))!);

        Assert.Equal(HttpStatusCode.SeeOther, (await attacker.SubmitAsync(await attacker.ReadLoginAsync("/icelandic-eid/login"), "sim", "8881234")).StatusCode);
        var attackerCode = (await attacker.StatusAsync()).Json.GetProperty("verificationCode").GetString();
        await person.SubmitAsync(personForm, "sim", "8881234");
        Assert.Null(person.Cookie(LoginCookie(https)));
        var (_, json) = await person.StatusAsync();
        Assert.False(json.TryGetProperty("verificationCode", out var seen) && seen.GetString() == attackerCode, "The person was shown the attacker's code.");

        var verify = Parse(await (await attacker.GetAsync("/icelandic-eid/verify")).Content.ReadAsStringAsync());
        var token = verify.QuerySelector("form[action='/icelandic-eid/cancel'] input[name='__RequestVerificationToken']")!.GetAttribute("value")!;
        await attacker.PostFormAsync("/icelandic-eid/cancel", new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
        Assert.Equal(HttpStatusCode.SeeOther, (await person.SubmitAsync(await person.ReadLoginAsync("/icelandic-eid/login"), "sim", "8881234")).StatusCode);
        Assert.NotNull(person.Cookie(LoginCookie(https)));
        Assert.Equal("pending", (await person.StatusAsync()).Json.GetProperty("status").GetString());
    }

    private static AngleSharp.Html.Dom.IHtmlDocument Parse(string html) => TestBrowser.Parse(html);

    /// <summary>
    /// A login approved on the phone whose browser has not asked since (so nobody here has seen the approval) when
    /// another browser starts for the same number: the start asks the upstream about it first and spares it, so it still
    /// signs in; the new start's own login goes on. <paramref name="app"/> approves after 3 s on its fake clock.
    /// </summary>
    public static async Task ApprovedButUnseenLoginIsSparedAsync(TestApp app)
    {
        using var first = app.NewBrowser();
        using var second = app.NewBrowser();
        Assert.Equal(HttpStatusCode.SeeOther, (await first.SubmitAsync(await first.OpenLoginAsync(), "sim", "8881234")).StatusCode);
        app.Time.Advance(TimeSpan.FromSeconds(4)); // approved upstream; the first browser has not asked since

        Assert.Equal(HttpStatusCode.SeeOther, (await second.SubmitAsync(await second.OpenLoginAsync(), "sim", "8881234")).StatusCode);
        Assert.Equal("succeeded", (await first.StatusAsync()).Json.GetProperty("status").GetString());
        Assert.Equal("/profile", (await first.FinishAsync()).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await first.GetAsync("/profile")).StatusCode);
        Assert.Equal("pending", (await second.StatusAsync()).Json.GetProperty("status").GetString());
    }
}
