using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static IcelandicEid.BrowserTests.BrowserPages;

namespace IcelandicEid.BrowserTests;

/// <summary>The pages tried as people use them: on a phone (390 px, 320 px) and a desktop, in Icelandic and English,
/// with an accessibility audit (axe-core) in every state.</summary>
public sealed class PagesPeopleTrustTests : IClassFixture<BrowserFixture>
{
    private readonly BrowserFixture _fixture;

    public PagesPeopleTrustTests(BrowserFixture fixture) => _fixture = fixture;

    [SkippableFact]
    public async Task Back_after_logging_in_goes_on_to_the_page_and_never_shows_a_failure()
    {
        await using var context = await _fixture.NewContextAsync("is-IS", Phone);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/profile");
        await page.Locator("#eid-sim").FillAsync("8881234");
        await page.Locator(".eid-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(ProfileUrl(), new() { Timeout = 15_000 });

        // The sample's own profile page speaks the person's language, and fits a phone.
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "is");
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"));

        // The verification page was replaced in the history: the first Back reaches the login address, which says the
        // person is logged in and offers the way on (it used to show the page again, then the bare form).
        await page.GoBackAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Innskráningu er lokið");
        await Assertions.Expect(page.Locator("form[data-eid-login]")).ToHaveCountAsync(0);
        await page.Locator("a.eid-continue").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(ProfileUrl());
        await Assertions.Expect(page.Locator("#profile-name")).ToHaveTextAsync("Jón Prófari Jónsson");

        // A second tab on the finished login's pages: on to the page too.
        var second = await context.NewPageAsync();
        await second.GotoAsync("/icelandic-eid/verify");
        await Assertions.Expect(second).ToHaveURLAsync(ProfileUrl());
        await second.GotoAsync("/icelandic-eid/finish");
        await Assertions.Expect(second).ToHaveURLAsync(ProfileUrl());
        Assert.DoesNotContain("tókst ekki", await second.ContentAsync(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task A_lost_connection_is_said_and_the_login_goes_on_when_it_returns()
    {
        await using var context = await _fixture.NewContextAsync("en-GB", Phone);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/icelandic-eid/login?returnUrl=%2Fprofile");
        await page.Locator("#eid-sim").FillAsync("8881234");
        await page.Locator(".eid-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(VerifyUrl());
        await context.SetOfflineAsync(true);
        await Assertions.Expect(page.Locator("#eid-offline")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#eid-offline")).ToHaveTextAsync("The connection to the site was lost. Retrying…");
        await context.SetOfflineAsync(false);
        await Assertions.Expect(page).ToHaveURLAsync(ProfileUrl(), new() { Timeout = 15_000 });
    }

    [SkippableFact]
    public async Task Without_javascript_the_pages_work_and_a_button_checks_now()
    {
        Skip.If(_fixture.Missing is not null, _fixture.Missing);
        await using var context = await _fixture.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = _fixture.BaseAddress.ToString(), Locale = "is-IS", JavaScriptEnabled = false, ViewportSize = Phone,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/profile");
        await page.Locator("#eid-sim").FillAsync("888 1234");
        await page.Locator(".eid-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(VerifyUrl());
        await page.WaitForTimeoutAsync(1500);
        await page.GetByRole(AriaRole.Button, new() { Name = "Athuga núna" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(ProfileUrl(), new() { Timeout = 15_000 });
    }
}

/// <summary>The waiting states, on logins that stay waiting.</summary>
public sealed class WaitingPageTests : IClassFixture<WaitingBrowserFixture>
{
    private readonly WaitingBrowserFixture _fixture;

    public WaitingPageTests(WaitingBrowserFixture fixture) => _fixture = fixture;

    // Cancelling needs a login that is still waiting (the fast sample approves after a second).
    [SkippableFact]
    public async Task The_cancel_button_goes_back_to_the_form()
    {
        await using var context = await _fixture.NewContextAsync("en-GB", Desktop);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/profile");
        var form = page.Locator("form[data-eid-login]");
        await form.GetByLabel("Mobile number", new() { Exact = true }).FillAsync("8881234");
        await form.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(VerifyUrl());
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(LoginUrl());
        // The form comes back with the number filled in.
        await Assertions.Expect(form.GetByLabel("Mobile number", new() { Exact = true })).ToHaveValueAsync("888 1234");
        await page.WaitForTimeoutAsync(1500);
        await page.GotoAsync("/profile");
        await Assertions.Expect(page).ToHaveURLAsync(LoginUrl());
    }

    [SkippableFact]
    public async Task Back_after_cancel_shows_the_form_filled_in_not_a_failure()
    {
        await using var context = await _fixture.NewContextAsync("is-IS", Phone);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/profile");
        await page.Locator("#eid-m-app").CheckAsync();
        await page.Locator("#eid-app").FillAsync("kt. 241080\u00A03079");
        // Sending: the button says so and cannot be pressed twice (the start answers slowly here).
        await page.RouteAsync("**/icelandic-eid/start", async route => { await Task.Delay(1500); await route.ContinueAsync(); });
        var sending = page.WaitForFunctionAsync("() => { const b = document.querySelector('.eid-submit'); return b && b.disabled && b.textContent === 'Beiðni er send…'; }");
        await page.Locator(".eid-submit").ClickAsync();
        await sending;
        await page.UnrouteAllAsync();
        await Assertions.Expect(page).ToHaveURLAsync(VerifyUrl());
        await page.GetByRole(AriaRole.Button, new() { Name = "Hætta við" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(LoginUrl());
        await Assertions.Expect(page.Locator("#eid-m-app")).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#eid-app")).ToHaveValueAsync("241080-3079");

        await page.GoBackAsync();
        await Assertions.Expect(page).ToHaveURLAsync(LoginUrl());
        Assert.DoesNotContain("tókst ekki", await page.ContentAsync(), StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("is-IS", 390, false)]
    [InlineData("en-GB", 1280, false)]
    [InlineData("is-IS", 1280, true)]
    public async Task Every_state_passes_an_accessibility_audit_and_says_who_is_asking(string locale, int width, bool dark)
    {
        // Dark mode too: contrast is checked in the colours the system asks for.
        await using var context = await _fixture.NewContextAsync(locale, width == 390 ? Phone : Desktop, dark ? ColorScheme.Dark : ColorScheme.Light);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/profile");
        await Assertions.Expect(page).ToHaveURLAsync(LoginUrl());
        await AssertAccessibleAsync(page, "login");

        // Who is asking, a way back and help, on every page.
        await Assertions.Expect(page.Locator(".eid-service")).ToHaveTextAsync("Sýnibær");
        await Assertions.Expect(page.Locator("footer a[href='/']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("footer a[href^='https://www.audkenni.is/']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("h1")).ToBeFocusedAsync();

        // An error state.
        await page.Locator("#eid-sim").FillAsync("12");
        await page.Locator(".eid-submit").ClickAsync();
        await Assertions.Expect(page.Locator("#eid-sim")).ToHaveAttributeAsync("aria-invalid", "true");
        await AssertAccessibleAsync(page, "login with an error");

        // The verification page while waiting.
        await page.Locator("#eid-sim").FillAsync("8881234");
        await page.Locator(".eid-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(VerifyUrl());
        await AssertAccessibleAsync(page, "verify");
        await Assertions.Expect(page.Locator(".eid-sent")).ToContainTextAsync("888 ••34");
        await Assertions.Expect(page.Locator(".eid-never")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator(".eid-spinner")).ToBeVisibleAsync();

        // After about 20 seconds with no answer, a hint.
        await Assertions.Expect(page.Locator("#eid-late")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await AssertAccessibleAsync(page, "verify with the late hint");

        // A failure page (a start the upstream refuses).
        var failure = await context.NewPageAsync();
        await failure.GotoAsync("/icelandic-eid/login");
        await failure.Locator("#eid-sim").FillAsync("6100004");
        await failure.Locator(".eid-submit").ClickAsync();
        await Assertions.Expect(failure.Locator("h1")).ToHaveTextAsync(locale == "is-IS" ? "Ekki tókst að senda beiðni" : "The request could not be sent", new() { Timeout = 15_000 });
        await AssertAccessibleAsync(failure, "failure");

        // Nothing is wider than the screen.
        Assert.True(await failure.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"));
    }

    [SkippableFact]
    public async Task A_language_picked_on_the_page_is_kept_through_the_form_and_the_verification_page()
    {
        await using var context = await _fixture.NewContextAsync("pl-PL", Desktop);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/profile");

        // A browser in Polish gets English, and the switch on the page leads to Icelandic.
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await page.GetByRole(AriaRole.Link, new() { Name = "Íslenska" }).ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "is");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Innskráning á Sýnibær");

        await page.Locator("#eid-sim").FillAsync("8881234");
        await page.Locator(".eid-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(VerifyUrl());
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "is");
        await Assertions.Expect(page.Locator("#eid-code-label")).ToHaveTextAsync("Öryggistala");

        // And back to English from the verification page.
        await page.GetByRole(AriaRole.Link, new() { Name = "English" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/icelandic-eid/verify\\?lang=en$"));
        await Assertions.Expect(page.Locator("#eid-code-label")).ToHaveTextAsync("Verification code");
    }

    [SkippableFact]
    public async Task An_emoji_code_stays_on_one_line_at_320_px_and_is_named_in_words()
    {
        await using var context = await _fixture.NewContextAsync("is-IS", new ViewportSize { Width = 320, Height = 640 });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/icelandic-eid/login");
        await page.Locator("#eid-sim").FillAsync("8881234");
        await page.Locator(".eid-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(VerifyUrl());

        var tops = await page.EvaluateAsync<double[]>("[...document.querySelectorAll('#eid-code .eid-code-chars span')].map(e => e.getBoundingClientRect().top)");
        Assert.Equal(4, tops.Length);
        Assert.Single(tops.Distinct());
        var words = await page.Locator(".eid-code-words").TextContentAsync();
        Assert.Equal(4, words!.Split(", ").Length);
        Assert.Equal("Öryggistala: " + words, await page.Locator("#eid-code .eid-sr").TextContentAsync());
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"));
    }
}
