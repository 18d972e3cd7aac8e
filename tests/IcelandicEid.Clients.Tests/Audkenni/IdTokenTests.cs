using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using IcelandicEid.Audkenni;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IcelandicEid.Tests.Audkenni;

/// <summary>id_tokens checked against a JWKS served by a real HTTP server on loopback, with keys that rotate.</summary>
public sealed class IdTokenTests : IAsyncLifetime
{
    private const string Issuer = "https://idp-dev.audkenni.is/sso/oauth2/realms/root/realms/audkenni";
    private const string ClientId = "test-client";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly List<RsaSecurityKey> _published = [];
    private readonly HttpClient _http = new();
    private HttpListener? _server;
    private readonly CancellationTokenSource _stop = new();
    private int _fetches;
    private Uri _jwks = default!;

    public Task InitializeAsync()
    {
        // A plain HttpListener on a free loopback port: the key endpoint, and one that never answers in time.
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            _address = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/";
        }

        _server = new HttpListener();
        _server.Prefixes.Add(_address);
        _server.Start();
        _ = ServeAsync(_server, _stop.Token);
        _jwks = new Uri(_address + "sso/oauth2/realms/root/realms/audkenni/connect/jwk_uri");
        return Task.CompletedTask;
    }

    private string _address = string.Empty;

    private async Task ServeAsync(HttpListener server, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await server.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(
                async () =>
                {
                    string body;
                    if (context.Request.Url!.AbsolutePath == "/stalled-jwks")
                    {
                        try
                        {
                            await Task.Delay(TimeSpan.FromSeconds(30), stop);
                        }
                        catch (OperationCanceledException)
                        {
                        }

                        body = "{\"keys\":[]}";
                    }
                    else
                    {
                        Interlocked.Increment(ref _fetches);
                        lock (_published)
                        {
                            body = Jwks(_published);
                        }
                    }

                    try
                    {
                        var bytes = System.Text.Encoding.UTF8.GetBytes(body);
                        context.Response.ContentType = "application/json";
                        await context.Response.OutputStream.WriteAsync(bytes, stop);
                        context.Response.Close();
                    }
                    catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or OperationCanceledException or IOException)
                    {
                    }
                },
                stop);
        }
    }

    public Task DisposeAsync()
    {
        _http.Dispose();
        _stop.Cancel();
        _server?.Close();
        _stop.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_token_signed_by_a_published_key_for_this_client_and_nonce_is_accepted_and_the_keys_are_cached()
    {
        var key = Publish("k1");
        var tokens = Validator();
        var check = await tokens.ValidateAsync(Token(key, nonce: "n-1"), "n-1", default);
        Assert.Equal(IdTokenProblem.None, check.Problem);
        Assert.Equal("2410803079", check.Claims!["nationalRegisterId"]);
        await tokens.ValidateAsync(Token(key, nonce: "n-2"), "n-2", default);
        Assert.Equal(1, _fetches);
    }

    [Fact]
    public async Task Every_wrong_token_is_refused_with_its_reason()
    {
        var key = Publish("k1");
        var tokens = Validator();
        using var stranger = RSA.Create(2048);
        var forged = new RsaSecurityKey(stranger) { KeyId = "k1" }; // the right key id, another key
        Assert.Equal(IdTokenProblem.BadSignature, (await tokens.ValidateAsync(Token(forged), "n", default)).Problem);
        Assert.Equal(IdTokenProblem.WrongIssuer, (await tokens.ValidateAsync(Token(key, issuer: "https://evil.example/"), "n", default)).Problem);
        Assert.Equal(IdTokenProblem.WrongAudience, (await tokens.ValidateAsync(Token(key, audience: "another-client"), "n", default)).Problem);
        Assert.Equal(IdTokenProblem.Expired, (await tokens.ValidateAsync(Token(key, expires: _time.GetUtcNow().AddMinutes(-5)), "n", default)).Problem);
        Assert.Equal(IdTokenProblem.WrongNonce, (await tokens.ValidateAsync(Token(key, nonce: "other"), "n", default)).Problem);
        Assert.Equal(IdTokenProblem.Malformed, (await tokens.ValidateAsync("not.a.jwt", "n", default)).Problem);

        // Unsigned ("alg": "none") with the right claims.
        var unsigned = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer, Audience = ClientId, Claims = new Dictionary<string, object> { ["nonce"] = "n" },
            Expires = _time.GetUtcNow().AddMinutes(5).UtcDateTime, IssuedAt = _time.GetUtcNow().UtcDateTime, NotBefore = _time.GetUtcNow().AddMinutes(-1).UtcDateTime,
        });
        Assert.NotEqual(IdTokenProblem.None, (await tokens.ValidateAsync(unsigned, "n", default)).Problem);
    }

    [Fact]
    public async Task A_new_key_id_fetches_the_keys_again_once_and_an_unknown_one_is_refused()
    {
        var old = Publish("k1");
        var tokens = Validator();
        Assert.Equal(IdTokenProblem.None, (await tokens.ValidateAsync(Token(old), "n", default)).Problem);
        var rotated = Publish("k2");
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(IdTokenProblem.None, (await tokens.ValidateAsync(Token(rotated), "n", default)).Problem);
        Assert.Equal(2, _fetches);

        using var stranger = RSA.Create(2048);
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(IdTokenProblem.UnknownKey, (await tokens.ValidateAsync(Token(new RsaSecurityKey(stranger) { KeyId = "k9" }), "n", default)).Problem);
        Assert.Equal(IdTokenProblem.UnknownKey, (await tokens.ValidateAsync(Token(new RsaSecurityKey(stranger) { KeyId = "k9" }), "n", default)).Problem);
        Assert.Equal(3, _fetches); // one more fetch for the unknown id, then no more until refetchAfter has passed
    }

    [Fact]
    public async Task Keys_that_cannot_be_fetched_are_a_typed_failure_not_an_exception()
    {
        var key = Publish("k1");
        var tokens = new AudkenniIdTokens(() => _http, new Uri("http://127.0.0.1:1/jwks"), Issuer, ClientId, _time, TimeSpan.FromHours(1), TimeSpan.FromSeconds(10));
        Assert.Equal(IdTokenProblem.KeysUnavailable, (await tokens.ValidateAsync(Token(key), "n", default)).Problem);
    }

    [Fact]
    public async Task A_stalled_key_server_is_unavailable_within_the_fetch_timeout()
    {
        var key = Publish("k1");
        var stalled = new Uri(_jwks, "/stalled-jwks");
        var tokens = new AudkenniIdTokens(() => _http, stalled, Issuer, ClientId, _time, TimeSpan.FromHours(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal(IdTokenProblem.KeysUnavailable, (await tokens.ValidateAsync(Token(key), "n", default)).Problem);
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    private AudkenniIdTokens Validator() => new(() => _http, _jwks, Issuer, ClientId, _time, TimeSpan.FromHours(1), TimeSpan.FromSeconds(10));

    private RsaSecurityKey Publish(string kid)
    {
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = kid };
        lock (_published)
        {
            _published.Add(key);
        }

        return key;
    }

    private string Token(RsaSecurityKey key, string nonce = "n", string issuer = Issuer, string audience = ClientId, DateTimeOffset? expires = null)
    {
        var now = _time.GetUtcNow();
        var exp = expires ?? now.AddMinutes(5);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", "2410803079")]),
            Claims = new Dictionary<string, object> { ["nonce"] = nonce, ["nationalRegisterId"] = "2410803079", ["name"] = "Jón Prófari Jónsson" },
            IssuedAt = exp.AddMinutes(-10).UtcDateTime,
            NotBefore = exp.AddMinutes(-10).UtcDateTime,
            Expires = exp.UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    private static string Jwks(IEnumerable<RsaSecurityKey> keys) => JsonSerializer.Serialize(new
    {
        keys = keys.Select(k =>
        {
            var p = k.Rsa.ExportParameters(false);
            return new { kty = "RSA", use = "sig", alg = "RS256", kid = k.KeyId, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) };
        }),
    });
}
