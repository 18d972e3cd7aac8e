using System.Globalization;
using Microsoft.Playwright;
using static IcelandicEid.BrowserTests.BrowserPages;

namespace IcelandicEid.BrowserTests;

/// <summary>The sample with digit codes (as most people see them) and a login that waits long enough to look at.</summary>
public sealed class DigitsBrowserFixture : BrowserFixture
{
    public DigitsBrowserFixture()
        : base("00:00:06")
    {
    }

    protected override Task<IReadOnlyDictionary<string, string>> SettingsAsync()
        => Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string> { ["IcelandicEid:Simulator:VerificationCodeStyle"] = "Digits" });
}

/// <summary>The sample with logins that end after 45 seconds and are never approved: for what the verification page
/// says as time passes.</summary>
public sealed class ShortLoginBrowserFixture : BrowserFixture
{
    public ShortLoginBrowserFixture()
        : base("00:05:00")
    {
    }

    protected override Task<IReadOnlyDictionary<string, string>> SettingsAsync()
        => Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string> { ["IcelandicEid:RemoteAuthenticationTimeout"] = "00:00:45" });
}

/// <summary>What a screen reader hears as a login waits: the hint after 20 seconds and the warning under 30 seconds
/// left arrive in live regions that were on the page from the start (the hint used to be outside every live region,
/// and nothing warned before the time ran out).</summary>
public sealed class WaitingAnnouncementsInBrowserTests(ShortLoginBrowserFixture fixture) : IClassFixture<ShortLoginBrowserFixture>
{
    [SkippableFact]
    public async Task The_late_hint_and_the_time_warning_are_announced_in_live_regions()
    {
        await using var context = await fixture.NewContextAsync("en-GB", Phone);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/icelandic-eid/login");
        await page.Locator("#eid-sim").FillAsync("8881234");
        await page.Locator(".eid-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(VerifyUrl());
        var warning = page.Locator("#eid-time-warn[role=status]");
        var hint = page.Locator("#eid-late[role=status]");
        await Assertions.Expect(warning).ToHaveTextAsync(string.Empty);
        await Assertions.Expect(hint).ToHaveTextAsync(string.Empty);
        await Assertions.Expect(warning).ToHaveTextAsync("Less than 30 seconds left. Confirm on your phone now.", new() { Timeout = 25_000 });
        await Assertions.Expect(warning).ToBeVisibleAsync();
        await Assertions.Expect(hint).ToContainTextAsync("No request?", new() { Timeout = 25_000 });
        await Assertions.Expect(hint).ToBeVisibleAsync();
    }
}

/// <summary>The pages in Chromium for keyboards, large text, low vision and the app's own pages.</summary>
public sealed class PagesForEveryoneInBrowserTests(DigitsBrowserFixture fixture) : IClassFixture<DigitsBrowserFixture>
{
    /// <summary>Arrow keys change the method and keep the focus in the group (WCAG 3.2.2); a pointer click moves on to
    /// the field. The focus used to jump into the field, so ArrowUp moved the text cursor instead of the choice.</summary>
    [SkippableFact]
    public async Task Arrow_keys_change_the_method_and_leave_the_focus_in_the_choice()
    {
        await using var context = await fixture.NewContextAsync("is-IS", Phone);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/icelandic-eid/login");
        await page.Locator("#eid-m-sim").FocusAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await Assertions.Expect(page.Locator("#eid-m-app")).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#eid-m-app")).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("ArrowUp");
        await Assertions.Expect(page.Locator("#eid-m-sim")).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#eid-m-sim")).ToBeFocusedAsync();

        await page.Locator("label[for=eid-m-app]").ClickAsync();
        await Assertions.Expect(page.Locator("#eid-app")).ToBeFocusedAsync();
    }

    /// <summary>Each outcome a person can act on has its own heading and page title in the browser; five used to share
    /// "Innskráning tókst ekki". A wait or a decline is a status, an error an alert.</summary>
    [SkippableTheory]
    [InlineData("6100001", "Hætt við innskráningu", "status")]
    [InlineData("6100003", "Villa hjá þjónustu rafrænna skilríkja", "alert")]
    [InlineData("6100004", "Ekki tókst að senda beiðni", "alert")]
    [InlineData("6100005", "Ekki er hægt að nota skilríkin", "alert")]
    [InlineData("6100006", "Beiðni er þegar opin í símanum", "status")]
    [InlineData("6100009", "Þjónustan er ekki tiltæk", "alert")]
    public async Task Each_outcome_has_its_own_title(string phone, string title, string role)
    {
        await using var context = await fixture.NewContextAsync("is-IS", Phone);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/icelandic-eid/login");
        await page.Locator("#eid-sim").FillAsync(phone);
        await page.Locator(".eid-submit").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(title, new() { Timeout = 20_000 });
        await Assertions.Expect(page).ToHaveTitleAsync(title + " – Sýnibær");
        await Assertions.Expect(page.Locator(".eid-message")).ToHaveAttributeAsync("role", role);
        await Assertions.Expect(page.Locator("h1")).ToBeFocusedAsync();
    }

    /// <summary>The new pages pass the same accessibility audit as the others (axe-core, WCAG 2.2 AA), light and dark:
    /// the signed-in page, a failure page after its language switch, the form with the contested notice.</summary>
    [SkippableTheory]
    [InlineData(ColorScheme.Light)]
    [InlineData(ColorScheme.Dark)]
    public async Task The_new_pages_pass_an_accessibility_audit(ColorScheme scheme)
    {
        await using var context = await fixture.NewContextAsync("is-IS", Phone, scheme);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/icelandic-eid/login");
        await page.Locator("#eid-sim").FillAsync("6100004");
        await page.Locator(".eid-submit").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Ekki tókst að senda beiðni", new() { Timeout = 15_000 });
        await page.Locator("a.eid-lang").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("The request could not be sent");
        await AssertAccessibleAsync(page, "failure page after its language switch");
        await Assertions.Expect(page.Locator("h1")).ToBeFocusedAsync();

        await page.GotoAsync("/icelandic-eid/login?notice=contested");
        await Assertions.Expect(page.Locator(".eid-message")).ToContainTextAsync("the login in the other browser stops");
        await AssertAccessibleAsync(page, "form with the contested notice");

        await page.GotoAsync("/profile");
        await page.Locator("#eid-sim").FillAsync("8881234");
        await page.Locator(".eid-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(ProfileUrl(), new() { Timeout = 20_000 });
        await AssertAccessibleAsync(page, "the sample's profile page");
        await page.GoBackAsync();
        await Assertions.Expect(page.Locator("a.eid-continue")).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "signed-in page");
    }

    /// <summary>"Login confirmed" stays on screen (and in the live region) long enough to be read out before the page
    /// moves on; it used to be replaced by the next page after about 0.3 s.</summary>
    [SkippableFact]
    public async Task The_confirmation_is_on_screen_before_the_page_moves_on()
    {
        await using var context = await fixture.NewContextAsync("en-GB", Phone);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/profile");
        await page.Locator("#eid-sim").FillAsync("8881234");
        await page.Locator(".eid-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(VerifyUrl());
        await Assertions.Expect(page.Locator("#eid-status-text")).ToHaveTextAsync("Login confirmed. One moment…", new() { Timeout = 20_000 });
        var shownAt = DateTime.UtcNow;
        await Assertions.Expect(page).ToHaveURLAsync(ProfileUrl(), new() { Timeout = 10_000 });
        Assert.True(DateTime.UtcNow - shownAt >= TimeSpan.FromMilliseconds(500), "the confirmation was replaced after " + (DateTime.UtcNow - shownAt).TotalMilliseconds + " ms");
    }

    /// <summary>200 % text (Chromium's default font size doubled) on a 390 px phone: no page wider than the screen, the
    /// heading whole, and the code on screen without scrolling.</summary>
    [SkippableFact]
    public async Task At_200_percent_text_on_a_phone_nothing_overflows_and_the_code_is_on_screen()
    {
        await using var context = await fixture.NewContextAsync("is-IS", Phone);
        var page = await context.NewPageAsync();
        var cdp = await context.NewCDPSessionAsync(page);
        await cdp.SendAsync("Page.enable");
        await cdp.SendAsync("Page.setFontSizes", new Dictionary<string, object> { ["fontSizes"] = new Dictionary<string, object> { ["standard"] = 32, ["fixed"] = 26 } });
        await page.GotoAsync("/icelandic-eid/login");
        Assert.Equal(32, await page.EvaluateAsync<int>("parseInt(getComputedStyle(document.documentElement).fontSize)"));
        await AssertFitsAsync(page, "login");

        await page.Locator("#eid-sim").FillAsync("8881234");
        await page.Locator(".eid-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(VerifyUrl());
        await AssertFitsAsync(page, "verify");
        var bottom = await page.EvaluateAsync<double>("document.getElementById('eid-code').getBoundingClientRect().bottom");
        Assert.True(bottom <= 844, $"the code ends at {bottom} px, below the 844 px screen");
    }

    /// <summary>The focus ring, computed from the page, against the card and the page background: at least 3:1 (WCAG
    /// 1.4.11), in light and dark. The old light ring (#ff9f1c) was 2.05:1 on the card.</summary>
    [SkippableTheory]
    [InlineData(ColorScheme.Light)]
    [InlineData(ColorScheme.Dark)]
    public async Task The_focus_ring_stands_out_from_the_card_and_the_page(ColorScheme scheme)
    {
        await using var context = await fixture.NewContextAsync("is-IS", Desktop, scheme);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/icelandic-eid/login");
        await page.Locator("#eid-sim").FocusAsync();
        await page.Keyboard.PressAsync("Shift+Tab");
        await page.Keyboard.PressAsync("Tab");
        var colours = await page.EvaluateAsync<string[]>(
            "() => [getComputedStyle(document.activeElement).outlineColor, getComputedStyle(document.querySelector('.eid-card')).backgroundColor, getComputedStyle(document.body).backgroundColor]");
        var ring = Rgb(colours[0]);
        Assert.True(Contrast(ring, Rgb(colours[1])) >= 3, $"ring {colours[0]} on card {colours[1]}: {Contrast(ring, Rgb(colours[1])):F2}");
        Assert.True(Contrast(ring, Rgb(colours[2])) >= 3, $"ring {colours[0]} on page {colours[2]}: {Contrast(ring, Rgb(colours[2])):F2}");
    }

    /// <summary>The sample's own pages follow the language chosen on the login pages, and the dark mode of the person's
    /// device, so a login does not go white, dark, white.</summary>
    [SkippableFact]
    public async Task The_samples_pages_follow_the_language_chosen_on_the_login_page_and_dark_mode()
    {
        await using var context = await fixture.NewContextAsync("is-IS", Phone, ColorScheme.Dark);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/profile");
        await page.Locator("a.eid-lang").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await page.Locator("#eid-sim").FillAsync("8881234");
        await page.Locator(".eid-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(ProfileUrl(), new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Profile");
        var background = Rgb(await page.EvaluateAsync<string>("getComputedStyle(document.body).backgroundColor"));
        Assert.True(Luminance(background) < 0.1, "the sample's page is not dark in dark mode");

        // Its own switch back to Icelandic counts for the login pages too.
        await page.Locator("header a[hreflang=is]").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Mínar upplýsingar");
        await page.GotoAsync("/icelandic-eid/login?again=1");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "is");
    }

    /// <summary>The README's pictures: phone and desktop, light and dark, with digits, the sample's name and mark.</summary>
    [SkippableFact]
    public async Task Screenshots_of_the_pages_on_a_phone_and_a_desktop_light_and_dark()
    {
        // EID_SCREENSHOTS=<directory> keeps them (bash docs/screenshots.sh writes docs/screenshots for the README).
        var directory = Environment.GetEnvironmentVariable("EID_SCREENSHOTS") ?? Directory.CreateTempSubdirectory("eid-shots").FullName;
        Directory.CreateDirectory(directory);
        foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
        {
            foreach (var (name, viewport) in new[] { ("phone", Phone), ("desktop", Desktop) })
            {
                var suffix = $"{name}{(scheme == ColorScheme.Dark ? "-dark" : string.Empty)}.png";
                await using var context = await fixture.NewContextAsync("is-IS", viewport, scheme);
                var page = await context.NewPageAsync();
                await page.GotoAsync("/profile");
                await Assertions.Expect(page.Locator(".eid-service span")).ToHaveTextAsync("Sýnibær");
                Assert.True(await page.EvaluateAsync<bool>("document.querySelector('.eid-logo').naturalWidth > 0"), "the logo did not load");
                await Shoot(page, directory, "login-" + suffix);
                await page.Locator("#eid-sim").FillAsync("7771234");
                await page.Locator(".eid-submit").ClickAsync();
                await Assertions.Expect(page).ToHaveURLAsync(VerifyUrl());
                await Assertions.Expect(page.Locator("#eid-code")).ToHaveAttributeAsync("data-code", new System.Text.RegularExpressions.Regex("^[0-9]{4}$"));
                await Shoot(page, directory, "verify-" + suffix);
                var failure = await context.NewPageAsync();
                await failure.GotoAsync("/icelandic-eid/login");
                await failure.Locator("#eid-sim").FillAsync("6100004");
                await failure.Locator(".eid-submit").ClickAsync();
                await Assertions.Expect(failure.Locator("h1")).ToHaveTextAsync("Ekki tókst að senda beiðni", new() { Timeout = 15_000 });
                await Shoot(failure, directory, "failure-" + suffix);
            }
        }
    }

    private static async Task AssertFitsAsync(IPage page, string state)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        Assert.True(widths[0] <= widths[1], $"{state}: the page is {widths[0]} px wide on a {widths[1]} px screen");
        var clipped = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('h1, .eid-option, .eid-service, .eid-button')].filter(e => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > window.innerWidth + 0.5).map(e => e.className || e.tagName)");
        Assert.True(clipped.Length == 0, $"{state}: overflowing: {string.Join(", ", clipped)}");

        // The service name is one word here: never broken inside it ("Sýni|bær").
        var lines = await page.EvaluateAsync<int>("() => { const r = document.createRange(); r.selectNodeContents(document.querySelector('.eid-service span')); return r.getClientRects().length; }");
        Assert.True(lines == 1, $"{state}: the service name is broken over {lines} lines");
    }

    private static async Task Shoot(IPage page, string directory, string file)
    {
        var path = Path.Combine(directory, file);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        Assert.True(new FileInfo(path).Length > 5_000, file);
    }

    private static (double R, double G, double B) Rgb(string css)
    {
        var parts = css[(css.IndexOf('(', StringComparison.Ordinal) + 1)..css.IndexOf(')', StringComparison.Ordinal)].Split([',', ' '], StringSplitOptions.RemoveEmptyEntries);
        return (double.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture));
    }

    private static double Luminance((double R, double G, double B) c)
    {
        static double Channel(double v) => (v /= 255) <= 0.03928 ? v / 12.92 : Math.Pow((v + 0.055) / 1.055, 2.4);
        return 0.2126 * Channel(c.R) + 0.7152 * Channel(c.G) + 0.0722 * Channel(c.B);
    }

    private static double Contrast((double R, double G, double B) a, (double R, double G, double B) b)
    {
        var (x, y) = (Luminance(a), Luminance(b));
        return (Math.Max(x, y) + 0.05) / (Math.Min(x, y) + 0.05);
    }
}
