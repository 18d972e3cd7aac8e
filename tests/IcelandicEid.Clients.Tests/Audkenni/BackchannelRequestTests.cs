using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IcelandicEid.Audkenni;
using IcelandicEid.Http;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace IcelandicEid.Tests.Audkenni;

/// <summary>CIBA's request object as built, read back as Auðkenni would: the header, the signature with the registered
/// public key, and every member; and the CIBA options' checks.</summary>
public sealed class BackchannelRequestTests : IDisposable
{
    private static readonly DateTimeOffset s_now = new(2026, 12, 5, 12, 0, 0, TimeSpan.Zero);
    private readonly RSA _key = RSA.Create(2048);
    private readonly HttpClient _http = new();
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _root = TestCertificates.Authority("CN=Test root", null, s_now.AddYears(-1), s_now.AddYears(5));
    private readonly List<string> _files = [];

    public void Dispose()
    {
        _files.ForEach(File.Delete);
        _root.Dispose();
        _key.Dispose();
        _http.Dispose();
    }

    [Fact]
    public void The_request_object_is_signed_RS256_and_carries_the_documented_members()
    {
        var options = Options(o => { o.RequestKeyId = "rp-2026"; o.VChoice = true; o.LongMessage = "Lengri skilaboð"; });
        var hash = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var jwt = Backchannel(options).RequestObject(new CibaRequest(EidMethod.App, "1203894569", "Innskráning hjá Prófun", hash));

        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        Assert.True(_key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        using var header = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[0]));
        Assert.Equal("RS256", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal("rp-2026", header.RootElement.GetProperty("kid").GetString());

        using var body = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
        var claims = body.RootElement;
        Assert.Equal("rp-client", claims.GetProperty("iss").GetString());
        Assert.Equal("https://idp-dev.audkenni.is/sso/oauth2/realms/root/realms/audkenni", claims.GetProperty("aud").GetString());
        Assert.Equal(s_now.ToUnixTimeSeconds(), claims.GetProperty("iat").GetInt64());
        Assert.Equal(s_now.ToUnixTimeSeconds(), claims.GetProperty("nbf").GetInt64());
        Assert.Equal(s_now.AddMinutes(5).ToUnixTimeSeconds(), claims.GetProperty("exp").GetInt64());
        Assert.Equal(22, claims.GetProperty("jti").GetString()!.Length);
        Assert.Equal("1203894569", claims.GetProperty("login_hint").GetString());
        Assert.Equal("openid profile signature", claims.GetProperty("scope").GetString());
        Assert.Equal("app-auth", claims.GetProperty("acr_values").GetString());
        Assert.Equal("Innskráning hjá Prófun", claims.GetProperty("binding_message").GetString());
        Assert.Equal(hash, claims.GetProperty("binding_content").GetString());
        Assert.Equal("true", claims.GetProperty("vchoice").GetString());
        Assert.Equal("false", claims.GetProperty("confirmation_message").GetString());
        Assert.Equal("Lengri skilaboð", claims.GetProperty("binding_message_long").GetString());

        // A second request object has its own jti; a SIM login asks for the SIM method with the number as the hint.
        var sim = Backchannel(options).RequestObject(new CibaRequest(EidMethod.Sim, "8881234", "Innskráning", hash));
        using var simBody = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(sim.Split('.')[1]));
        Assert.Equal("sim-auth", simBody.RootElement.GetProperty("acr_values").GetString());
        Assert.Equal("8881234", simBody.RootElement.GetProperty("login_hint").GetString());
        Assert.NotEqual(claims.GetProperty("jti").GetString(), simBody.RootElement.GetProperty("jti").GetString());
    }

    [Fact]
    public void The_audience_and_acr_values_are_configuration()
    {
        var options = Options(o => { o.RequestAudience = "https://idp-dev.audkenni.is:443/sso/oauth2/realms/root/realms/audkenni"; o.SimAcrValue = "sim-auth-v2"; });
        var jwt = Backchannel(options).RequestObject(new CibaRequest(EidMethod.Sim, "8881234", "Innskráning", "AAAA"));
        using var body = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(jwt.Split('.')[1]));
        Assert.Equal("https://idp-dev.audkenni.is:443/sso/oauth2/realms/root/realms/audkenni", body.RootElement.GetProperty("aud").GetString());
        Assert.Equal("sim-auth-v2", body.RootElement.GetProperty("acr_values").GetString());
    }

    [Fact]
    public void The_CIBA_options_name_every_problem_at_once()
    {
        var options = Options(o => { o.RequestKeyPath = null; o.BackchannelPath = " "; o.AppAcrValue = string.Empty; o.RedirectUri = null; });
        var error = Assert.Throws<OptionsValidationException>(options.Validate);
        Assert.Contains(error.Failures, f => f.Contains("IcelandicEid:Audkenni:RequestKeyPath", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("IcelandicEid:Audkenni:BackchannelPath", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("IcelandicEid:Audkenni:AppAcrValue", StringComparison.Ordinal));
        Assert.DoesNotContain(error.Failures, f => f.Contains("RedirectUri", StringComparison.Ordinal));

        // The tree still needs its redirect URI.
        options.Protocol = AudkenniProtocol.Tree;
        Assert.Contains(Assert.Throws<OptionsValidationException>(options.Validate).Failures, f => f.Contains("RedirectUri", StringComparison.Ordinal));
    }

    private AudkenniOptions Options(Action<AudkenniOptions>? more = null)
    {
        var path = Path.Combine(Path.GetTempPath(), "rp-key-" + Guid.NewGuid().ToString("N") + ".pem");
        File.WriteAllText(path, _key.ExportRSAPrivateKeyPem());
        _files.Add(path);
        var options = new AudkenniOptions
        {
            Protocol = AudkenniProtocol.Ciba,
            BaseUrl = new Uri("https://idp-dev.audkenni.is"),
            ClientId = "rp-client",
            ClientSecret = "rp-secret",
            RequestKeyPath = path,
        };
        options.RootCertificates.Add(_root);
        more?.Invoke(options);
        return options;
    }

    private AudkenniBackchannel Backchannel(AudkenniOptions options)
    {
        var time = new FakeTimeProvider(s_now);
        var pipelines = new UpstreamPipelines(options.Resilience, options.Resilience.AttemptTimeout, time);
        var tokens = new AudkenniIdTokens(() => _http, new Uri("https://idp-dev.audkenni.is/jwk"), options.IssuerOrDefault, options.ClientId!, time, TimeSpan.FromHours(1), TimeSpan.FromSeconds(30));
        var results = new AudkenniResults(() => _http, options, tokens, [], [], time, pipelines);
        return new AudkenniBackchannel(() => _http, options, AudkenniRequestKey.Load(options), results, time, pipelines);
    }
}
