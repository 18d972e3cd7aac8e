using System.Net;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IcelandicEid.Tests.Integration;

/// <summary>Outside Development the login and its cookies never travel over plain HTTP, unless the app says a
/// TLS-terminating proxy is in front (forwarded headers) or sets <c>AllowPlainHttp</c>.</summary>
public class PlainHttpTests
{
    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public async Task Outside_Development_plain_HTTP_gets_a_clear_page_and_the_operator_one_error_line(string environment)
    {
        await using var app = await TestApp.StartAsync(o => o.AllowPlainHttp = false, environment: environment);
        using var browser = app.NewBrowser();
        var page = await browser.GetAsync("/icelandic-eid/login");
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        Assert.Contains("aðeins hægt að nota yfir örugga tengingu (https)", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.PostFormAsync("/icelandic-eid/start", new Dictionary<string, string> { ["method"] = "sim", ["phone"] = "8881234" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.GetAsync("/icelandic-eid/finish")).StatusCode);
        var logged = app.Logs.Entries.Where(e => e.Id.Name == "PlainHttpRefused").ToList();
        Assert.Single(logged);
        Assert.Equal(LogLevel.Error, logged[0].Level);
        Assert.Contains("XForwardedProto", logged[0].Message, StringComparison.Ordinal);

        // Over HTTPS the same app serves the login.
        using var secure = app.NewBrowser(https: true);
        Assert.Equal(HttpStatusCode.OK, (await secure.GetAsync("/icelandic-eid/login")).StatusCode);
    }

    [Fact]
    public async Task Development_a_proxy_that_sends_the_protocol_or_the_explicit_option_serve_plain_HTTP()
    {
        await using (var development = await TestApp.StartAsync(o => o.AllowPlainHttp = false, environment: "Development"))
        {
            using var browser = development.NewBrowser();
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/icelandic-eid/login")).StatusCode);
        }

        await using (var proxied = await TestApp.StartAsync(
            o => o.AllowPlainHttp = false,
            services: s => s.Configure<ForwardedHeadersOptions>(f => f.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto),
            environment: "Production"))
        {
            using var browser = proxied.NewBrowser();
            Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/icelandic-eid/login")).StatusCode);
        }

        await using var allowed = await TestApp.StartAsync(o => o.AllowPlainHttp = true, environment: "Production");
        using var plain = allowed.NewBrowser();
        Assert.Equal(HttpStatusCode.OK, (await plain.GetAsync("/icelandic-eid/login")).StatusCode);
        Assert.DoesNotContain(allowed.Logs.Entries, e => e.Id.Name == "PlainHttpRefused");
    }
}
