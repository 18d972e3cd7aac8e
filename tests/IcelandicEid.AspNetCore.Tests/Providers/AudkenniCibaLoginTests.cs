using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IcelandicEid.AspNetCore;
using IcelandicEid.Audkenni;
using IcelandicEid.Emulator;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IcelandicEid.Tests.Providers;

/// <summary>Whole logins through the handler with the provider named Audkenni over CIBA (Protocol = Ciba), against the
/// emulator's back channel: a real HTTP server that verifies the request object with the client's registered key.</summary>
public sealed class AudkenniCibaLoginTests : AudkenniProtocolScenarios, IClassFixture<AudkenniEmulatorFixture>, IDisposable
{
    private readonly UpstreamEmulator _emulator;
    private readonly string _keyPath;

    public AudkenniCibaLoginTests(AudkenniEmulatorFixture fixture)
        : base(fixture.Emulator)
    {
        _emulator = fixture.Emulator;
        _keyPath = Path.Combine(Path.GetTempPath(), "audkenni-client-" + Guid.NewGuid().ToString("N") + ".pem");
        File.WriteAllText(_keyPath, _emulator.State.Audkenni.ClientKeyPem());
    }

    public void Dispose() => File.Delete(_keyPath);

    [Theory]
    [InlineData("app", "120389-4569", "1203894569", "1203894569", "app-auth")]
    [InlineData("sim", "888 1234", "8881234", AudkenniEmulator.SimKennitala, "sim-auth")]
    public async Task A_login_over_CIBA_signs_the_verified_person_in_with_the_documented_request_object(string method, string identifier, string hint, string kennitala, string acr)
    {
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();
        var (finish, code) = await TestLogins.LoginUntilEndAsync(browser, method, identifier);
        Assert.True(finish.Headers.Location?.OriginalString == "/profile", Logs(app));
        var claims = await TestLogins.ProfileAsync(browser);
        Assert.Contains(claims, c => c.Type == System.Security.Claims.ClaimTypes.Name && c.Value == AudkenniEmulator.PersonName);
        Assert.Contains(claims, c => c.Type == IcelandicEidClaimTypes.Kennitala && c.Value == kennitala);
        Assert.Contains(claims, c => c.Value.Contains("Emulator Fullgilt audkenni test root", StringComparison.Ordinal));

        // The request object as documented; the page's code is the one computed from its binding_content.
        var request = _emulator.State.Audkenni.LastRequestObject!;
        Assert.Equal(AudkenniEmulator.ClientId, (string?)request["iss"]);
        Assert.Equal(new Uri(_emulator.BaseAddress, "/sso/oauth2/realms/root/realms/audkenni").ToString(), (string?)request["aud"]);
        Assert.Equal(hint, (string?)request["login_hint"]);
        Assert.Equal(acr, (string?)request["acr_values"]);
        Assert.Equal("openid profile signature", (string?)request["scope"]);
        Assert.Equal("Innskráning hjá Prófunarþjónustan", (string?)request["binding_message"]);
        Assert.Equal("false", (string?)request["vchoice"]);
        Assert.Equal("false", (string?)request["confirmation_message"]);
        Assert.Null(request["binding_message_long"]);
        Assert.Equal(300, (long)request["exp"]! - (long)request["iat"]!);
        Assert.Equal(code, CodeOf((string)request["binding_content"]!));

        // No tree, no cookies, no authorize: the back channel, the token endpoint, the userinfo.
        var calls = _emulator.State.Calls.Where(c => c.Api == "audkenni").ToList();
        Assert.DoesNotContain(calls, c => c.Endpoint is "tree" or "authorize");
        Assert.Single(calls, c => c.Endpoint == "start");
        Assert.Single(calls, c => c.Endpoint == "token");
        Assert.Single(calls, c => c.Endpoint == "userinfo");
        Assert.DoesNotContain(calls, c => c.TooEarly);
    }

    [Fact]
    public async Task The_app_options_travel_in_the_request_object()
    {
        var longMessage = "Þú ert að skrá þig inn á Mínar síður Stéttarfélagsins.";
        await using var app = await StartAsync(a => { a.VChoice = true; a.ConfirmMessage = true; a.LongMessage = longMessage; a.Message = "Stéttarfélagið"; a.RelatedParty = "stettarfelagid"; });
        using var browser = app.NewBrowser();
        Assert.Equal("/profile", (await TestLogins.LoginUntilEndAsync(browser, "app", "120389-4569")).Finish.Headers.Location!.OriginalString);
        var request = _emulator.State.Audkenni.LastRequestObject!;
        Assert.Equal("true", (string?)request["vchoice"]);
        Assert.Equal("true", (string?)request["confirmation_message"]);
        Assert.Equal(longMessage, (string?)request["binding_message_long"]);
        Assert.Equal("Stéttarfélagið", (string?)request["binding_message"]);
        Assert.Equal("openid profile signature RELATEDPARTY:stettarfelagid", (string?)request["scope"]);
    }

    /// <summary>A CIBA id_token that says it answers another auth_req_id signs nobody in.</summary>
    [Fact]
    public async Task An_id_token_for_another_request_signs_nobody_in()
    {
        _emulator.State.Audkenni.Faults = AudkenniFault.OtherAuthRequestId;
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();
        var (finish, _) = await TestLogins.LoginUntilEndAsync(browser, "sim", "888 1234");
        Assert.Contains("Ekki tókst að sannreyna svarið frá Auðkenni", await finish.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/profile")).StatusCode);
        Assert.Contains(app.Logs.Entries, e => e.Message.Contains("another auth_req_id", StringComparison.Ordinal));
    }

    /// <summary>An interval longer than the option, announced by Auðkenni, sets the pace from the first poll.</summary>
    [Fact]
    public async Task The_announced_interval_sets_the_pace_when_it_is_longer_than_the_option()
    {
        _emulator.State.Audkenni.WaitTime = TimeSpan.FromSeconds(3);
        _emulator.State.Script("1203894569", ScriptedOutcome.Approve, TimeSpan.FromSeconds(7));
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();
        Assert.Equal("/profile", (await TestLogins.LoginUntilEndAsync(browser, "app", "120389-4569")).Finish.Headers.Location!.OriginalString);
        var polls = Polls();
        Assert.True(polls.Count >= 2, Times(polls));
        Assert.All(polls.Zip(polls.Skip(1)), pair => Assert.True(pair.Second.At - pair.First.At >= TimeSpan.FromSeconds(2.95), "a poll sooner than the interval: " + Times(polls)));
        Assert.DoesNotContain(polls, c => c.TooEarly);
    }

    /// <summary>Auðkenni announces 1 s but enforces 2 s: the first poll after 1 s gets <c>slow_down</c>, and from then on
    /// the login keeps the interval plus five seconds (CIBA Core 11), so there is exactly one early poll.</summary>
    [Fact]
    public async Task Slow_down_lengthens_the_logins_interval_for_the_rest_of_the_login()
    {
        _emulator.State.Audkenni.CibaEnforcedInterval = TimeSpan.FromSeconds(2);
        _emulator.State.Script("1203894569", ScriptedOutcome.Approve, TimeSpan.FromSeconds(13));
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();
        Assert.Equal("/profile", (await TestLogins.LoginUntilEndAsync(browser, "app", "120389-4569")).Finish.Headers.Location!.OriginalString);
        var polls = Polls();
        Assert.Single(polls, c => c.TooEarly);
        var slowed = polls.FindIndex(c => c.TooEarly);
        var after = polls.Skip(slowed).ToList();
        Assert.True(after.Count >= 3, Times(polls));
        Assert.All(after.Zip(after.Skip(1)), pair => Assert.True(pair.Second.At - pair.First.At >= TimeSpan.FromSeconds(5.95), "a poll sooner than slow_down allows: " + Times(polls)));
        Assert.Contains(app.Logs.Entries, e => e.Id.Id == 111);
    }

    /// <summary>The token answer is lost after the auth_req_id was spent: the poll is retried, Auðkenni says
    /// <c>invalid_grant</c>, and the login ends once with <c>finish-failed</c>; nothing is redeemed twice.</summary>
    [Theory]
    [InlineData(FaultKind.ServerError)]
    [InlineData(FaultKind.Reset)]
    public async Task A_lost_token_answer_fails_the_login_once_with_its_own_reason(FaultKind kind)
    {
        _emulator.State.AddFault(new Fault(kind, "audkenni-token", Count: 5));
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();
        await StartLoginAsync(browser, "app", "120389-4569");
        var status = await TestLogins.StatusUntilEndAsync(browser);
        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Equal("finish-failed", status.GetProperty("reason").GetString());
        Assert.Equal(HttpStatusCode.BadGateway, (await browser.FinishAsync()).StatusCode);
        Assert.Single(_emulator.State.Calls, c => c.Api == "audkenni" && c.Endpoint == "poll" && c.Status == 200);
        Assert.Contains(_emulator.State.Calls, c => c.Api == "audkenni" && c.Endpoint == "poll" && c.Status == 400);
        Assert.DoesNotContain(_emulator.State.Calls, c => c.Api == "audkenni" && c.Endpoint == "userinfo");
        Assert.Contains(app.Logs.Entries, e => e.Id.Id == 110 && e.Message.Contains("invalid_grant", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dropped_polls_are_retried_and_the_login_still_succeeds()
    {
        _emulator.State.AddFault(new Fault(FaultKind.Reset, "audkenni-poll", Count: 1));
        _emulator.State.AddFault(new Fault(FaultKind.ServerError, "audkenni-poll", Count: 1));
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();
        Assert.Equal("/profile", (await TestLogins.LoginUntilEndAsync(browser, "app", "120389-4569")).Finish.Headers.Location!.OriginalString);
    }

    /// <summary>A request object signed with a key Auðkenni does not hold is refused: the person is told the request could
    /// not be sent, the operator reads why, and nothing of the key is logged.</summary>
    [Fact]
    public async Task A_request_signed_with_another_key_is_refused_at_the_start()
    {
        using var stranger = RSA.Create(2048);
        var path = Path.Combine(Path.GetTempPath(), "audkenni-stranger-" + Guid.NewGuid().ToString("N") + ".pem");
        await File.WriteAllTextAsync(path, stranger.ExportPkcs8PrivateKeyPem());
        try
        {
            await using var app = await StartAsync(a => a.RequestKeyPath = path);
            using var browser = app.NewBrowser();
            var refused = await browser.SubmitAsync(await browser.OpenLoginAsync(), "app", "120389-4569");
            Assert.NotEqual(HttpStatusCode.SeeOther, refused.StatusCode);
            Assert.NotEqual(HttpStatusCode.InternalServerError, refused.StatusCode);
            Assert.Contains(app.Logs.Entries, e => e.Message.Contains("signature does not verify", StringComparison.Ordinal));
            Assert.DoesNotContain(app.Logs.Entries, e => e.Message.Contains("PRIVATE KEY", StringComparison.Ordinal) || e.Message.Contains("1203894569", StringComparison.Ordinal));
            Assert.Null(_emulator.State.Audkenni.LastRequestObject);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The relying party's key from the certificate store (CurrentUser\My), found by thumbprint.</summary>
    [Fact]
    public async Task The_request_key_can_come_from_the_certificate_store()
    {
        var request = new CertificateRequest("CN=Prófunarþjónustan CIBA", _emulator.State.Audkenni.ClientKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        using var withKey = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12, "p"), "p", X509KeyStorageFlags.PersistKeySet | X509KeyStorageFlags.Exportable);
        using var store = new X509Store(StoreName.My, StoreLocation.CurrentUser);
        store.Open(OpenFlags.ReadWrite);
        store.Add(withKey);
        try
        {
            await using var app = await StartAsync(a => { a.RequestKeyPath = null; a.RequestKeyThumbprint = withKey.Thumbprint.ToLowerInvariant(); });
            using var browser = app.NewBrowser();
            Assert.Equal("/profile", (await TestLogins.LoginUntilEndAsync(browser, "sim", "888 1234")).Finish.Headers.Location!.OriginalString);
        }
        finally
        {
            store.Remove(withKey);
        }

        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(a => { a.RequestKeyPath = null; a.RequestKeyThumbprint = withKey.Thumbprint; }));
        Assert.Contains("RequestKeyThumbprint", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("is not in the CurrentUser My store", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_CIBA_options_are_validated_at_startup_naming_each_problem()
    {
        // No key, or both: named. The redirect URI is the tree's and is not asked for.
        var error = (await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(a => { a.RequestKeyPath = null; a.RedirectUri = null; }))).ToString();
        Assert.Contains("IcelandicEid:Audkenni:RequestKeyPath", error, StringComparison.Ordinal);
        Assert.DoesNotContain("RedirectUri", error, StringComparison.Ordinal);
        error = (await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(a => a.RequestKeyThumbprint = "ABCD"))).ToString();
        Assert.Contains("exactly one", error, StringComparison.Ordinal);

        // A file that is not a key, a key too small, an encrypted key without its password: each named.
        var path = Path.Combine(Path.GetTempPath(), "audkenni-bad-" + Guid.NewGuid().ToString("N") + ".pem");
        try
        {
            await File.WriteAllTextAsync(path, _emulator.State.Audkenni.Root.ExportCertificatePem());
            Assert.Contains("is not an RSA private key", (await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(a => a.RequestKeyPath = path))).ToString(), StringComparison.Ordinal);
            using (var small = RSA.Create(1024))
            {
                await File.WriteAllTextAsync(path, small.ExportPkcs8PrivateKeyPem());
            }

            Assert.Contains("at least 2048", (await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(a => a.RequestKeyPath = path))).ToString(), StringComparison.Ordinal);
            var encrypted = _emulator.State.Audkenni.ClientKey.ExportEncryptedPkcs8PrivateKeyPem("lykilorð", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000));
            await File.WriteAllTextAsync(path, encrypted);
            Assert.Contains("needs RequestKeyPassword", (await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(a => a.RequestKeyPath = path))).ToString(), StringComparison.Ordinal);

            // With its password, the encrypted key signs logins.
            await using var app = await StartAsync(a => { a.RequestKeyPath = path; a.RequestKeyPassword = "lykilorð"; });
            using var browser = app.NewBrowser();
            Assert.Equal("/profile", (await TestLogins.LoginUntilEndAsync(browser, "app", "120389-4569")).Finish.Headers.Location!.OriginalString);
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Contains("AppTitle", (await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(a => a.AppTitle = "Titill"))).ToString(), StringComparison.Ordinal);
    }

    private static string CodeOf(string hash)
    {
        var digest = SHA256.HashData(Convert.FromBase64String(hash));
        return ((digest[^2] << 8 | digest[^1]) % 10000).ToString("D4", System.Globalization.CultureInfo.InvariantCulture);
    }

    private List<RecordedCall> Polls() => _emulator.State.Calls.Where(c => c.Api == "audkenni" && c.Endpoint == "poll").OrderBy(c => c.At).ToList();

    private static string Times(IEnumerable<RecordedCall> calls) => string.Join(", ", calls.Select(p => p.At.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture) + (p.TooEarly ? "!" : string.Empty)));

    private static string Logs(TestApp app) => string.Join('\n', app.Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Information).Select(e => e.Message));

    private static async Task StartLoginAsync(TestBrowser browser, string method, string identifier)
        => Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(await browser.OpenLoginAsync(), method, identifier)).StatusCode);

    /// <summary>The emulator's address, credentials, test root and registered client key, over CIBA.</summary>
    protected override void ForEmulator(AudkenniOptions a)
    {
        a.Protocol = AudkenniProtocol.Ciba;
        a.BaseUrl = _emulator.BaseAddress;
        a.ClientId = AudkenniEmulator.ClientId;
        a.ClientSecret = AudkenniEmulator.ClientSecret;
        a.RequestKeyPath = _keyPath;
        a.RootCertificates.Add(_emulator.State.Audkenni.Root);
        a.PollInterval = TimeSpan.FromSeconds(1);
    }
}
