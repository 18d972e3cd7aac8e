using System.Net;
using IcelandicEid.AspNetCore;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using SampleWeb;

namespace IcelandicEid.Tests.Integration;

/// <summary>The sample app as shipped, through WebApplicationFactory.</summary>
public sealed class SampleAppTests : IClassFixture<SampleAppTests.Factory>
{
    private readonly Factory _factory;

    public SampleAppTests(Factory factory) => _factory = factory;

    public sealed class Factory : WebApplicationFactory<Program>
    {
        public FakeTimeProvider Time { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("IcelandicEid:AllowPlainHttp", "true");
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Time));
        }
    }

    private TestBrowser NewBrowser()
    {
        var handler = new CookieHandler(_factory.Server.CreateHandler());
        return new TestBrowser(new HttpClient(handler) { BaseAddress = new Uri("http://localhost") }, handler);
    }

    [Theory]
    [InlineData("sim", "888 1234")]
    [InlineData("app", "241080-3079")]
    public async Task A_person_logs_in_and_sees_their_claims_on_the_profile(string method, string identifier)
    {
        using var browser = NewBrowser();
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/")).StatusCode);

        var form = await browser.OpenLoginAsync("/profile");
        Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(form, method, identifier)).StatusCode);
        _factory.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("succeeded", (await browser.StatusAsync()).Json.GetProperty("status").GetString());
        var finish = await browser.FinishAsync();
        Assert.Equal("/profile", finish.Headers.Location!.OriginalString);

        var profile = await browser.GetAsync("/profile");
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        var document = TestBrowser.Parse(await profile.Content.ReadAsStringAsync());
        Assert.Equal("Jón Prófari Jónsson", document.QuerySelector("#profile-name")!.TextContent);
        string Claim(string type) => document.QuerySelector($"td[data-claim='{type}']")!.TextContent;
        Assert.Equal("******-**79", Claim(IcelandicEidClaimTypes.Kennitala));
        Assert.Equal("Laugavegur 1", Claim(IcelandicEidClaimTypes.StreetAddress));
        Assert.Equal("Reykjavík", Claim(IcelandicEidClaimTypes.City));
        Assert.Equal(method, Claim(IcelandicEidClaimTypes.Method));
        Assert.DoesNotContain("2410803079", document.DocumentElement.OuterHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_out_ends_the_session()
    {
        using var browser = NewBrowser();
        var form = await browser.OpenLoginAsync("/profile");
        await browser.SubmitAsync(form, "sim", "8881234");
        _factory.Time.Advance(TimeSpan.FromSeconds(4));
        await browser.FinishAsync();
        var profile = await browser.GetAsync("/profile");
        Assert.Equal(HttpStatusCode.OK, profile.StatusCode);

        // The sample's sign-out form is a Razor form with an anti-forgery token.
        var document = TestBrowser.Parse(await profile.Content.ReadAsStringAsync());
        var token = document.QuerySelector("form[action='/logout'] input[name='__RequestVerificationToken']")!.GetAttribute("value")!;
        var logout = await browser.PostFormAsync("/logout", new Dictionary<string, string> { ["__RequestVerificationToken"] = token });
        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/profile")).StatusCode);
    }

    [Theory]
    [InlineData("Login for 2410803079 from 888-1234", "Login for ********79 from ******34")]
    [InlineData("kt 241080-3079", "kt *********79")]
    [InlineData("+354 888 1234", "***********34")]
    [InlineData("order 12345 costs 7990", "order 12345 costs 7990")]
    public void The_sample_masks_personal_data_in_logs(string input, string expected)
        => Assert.Equal(expected, PersonalDataMasker.Mask(input));
}
