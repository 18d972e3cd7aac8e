using System.Net;
using System.Text.Json;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace IcelandicEid.Tests.Infrastructure;

/// <summary>A scripted browser over HttpClient: keeps cookies, does not follow redirects, reads the handler's forms.</summary>
public sealed class TestBrowser : IDisposable
{
    private static readonly HtmlParser s_parser = new();

    public TestBrowser(HttpClient client, CookieHandler cookies)
    {
        Client = client;
        CookieHandler = cookies;
    }

    public HttpClient Client { get; }

    public CookieHandler CookieHandler { get; }

    public const string ClientAddressHeader = "X-Test-Client-Address";

    public string AcceptLanguage { get; set; } = "is";

    /// <summary>The address the test app sees this browser come from (null: the app's default).</summary>
    public string? ClientAddress { get; set; }

    public async Task<HttpResponseMessage> GetAsync(string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        Decorate(request);
        return await Client.SendAsync(request);
    }

    public async Task<HttpResponseMessage> PostFormAsync(string url, IEnumerable<KeyValuePair<string, string>> fields)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) };
        Decorate(request);
        return await Client.SendAsync(request);
    }

    /// <summary>Requests <paramref name="protectedUrl"/>, follows the challenge to the login page and returns it.</summary>
    public async Task<LoginForm> OpenLoginAsync(string protectedUrl = "/profile")
    {
        var challenge = await GetAsync(protectedUrl);
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var location = challenge.Headers.Location!.OriginalString;
        Assert.StartsWith("/icelandic-eid/login?state=", location, StringComparison.Ordinal);
        return await ReadLoginAsync(location);
    }

    /// <summary>The login form at <paramref name="loginUrl"/>. A browser that is already logged in gets the "you are
    /// logged in" page first and follows its "log in with another ID" link, as a person would.</summary>
    public async Task<LoginForm> ReadLoginAsync(string loginUrl)
    {
        var page = await GetAsync(loginUrl);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        if (s_parser.ParseDocument(html).QuerySelector("a.eid-again") is IHtmlAnchorElement again && again.GetAttribute("href") is { } href)
        {
            page = await GetAsync(System.Net.WebUtility.HtmlDecode(href));
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            html = await page.Content.ReadAsStringAsync();
        }

        return ParseLogin(html);
    }

    public static LoginForm ParseLogin(string html)
    {
        var document = s_parser.ParseDocument(html);
        var form = document.QuerySelector("form[data-eid-login]") as IHtmlFormElement ?? throw new InvalidOperationException("No login form:\n" + html);
        string Field(string name) => (form.QuerySelector($"input[name='{name}']") as IHtmlInputElement)?.Value ?? string.Empty;
        return new LoginForm(form.Action, Field("state"), Field("__RequestVerificationToken")) { Attempt = Field("attempt") };
    }

    /// <summary>Posts the login form for <paramref name="method"/> ("sim" or "app").</summary>
    public Task<HttpResponseMessage> SubmitAsync(LoginForm form, string method, string identifier)
        => PostFormAsync("/icelandic-eid/start", new Dictionary<string, string>
        {
            ["method"] = method,
            [method == "sim" ? "phone" : "kennitala"] = identifier,
            ["state"] = form.State,
            ["__RequestVerificationToken"] = form.Token,
            ["attempt"] = form.Attempt,
        });

    public async Task<(HttpStatusCode Code, JsonElement Json)> StatusAsync()
    {
        var response = await GetAsync("/icelandic-eid/status");
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public Task<HttpResponseMessage> FinishAsync() => GetAsync("/icelandic-eid/finish");

    public string? Cookie(string name)
        => CookieHandler.Cookies.GetCookies(Client.BaseAddress!).FirstOrDefault(c => c.Name == name)?.Value;

    public void SetCookie(string name, string value)
        => CookieHandler.Cookies.Add(Client.BaseAddress!, new Cookie(name, value, "/"));

    public void RemoveCookie(string name)
    {
        foreach (var cookie in CookieHandler.Cookies.GetCookies(Client.BaseAddress!).Where(c => c.Name == name))
        {
            cookie.Expired = true;
        }
    }

    public static IHtmlDocument Parse(string html) => s_parser.ParseDocument(html);

    private void Decorate(HttpRequestMessage request)
    {
        request.Headers.AcceptLanguage.ParseAdd(AcceptLanguage);
        if (ClientAddress is not null)
        {
            request.Headers.Add(ClientAddressHeader, ClientAddress);
        }
    }

    public void Dispose() => Client.Dispose();
}

public sealed record LoginForm(string Action, string State, string Token)
{
    /// <summary>The form's own secret (the hidden <c>attempt</c> field): only a post of the same form joins its login.</summary>
    public string Attempt { get; init; } = string.Empty;
}
