using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IcelandicEid.AspNetCore;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IcelandicEid.Tests.Integration;

/// <summary>The handler behaves like ASP.NET Core's remote handlers, and its JSON API runs the same flow.</summary>
public class ShapeTests
{
    private static HttpRequestMessage Api(HttpMethod method, string operation, object? body = null, bool header = true, string? origin = null)
    {
        var request = new HttpRequestMessage(method, "/icelandic-eid/api/" + operation);
        if (header)
        {
            request.Headers.Add(IcelandicEidDefaults.ApiRequestHeader, "1");
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }

    private static async Task<(HttpStatusCode Code, JsonElement Json)> SendAsync(TestBrowser browser, HttpRequestMessage request)
    {
        using var response = await browser.Client.SendAsync(request);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    /// <summary>The words come from one service the pages and the JSON API share: an app that rewords a message sees
    /// the new words on the page and in the API's answer alike.</summary>
    [Fact]
    public async Task The_pages_and_the_JSON_API_take_their_words_from_one_texts_service()
    {
        await using var app = await TestApp.StartAsync(services: s => s.AddSingleton<IcelandicEid.AspNetCore.Ui.IIcelandicEidTextProvider>(new Reworded()));
        using var browser = app.NewBrowser();
        var page = await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "555 1234");
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Contains(Reworded.NotMobile, await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var (code, json) = await SendAsync(browser, Api(HttpMethod.Post, "start", new { method = "sim", identifier = "555 1234" }));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-identifier", Reworded.NotMobile), (code, json.GetProperty("error").GetString(), json.GetProperty("message").GetString()));
    }

    private sealed class Reworded : IcelandicEid.AspNetCore.Ui.IIcelandicEidTextProvider
    {
        public const string NotMobile = "Þetta er ekki farsímanúmer hjá okkur.";

        public IcelandicEid.AspNetCore.Ui.IcelandicEidTexts GetTexts(string language)
            => IcelandicEid.AspNetCore.Ui.IcelandicEidTexts.Icelandic with { PhoneNotMobile = NotMobile };
    }

    [Fact]
    public async Task A_single_page_app_logs_in_through_the_JSON_API_alone()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();

        var (code, started) = await SendAsync(browser, Api(HttpMethod.Post, "start", new { method = "sim", identifier = "888 1234", returnUrl = "/profile" }));
        Assert.Equal(HttpStatusCode.OK, code);
        Assert.Equal("pending", started.GetProperty("status").GetString());
        Assert.Matches("^[0-9]{4}$", started.GetProperty("verificationCode").GetString());
        Assert.InRange(started.GetProperty("secondsLeft").GetInt32(), 170, 180);
        Assert.False(started.TryGetProperty("next", out _));

        var (_, early) = await SendAsync(browser, Api(HttpMethod.Post, "finish"));
        Assert.Equal("pending", early.GetProperty("status").GetString());

        app.Time.Advance(TimeSpan.FromSeconds(4));
        var (_, status) = await SendAsync(browser, Api(HttpMethod.Get, "status"));
        Assert.Equal("succeeded", status.GetProperty("status").GetString());

        var (finishCode, finished) = await SendAsync(browser, Api(HttpMethod.Post, "finish"));
        Assert.Equal(HttpStatusCode.OK, finishCode);
        Assert.Equal("signed-in", finished.GetProperty("status").GetString());
        Assert.Equal("/profile", finished.GetProperty("returnUrl").GetString());
        var claims = await TestLogins.ProfileAsync(browser);
        Assert.Contains(claims, c => c.Type == IcelandicEidClaimTypes.PhoneNumber && c.Value == "+3548881234");

        // Single use: a second finish finds nothing.
        var (againCode, again) = await SendAsync(browser, Api(HttpMethod.Post, "finish"));
        Assert.Equal((HttpStatusCode.BadRequest, "expired"), (againCode, again.GetProperty("error").GetString()));
    }

    private static void MapWhoAmI(Microsoft.AspNetCore.Builder.WebApplication app)
        => Microsoft.AspNetCore.Builder.EndpointRouteBuilderExtensions.MapGet(app, "/whoami-eid", async (HttpContext context) =>
        {
            var result = await Microsoft.AspNetCore.Authentication.AuthenticationHttpContextExtensions.AuthenticateAsync(context, IcelandicEidDefaults.AuthenticationScheme);
            return result.Principal?.Identity?.Name ?? "nobody";
        });

    private static async Task<(HttpStatusCode Code, JsonElement Json)> LogInThroughTheApiAsync(TestApp app, TestBrowser browser)
    {
        await SendAsync(browser, Api(HttpMethod.Post, "start", new { method = "sim", identifier = "888 1234", returnUrl = "/profile" }));
        app.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("succeeded", (await SendAsync(browser, Api(HttpMethod.Get, "status"))).Json.GetProperty("status").GetString());
        using var response = await browser.Client.SendAsync(Api(HttpMethod.Post, "finish"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task AuthenticateAsync_of_the_scheme_finds_the_person_after_a_JSON_API_login_as_after_a_page_login()
    {
        await using var app = await TestApp.StartAsync(endpoints: MapWhoAmI);
        using var page = app.NewBrowser();
        await TestLogins.LoginAsync(app, page, "sim", "8881234");
        Assert.Equal("Jón Prófari Jónsson", await (await page.GetAsync("/whoami-eid")).Content.ReadAsStringAsync());

        using var spa = app.NewBrowser();
        var (code, finished) = await LogInThroughTheApiAsync(app, spa);
        Assert.Equal((HttpStatusCode.OK, "signed-in", "/profile"), (code, finished.GetProperty("status").GetString(), finished.GetProperty("returnUrl").GetString()));
        Assert.Equal("Jón Prófari Jónsson", await (await spa.GetAsync("/whoami-eid")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OnTicketReceived_skipping_the_handler_behaves_the_same_on_the_page_and_the_JSON_API()
    {
        var received = 0;
        await using var app = await TestApp.StartAsync(
            o => o.Events.OnTicketReceived = context =>
            {
                received++;
                context.SkipHandler();
                return Task.CompletedTask;
            },
            endpoints: MapWhoAmI);

        // The page: the finish goes on to the rest of the app (nothing is mapped there), nobody is signed in.
        using var page = app.NewBrowser();
        await page.SubmitAsync(await page.OpenLoginAsync(), "sim", "8881234");
        app.Time.Advance(TimeSpan.FromSeconds(4));
        var pageFinish = await page.FinishAsync();
        Assert.Equal(HttpStatusCode.NotFound, pageFinish.StatusCode);
        Assert.Equal("nobody", await (await page.GetAsync("/whoami-eid")).Content.ReadAsStringAsync());

        // The JSON API: the same.
        using var spa = app.NewBrowser();
        var (code, _) = await LogInThroughTheApiAsync(app, spa);
        Assert.Equal(HttpStatusCode.NotFound, code);
        Assert.Equal("nobody", await (await spa.GetAsync("/whoami-eid")).Content.ReadAsStringAsync());
        Assert.Equal(2, received);
    }

    [Fact]
    public async Task The_JSON_API_refuses_cross_site_calls_bad_input_and_wrong_methods_with_clear_answers()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        var start = new { method = "sim", identifier = "8881234" };

        var (noHeader, _) = await SendAsync(browser, Api(HttpMethod.Post, "start", start, header: false));
        Assert.Equal(HttpStatusCode.Forbidden, noHeader);
        var (crossOrigin, _) = await SendAsync(browser, Api(HttpMethod.Post, "start", start, origin: "https://evil.example"));
        Assert.Equal(HttpStatusCode.Forbidden, crossOrigin);
        var (sameOrigin, _) = await SendAsync(browser, Api(HttpMethod.Post, "cancel", origin: "http://localhost"));
        Assert.Equal(HttpStatusCode.OK, sameOrigin);

        var (badPhone, phone) = await SendAsync(browser, Api(HttpMethod.Post, "start", new { method = "sim", identifier = "5551234" }));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-identifier"), (badPhone, phone.GetProperty("error").GetString()));
        Assert.DoesNotContain("5551234", phone.GetRawText(), StringComparison.Ordinal);

        using var garbage = Api(HttpMethod.Post, "start");
        garbage.Content = new StringContent("{\"method\":", System.Text.Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(browser, garbage)).Code);
        using var huge = Api(HttpMethod.Post, "start");
        var padded = "{\"method\":\"sim\",\"identifier\":\"8881234\",\"pad\":\"" + new string('x', 10_000) + "\"}";
        huge.Content = new UnknownLengthContent(System.Text.Encoding.UTF8.GetBytes(padded)); // no Content-Length: chunked
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(browser, huge)).Code);
        using var form = Api(HttpMethod.Post, "start");
        form.Content = new FormUrlEncodedContent([new("method", "sim"), new("identifier", "8881234")]);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(browser, form)).Code);

        using var get = await browser.Client.SendAsync(Api(HttpMethod.Get, "start"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal("POST", get.Content.Headers.Allow.Single());
        Assert.DoesNotContain(app.Logs.Entries, e => e.Message.Contains("8881234", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_person_declining_on_the_phone_goes_to_the_access_denied_path_with_the_return_url()
    {
        var denied = 0;
        await using var app = await TestApp.StartAsync(o =>
        {
            o.AccessDeniedPath = "/denied";
            o.Events.OnAccessDenied = _ =>
            {
                denied++;
                return Task.CompletedTask;
            };
        });
        using var browser = app.NewBrowser();
        var finish = await TestLogins.LoginAsync(app, browser, "sim", "6100001"); // the simulator's "declined"
        Assert.Equal(HttpStatusCode.Redirect, finish.StatusCode);
        Assert.Equal("http://localhost/denied?ReturnUrl=%2Fprofile", finish.Headers.Location!.OriginalString);
        Assert.Equal(1, denied);
    }

    [Fact]
    public async Task An_app_can_replace_the_failure_page_and_the_base_class_signs_in_redirects_and_raises_OnTicketReceived()
    {
        string? receivedReturnUri = null;
        await using var app = await TestApp.StartAsync(o =>
        {
            o.Events.OnRemoteFailure = ctx =>
            {
                ctx.Response.StatusCode = 418;
                ctx.HandleResponse();
                return ctx.Response.WriteAsync("own page: " + ((IcelandicEidLoginFailedException)ctx.Failure!).Reason);
            };
            o.Events.OnTicketReceived = ctx =>
            {
                receivedReturnUri = ctx.ReturnUri;
                return Task.CompletedTask;
            };
        });
        using var failing = app.NewBrowser();
        var failed = await TestLogins.LoginAsync(app, failing, "sim", "6100002");
        Assert.Equal((HttpStatusCode)418, failed.StatusCode);
        Assert.Equal("own page: TimedOut", await failed.Content.ReadAsStringAsync());

        using var browser = app.NewBrowser();
        var finish = await TestLogins.LoginAsync(app, browser, "sim", "8881234", "/profile?tab=1");
        Assert.Equal(HttpStatusCode.Redirect, finish.StatusCode);
        Assert.Equal("/profile?tab=1", finish.Headers.Location!.OriginalString);
        Assert.Equal("/profile?tab=1", receivedReturnUri);
    }

    [Fact]
    public async Task Assets_are_named_by_their_content_hash_and_cached_for_a_year()
    {
        await using var app = await TestApp.StartAsync();
        using var browser = app.NewBrowser();
        await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "8881234");
        var page = TestBrowser.Parse(await (await browser.GetAsync("/icelandic-eid/verify")).Content.ReadAsStringAsync());
        var script = page.QuerySelector("script[src]")!.GetAttribute("src")!;
        var style = page.QuerySelector("link[rel=stylesheet]")!.GetAttribute("href")!;
        Assert.Matches("^/icelandic-eid/assets/eid\\.[0-9a-f]{12}\\.js$", script);
        Assert.Matches("^/icelandic-eid/assets/eid\\.[0-9a-f]{12}\\.css$", style);

        var js = await browser.GetAsync(script);
        Assert.Equal(HttpStatusCode.OK, js.StatusCode);
        Assert.Equal("public, max-age=31536000, immutable", js.Headers.CacheControl!.ToString());
        Assert.StartsWith("text/javascript", js.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, script);
        conditional.Headers.IfNoneMatch.Add(js.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await browser.Client.SendAsync(conditional)).StatusCode);

        var stale = await browser.GetAsync("/icelandic-eid/assets/eid.000000000000.js");
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal("public, max-age=60", stale.Headers.CacheControl!.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/icelandic-eid/assets/other.js")).StatusCode);
        using var post = await browser.Client.PostAsync(script, null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    /// <summary>A JSON body sent without a Content-Length.</summary>
    private sealed class UnknownLengthContent : HttpContent
    {
        private readonly byte[] _bytes;

        public UnknownLengthContent(byte[] bytes)
        {
            _bytes = bytes;
            Headers.ContentType = new("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
