using System.Net;
using System.Text.Json;

namespace IcelandicEid.Tests.Infrastructure;

/// <summary>A whole login through the pages, as most tests need one.</summary>
public static class TestLogins
{
    public static async Task<HttpResponseMessage> LoginAsync(TestApp app, TestBrowser browser, string method, string identifier, string protectedUrl = "/profile")
    {
        var form = await browser.OpenLoginAsync(protectedUrl);
        var started = await browser.SubmitAsync(form, method, identifier);
        Assert.Equal(HttpStatusCode.SeeOther, started.StatusCode);
        Assert.Equal("/icelandic-eid/verify", started.Headers.Location!.OriginalString);

        var (_, pending) = await browser.StatusAsync();
        Assert.Equal("pending", pending.GetProperty("status").GetString());

        app.Time.Advance(TimeSpan.FromSeconds(4));
        await browser.StatusAsync();
        return await browser.FinishAsync();
    }

    /// <summary>Starts a login against a real (emulated) upstream on the system clock and asks for the status every
    /// 250 ms, as the page's script does, until it ends; then the finish.</summary>
    public static async Task<(HttpResponseMessage Finish, string Code)> LoginUntilEndAsync(TestBrowser browser, string method, string identifier)
    {
        var started = await browser.SubmitAsync(await browser.OpenLoginAsync(), method, identifier);
        Assert.Equal(HttpStatusCode.SeeOther, started.StatusCode);
        var code = string.Empty;
        for (var i = 0; i < 120; i++)
        {
            var (_, json) = await browser.StatusAsync();
            code = json.TryGetProperty("verificationCode", out var c) ? c.GetString() ?? code : code;
            if (json.GetProperty("status").GetString() != "pending")
            {
                break;
            }

            await Task.Delay(250);
        }

        return (await browser.FinishAsync(), code);
    }

    /// <summary>Asks for the status every 250 ms, as the page's script does, until the login is no longer pending (at
    /// most 30 s); the last answer.</summary>
    public static async Task<JsonElement> StatusUntilEndAsync(TestBrowser browser)
    {
        JsonElement status = default;
        for (var i = 0; i < 120; i++)
        {
            (_, status) = await browser.StatusAsync();
            if (status.GetProperty("status").GetString() != "pending")
            {
                break;
            }

            await Task.Delay(250);
        }

        return status;
    }

    public static async Task<List<ClaimDto>> ProfileAsync(TestBrowser browser)
    {
        var profile = await browser.GetAsync("/profile");
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        return JsonSerializer.Deserialize<List<ClaimDto>>(await profile.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!;
    }
}
