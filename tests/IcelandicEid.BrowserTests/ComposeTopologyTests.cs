using System.Net;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static IcelandicEid.BrowserTests.BrowserPages;

namespace IcelandicEid.BrowserTests;

/// <summary>The compose topology run for real without Docker: nginx with <c>deploy/nginx.conf</c>, two sample
/// instances and Redis on loopback, and Chromium going through nginx as a person would.</summary>
public sealed class ComposeTopologyTests(ITestOutputHelper output)
{
    private static void SkipIfMissing()
    {
        var missing = ComposeTopology.Missing;
        if (missing is not null && string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(missing + " Under CI these tests are required.");
        }

        Skip.If(missing is not null, missing);
    }

    [SkippableFact]
    public async Task A_login_through_nginx_starts_on_one_instance_and_finishes_on_the_other()
    {
        SkipIfMissing();
        var chromiumMissing = BrowserFixture.ChromiumMissing;
        Skip.If(chromiumMissing is not null, chromiumMissing);
        await using var topology = await ComposeTopology.StartAsync(new Dictionary<string, string>
        {
            ["IcelandicEid__Simulator__ApprovalDelay"] = "00:00:06",
        });
        var (playwright, browser) = await BrowserFixture.LaunchChromiumAsync();
        using (playwright)
        await using (browser)
        {
            await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = topology.Address.ToString(), Locale = "is-IS" });
            var page = await context.NewPageAsync();
            await page.GotoAsync("/profile");
            await Assertions.Expect(page).ToHaveURLAsync(LoginUrl());
            await page.Locator("#eid-m-sim").CheckAsync();
            await page.Locator("form[data-eid-login]").GetByLabel("Farsímanúmer", new() { Exact = true }).FillAsync("888 1234");
            await page.Locator("form[data-eid-login]").GetByRole(AriaRole.Button, new() { Name = "Áfram" }).ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(VerifyUrl());

            // The instance that started the login goes down (a crashed container): the login goes on on the other.
            var starter = topology.Instances.Single(i => i.Served("POST", "/icelandic-eid/start"));
            var other = topology.Instances.Single(i => i != starter);
            starter.Kill();
            output.WriteLine($"Started on {starter.Name}, which was then killed.");

            await Assertions.Expect(page).ToHaveURLAsync(ProfileUrl(), new() { Timeout = 30_000 });
            await Assertions.Expect(page.Locator("#profile-name")).ToHaveTextAsync("Jón Prófari Jónsson");
            Assert.True(other.Served("GET", "/icelandic-eid/finish"), $"{other.Name} did not finish the login:\n" + string.Join('\n', other.Log));
            Assert.True(other.Served("GET", "/profile"));
            Assert.DoesNotContain(other.Log, line => line.Contains("2410803079", StringComparison.Ordinal) || line.Contains("8881234", StringComparison.Ordinal));
        }
    }

    [SkippableFact]
    public async Task A_forged_X_Forwarded_For_from_outside_does_not_move_the_per_address_limit()
    {
        SkipIfMissing();
        await using var topology = await ComposeTopology.StartAsync(new Dictionary<string, string>
        {
            ["IcelandicEid__Simulator__ApprovalDelay"] = "00:05:00",
            ["IcelandicEid__Limits__StartsPerClientAddress"] = "3",
        });

        // One client (127.0.0.1, as nginx sees it) claiming a new address on every start, each a new browser and number.
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            var cookies = new CookieHandler(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false });
            using var client = new HttpClient(cookies) { BaseAddress = topology.Address };
            client.DefaultRequestHeaders.Add("X-Forwarded-For", $"203.0.113.{10 + i}");
            using var person = new TestBrowser(client, cookies);
            var started = await person.SubmitAsync(await person.OpenLoginAsync(), "sim", "77" + (10000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture));
            answers.Add(started.StatusCode);
        }

        output.WriteLine(string.Join(", ", answers));
        Assert.Equal([HttpStatusCode.SeeOther, HttpStatusCode.SeeOther, HttpStatusCode.SeeOther, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], answers);
        Assert.Contains(topology.Instances.SelectMany(i => i.Log), line => line.Contains("client-address", StringComparison.Ordinal));
    }
}
