using System.Net;

namespace IcelandicEid.Tests.Infrastructure;

/// <summary>Keeps cookies like a browser, without following redirects, so tests see every step.</summary>
public sealed class CookieHandler : DelegatingHandler
{
    public CookieHandler(HttpMessageHandler inner)
        : base(inner)
    {
    }

    public CookieContainer Cookies { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        var header = Cookies.GetCookieHeader(uri);
        if (header.Length > 0)
        {
            request.Headers.Remove("Cookie");
            request.Headers.Add("Cookie", header);
        }

        var response = await base.SendAsync(request, cancellationToken);
        if (response.Headers.TryGetValues("Set-Cookie", out var values))
        {
            foreach (var value in values)
            {
                Cookies.SetCookies(uri, value);
            }
        }

        return response;
    }
}
