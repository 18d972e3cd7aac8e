using System.Net;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace IcelandicEid.Tests.Integration;

/// <summary>The sample as deployed behind a proxy: which peers may name the client, what the public may see.</summary>
public sealed class SampleHardeningTests : IClassFixture<SampleHardeningTests.Factory>
{
    private const string PeerHeader = "X-Test-Peer";
    private readonly Factory _factory;

    public SampleHardeningTests(Factory factory) => _factory = factory;

    /// <summary>The sample in Production mode, trusting forwarded headers from 10.9.0.0/16 only, two starts per client.</summary>
    public sealed class Factory : WebApplicationFactory<Program>
    {
        public FakeTimeProvider Time { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("TrustForwardedHeaders", "true");
            builder.UseSetting("ForwardedHeaders:KnownNetworks:0", "10.9.0.0/16");
            builder.UseSetting("IcelandicEid:Limits:StartsPerClientAddress", "2");
            builder.UseSetting("IcelandicEid:Simulator:ApprovalDelay", "00:01:00");
            builder.ConfigureTestServices(services =>
            {
                services.AddSingleton<TimeProvider>(Time);

                // The peer address of the connection, as the network would give it.
                services.AddSingleton<IStartupFilter>(new PeerAddressFilter());
            });
        }
    }

    private sealed class PeerAddressFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[PeerHeader].ToString(), out var peer))
                {
                    context.Connection.RemoteIpAddress = peer;
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }

    private TestBrowser NewBrowser(string peer, string? forwardedFor)
    {
        var handler = new CookieHandler(_factory.Server.CreateHandler());
        var client = new HttpClient(handler) { BaseAddress = new Uri("http://localhost") };
        client.DefaultRequestHeaders.Add(PeerHeader, peer);
        if (forwardedFor is not null)
        {
            client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        }

        return new TestBrowser(client, handler);
    }

    [Fact]
    public async Task A_client_reaching_an_instance_directly_cannot_choose_its_address_with_X_Forwarded_For()
    {
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var browser = NewBrowser("203.0.113.77", "198.51.100." + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            codes.Add((await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "66600" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture))).StatusCode);
        }

        Assert.Equal([HttpStatusCode.SeeOther, HttpStatusCode.SeeOther, HttpStatusCode.TooManyRequests], codes);
    }

    [Fact]
    public async Task The_trusted_proxy_names_each_client()
    {
        for (var i = 0; i < 3; i++)
        {
            using var browser = NewBrowser("10.9.0.2", "192.0.2." + (10 + i).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "66610" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture))).StatusCode);
        }
    }

    [Fact]
    public async Task The_public_sees_no_host_name_and_no_health_details()
    {
        using var browser = NewBrowser("203.0.113.78", null);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/instance")).StatusCode);
        var health = await browser.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", await health.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/health/details")).StatusCode);

        using var local = NewBrowser("127.0.0.1", null);
        var details = await local.GetAsync("/health/details");
        Assert.Equal(HttpStatusCode.OK, details.StatusCode);
        Assert.Contains("icelandic-eid-store", await details.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
