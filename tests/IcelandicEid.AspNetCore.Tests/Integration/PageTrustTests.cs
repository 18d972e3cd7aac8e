using System.Net;
using IcelandicEid.AspNetCore;
using IcelandicEid.Tests.Infrastructure;

namespace IcelandicEid.Tests.Integration;

/// <summary>What the pages say about who is asking, and what they remember, over HTTP.</summary>
public class PageTrustTests
{
    [Fact]
    public async Task Every_page_names_the_service_with_its_logo_a_way_back_and_help()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.ServiceName = "Stéttarfélagið Eining";
            o.LogoUrl = "/img/logo.svg";
            o.HomeUrl = "/forsida";
            o.HelpUrl = "https://example.is/hjalp";
        });
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        var login = TestBrowser.Parse(await (await browser.GetAsync("/icelandic-eid/login?state=" + Uri.EscapeDataString(form.State))).Content.ReadAsStringAsync());
        await browser.SubmitAsync(form, "sim", "8881234");
        var verify = TestBrowser.Parse(await (await browser.GetAsync("/icelandic-eid/verify")).Content.ReadAsStringAsync());
        using var other = app.NewBrowser();
        var failure = TestBrowser.Parse(await (await other.SubmitAsync(await other.OpenLoginAsync(), "sim", "6100004")).Content.ReadAsStringAsync());
        foreach (var page in new[] { login, verify, failure })
        {
            Assert.Equal("Stéttarfélagið Eining", page.QuerySelector(".eid-service")!.TextContent);
            Assert.Equal("/img/logo.svg", page.QuerySelector(".eid-logo")!.GetAttribute("src"));
            Assert.Equal("Aftur á Stéttarfélagið Eining", page.QuerySelector("footer a[href='/forsida']")!.TextContent);
            Assert.NotNull(page.QuerySelector("footer a[href='https://example.is/hjalp']"));
            Assert.EndsWith("Stéttarfélagið Eining", page.Title, StringComparison.Ordinal);
            Assert.Contains("lang=en", page.QuerySelector("a.eid-lang")!.GetAttribute("href"), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("HomeUrl", "https://evil.example/")]
    [InlineData("LogoUrl", "http://insecure.example/logo.png")]
    [InlineData("HelpUrl", "javascript:alert(1)")]
    public async Task Unsafe_page_links_stop_startup_with_the_option_named(string option, string value)
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(o =>
        {
            switch (option)
            {
                case "HomeUrl": o.HomeUrl = value; break;
                case "LogoUrl": o.LogoUrl = value; break;
                default: o.HelpUrl = value; break;
            }
        }));
        Assert.Contains(option, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_last_method_is_chosen_first_and_a_language_chosen_on_the_page_is_kept_through_the_post()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        await TestLogins.LoginAsync(app, browser, "app", "241080-3079");

        // After the sign-in the entered kennitala is forgotten, the method is not.
        var again = TestBrowser.Parse(await (await browser.GetAsync("/icelandic-eid/login?again=1")).Content.ReadAsStringAsync());
        Assert.NotNull(again.QuerySelector("input#eid-m-app[checked]"));
        Assert.Null(again.QuerySelector("input[name=kennitala]")!.GetAttribute("value"));

        // ?lang=en on a page (the switch) is remembered: the form post answers in English whatever the browser says.
        var english = await browser.GetAsync("/icelandic-eid/login?lang=en&again=1");
        Assert.Equal("en", TestBrowser.Parse(await english.Content.ReadAsStringAsync()).DocumentElement.GetAttribute("lang"));
        var form = TestBrowser.ParseLogin(await english.Content.ReadAsStringAsync());
        var bad = await browser.SubmitAsync(form, "sim", "12");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("A mobile number is seven digits", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
