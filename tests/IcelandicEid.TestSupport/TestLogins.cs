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

    public static async Task<List<ClaimDto>> ProfileAsync(TestBrowser browser)
    {
        var profile = await browser.GetAsync("/profile");
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        return JsonSerializer.Deserialize<List<ClaimDto>>(await profile.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!;
    }
}
