using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static IcelandicEid.BrowserTests.BrowserPages;

namespace IcelandicEid.BrowserTests;

public sealed partial class LoginInBrowserTests : IClassFixture<ApprovingBrowserFixture>
{
    private readonly BrowserFixture _fixture;

    public LoginInBrowserTests(ApprovingBrowserFixture fixture) => _fixture = fixture;

    [SkippableTheory]
    [InlineData("is-IS", "sim", "888 1234", "Farsímanúmer", "Áfram", "Öryggistala", "Hætta við")]
    [InlineData("en-GB", "sim", "+354 888 1234", "Mobile number", "Continue", "Verification code", "Cancel")]
    [InlineData("is-IS", "app", "241080-3079", "Kennitala", "Áfram", "Öryggistala", "Hætta við")]
    [InlineData("en-GB", "app", "2410803079", "Kennitala (national ID number)", "Continue", "Verification code", "Cancel")]
    public async Task A_person_logs_in_through_the_real_pages(
        string locale, string method, string identifier, string label, string submit, string codeLabel, string cancel)
    {
        await using var context = await _fixture.NewContextAsync(locale);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            // The sample has no favicon; anything else logged as an error (a CSP violation, a script error) fails.
            if (message.Type == "error" && !message.Location.Contains("favicon", StringComparison.Ordinal))
            {
                errors.Add(message.Text + " at " + message.Location);
            }
        };

        await page.GotoAsync("/profile");
        await Assertions.Expect(page).ToHaveURLAsync(LoginUrl());

        // One form: the method is a choice, only the chosen method's field shows; each label belongs to its input.
        var form = page.Locator("form[data-eid-login]");
        await page.Locator($"#eid-m-{method}").CheckAsync();
        await form.GetByLabel(label, new() { Exact = true }).FillAsync(identifier);
        await form.GetByRole(AriaRole.Button, new() { Name = submit }).ClickAsync();

        // The verification page: the code (emojis here) in large type, a live status, the time left and cancel.
        await Assertions.Expect(page).ToHaveURLAsync(VerifyUrl());
        await Assertions.Expect(page.GetByText(codeLabel, new() { Exact = true })).ToBeVisibleAsync();
        var code = await page.Locator("#eid-code").GetAttributeAsync("data-code");
        Assert.False(string.IsNullOrWhiteSpace(code));
        Assert.DoesNotMatch("[0-9]", code!);
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = cancel })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#eid-time-left")).ToHaveTextAsync(TimeLeft());

        // The page's script polls the status and moves on by itself once the simulator approves.
        await Assertions.Expect(page).ToHaveURLAsync(ProfileUrl(), new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#profile-name")).ToHaveTextAsync("Jón Prófari Jónsson");
        await Assertions.Expect(page.Locator("td[data-claim='urn:icelandic-eid:kennitala']")).ToHaveTextAsync("******-**79");
        await Assertions.Expect(page.Locator("td[data-claim='http://schemas.microsoft.com/ws/2008/06/identity/claims/authenticationmethod']")).ToHaveTextAsync(method);
        Assert.Empty(errors); // no CSP violations or script errors
    }

    [SkippableFact]
    public async Task A_bad_number_is_explained_next_to_its_field()
    {
        await using var context = await _fixture.NewContextAsync("en-GB");
        var page = await context.NewPageAsync();
        await page.GotoAsync("/profile");
        var form = page.Locator("form[data-eid-login]");
        await form.GetByLabel("Mobile number", new() { Exact = true }).FillAsync("555 1234");
        await form.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Enter an Icelandic mobile number. Mobile numbers start with 6, 7 or 8.");
        await Assertions.Expect(form.GetByLabel("Mobile number", new() { Exact = true })).ToBeFocusedAsync();
        await Assertions.Expect(form.GetByLabel("Mobile number", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");
    }

    [SkippableFact]
    public async Task A_cancelled_login_says_so_and_offers_to_try_again()
    {
        await using var context = await _fixture.NewContextAsync("is-IS");
        var page = await context.NewPageAsync();
        await page.GotoAsync("/profile");
        var form = page.Locator("form[data-eid-login]");
        await form.GetByLabel("Farsímanúmer", new() { Exact = true }).FillAsync("610 0001");
        await form.GetByRole(AriaRole.Button, new() { Name = "Áfram" }).ClickAsync();
        // A person's own cancel is not an error: its own title, a status (not an alert), a way back and help.
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Hætt við innskráningu", new() { Timeout = 15_000 });
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Beiðninni var hafnað í símanum.");
        await Assertions.Expect(page.Locator("h1")).ToBeFocusedAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Reyna aftur" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(LoginUrl());
    }


    [GeneratedRegex("^[0-3]:[0-5][0-9]$")]
    private static partial Regex TimeLeft();
}
