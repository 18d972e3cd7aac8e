using System.Net;
using IcelandicEid.AspNetCore;
using IcelandicEid.Audkenni;
using IcelandicEid.Emulator;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IcelandicEid.Tests.Providers;

/// <summary>One emulator in Auðkenni mode (a real HTTP server with its own test root and signing key) per class.</summary>
public sealed class AudkenniEmulatorFixture : IAsyncLifetime
{
    public UpstreamEmulator Emulator { get; private set; } = default!;

    public async Task InitializeAsync() => Emulator = await UpstreamEmulator.StartAsync(new EmulatorSettings { DefaultApproveAfter = TimeSpan.FromSeconds(1.2) });

    public async Task DisposeAsync() => await Emulator.DisposeAsync();
}

/// <summary>Whole logins through the handler with the provider named Audkenni, against the emulator.</summary>
public sealed class AudkenniLoginTests : AudkenniProtocolScenarios, IClassFixture<AudkenniEmulatorFixture>
{
    private readonly UpstreamEmulator _emulator;

    public AudkenniLoginTests(AudkenniEmulatorFixture fixture)
        : base(fixture.Emulator) => _emulator = fixture.Emulator;

    [Theory]
    [InlineData("app", "120389-4569", "1203894569")]
    [InlineData("sim", "888 1234", AudkenniEmulator.SimKennitala)]
    public async Task A_login_ends_on_the_profile_with_the_verified_person_and_the_certificates_issuer(string method, string identifier, string kennitala)
    {
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();
        var (finish, code) = await TestLogins.LoginUntilEndAsync(browser, method, identifier);
        Assert.True(finish.Headers.Location?.OriginalString == "/profile", string.Join('\n', app.Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Information).Select(e => e.Message)));
        Assert.Matches("^[0-9]{4}$", code);
        var claims = await TestLogins.ProfileAsync(browser);
        Assert.Contains(claims, c => c.Type == System.Security.Claims.ClaimTypes.Name && c.Value == AudkenniEmulator.PersonName);
        Assert.Contains(claims, c => c.Type == IcelandicEidClaimTypes.Kennitala && c.Value == kennitala);
        Assert.Contains(claims, c => c.Type == IcelandicEidClaimTypes.Provider && c.Value == "Audkenni");
        Assert.Contains(claims, c => c.Value.Contains("Emulator Fullgilt audkenni test root", StringComparison.Ordinal));

        // The message on the phone says who is asking; the method was chosen by its label ("app" is listed first).
        Assert.Equal("Innskráning hjá Prófunarþjónustan", _emulator.State.Calls.Single(c => c.Api == "audkenni" && c.Endpoint == "start").Message);
    }

    [Theory]
    [InlineData(AudkenniFault.TokenNamesNobody, false)]
    [InlineData(AudkenniFault.UserInfoOfAnotherPerson, false)]
    [InlineData(AudkenniFault.UserInfoOfAnotherPerson | AudkenniFault.TokenWithoutRegisterId, false)]
    [InlineData(AudkenniFault.UserInfoOfAnotherPerson | AudkenniFault.TokenWithoutRegisterId | AudkenniFault.NoSignature, true)]
    public async Task The_id_token_decides_who_logged_in_and_a_userinfo_of_anyone_else_signs_in_nobody(AudkenniFault fault, bool allowMissingSignature)
    {
        // SIM: the phone number alone does not say whose approval to expect, so only the id_token binds the person.
        _emulator.State.Audkenni.Faults = fault;
        await using var app = await StartAsync(a => a.AllowMissingSignature = allowMissingSignature);
        using var browser = app.NewBrowser();
        var (finish, _) = await TestLogins.LoginUntilEndAsync(browser, "sim", "888 1234");
        Assert.Equal(HttpStatusCode.OK, finish.StatusCode);
        Assert.Contains("Ekki tókst að sannreyna svarið frá Auðkenni", await finish.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/profile")).StatusCode);
    }

    [Fact]
    public async Task An_id_token_that_names_the_person_by_sub_alone_is_enough()
    {
        _emulator.State.Audkenni.Faults = AudkenniFault.TokenWithoutRegisterId;
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();
        Assert.Equal("/profile", (await TestLogins.LoginUntilEndAsync(browser, "sim", "888 1234")).Finish.Headers.Location!.OriginalString);
    }

    /// <summary>A CMS whose signer is another person (signed with that person's own valid certificate) never signs in.</summary>
    [Fact]
    public async Task A_CMS_with_another_persons_certificate_inside_is_not_verified()
    {
        _emulator.State.Audkenni.SignatureFormat = AudkenniSignatureFormat.CmsDetached;
        _emulator.State.Audkenni.Faults = AudkenniFault.OtherPersonsCertificate;
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();
        var (finish, _) = await TestLogins.LoginUntilEndAsync(browser, "app", "120389-4569");
        Assert.Contains("Ekki tókst að sannreyna svarið frá Auðkenni", await finish.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/profile")).StatusCode);
        Assert.Contains(app.Logs.Entries, e => e.Message.Contains("signature (Cms)", StringComparison.Ordinal) || e.Message.Contains("certificate: NameMismatch", StringComparison.Ordinal));
    }

    /// <summary>A tree asking for more time between polls than the option allows gets it: never sooner than the larger
    /// of <c>PollInterval</c> (1 s here) and the tree's <c>waitTime</c> (3 s), kept by the handler's poll lease.</summary>
    [Fact]
    public async Task The_trees_waitTime_sets_the_pace_when_it_asks_for_more_than_the_option()
    {
        _emulator.State.Audkenni.WaitTime = TimeSpan.FromSeconds(3);
        _emulator.State.Script("1203894569", ScriptedOutcome.Approve, TimeSpan.FromSeconds(7));
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();
        Assert.Equal("/profile", (await TestLogins.LoginUntilEndAsync(browser, "app", "120389-4569")).Finish.Headers.Location!.OriginalString);
        var polls = _emulator.State.Calls.Where(c => c.Api == "audkenni" && c.Endpoint == "poll").OrderBy(c => c.At).ToList();
        var times = string.Join(", ", polls.Select(p => p.At.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(polls.Count >= 2, times);
        Assert.All(polls.Zip(polls.Skip(1)), pair => Assert.True(pair.Second.At - pair.First.At >= TimeSpan.FromSeconds(2.95), "a poll sooner than the tree asked: " + times));
        Assert.DoesNotContain(polls, c => c.TooEarly);
    }

    /// <summary>A tree that asks for more time in the middle of a login (a new waitTime in a polling answer) gets it for
    /// the rest of that login: every poll after the answer that asked for 3 s comes at least 3 s after the one before.</summary>
    [Fact]
    public async Task A_tree_that_asks_for_more_time_mid_login_gets_it_for_the_rest_of_the_login()
    {
        _emulator.State.Script("1203894569", ScriptedOutcome.Approve, TimeSpan.FromSeconds(10));
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();
        var started = await browser.SubmitAsync(await browser.OpenLoginAsync(), "app", "120389-4569");
        Assert.Equal(HttpStatusCode.SeeOther, started.StatusCode);
        List<IcelandicEid.Emulator.RecordedCall> Polls() => _emulator.State.Calls.Where(c => c.Api == "audkenni" && c.Endpoint == "poll").OrderBy(c => c.At).ToList();
        var slowedAt = DateTimeOffset.MinValue;
        for (var i = 0; i < 100; i++)
        {
            var (_, json) = await browser.StatusAsync();
            if (json.GetProperty("status").GetString() != "pending")
            {
                break;
            }

            if (slowedAt == DateTimeOffset.MinValue && Polls().Count >= 2)
            {
                // From the next answer on, the tree asks for 3 s.
                _emulator.State.Audkenni.WaitTime = TimeSpan.FromSeconds(3);
                slowedAt = DateTimeOffset.UtcNow;
            }

            await Task.Delay(250);
        }

        Assert.Equal(HttpStatusCode.Redirect, (await browser.FinishAsync()).StatusCode);
        var polls = Polls();
        var times = string.Join(", ", polls.Select(p => p.At.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture)));
        var before = polls.Where(p => p.At < slowedAt).ToList();
        var after = polls.Where(p => p.At >= slowedAt).ToList();
        Assert.True(before.Count >= 2 && after.Count >= 3, times);
        Assert.True(before[1].At - before[0].At < TimeSpan.FromSeconds(2), "the pace before was the option's 1 s: " + times);

        // The first poll after the change is answered with the new waitTime; every one after it keeps 3 s.
        Assert.All(after.Zip(after.Skip(1)), pair => Assert.True(pair.Second.At - pair.First.At >= TimeSpan.FromSeconds(2.95), "a poll sooner than the tree asked: " + times));
    }

    /// <summary>With revocation checked against the operator's CRL file, a revoked person's certificate never signs in;
    /// the file is read at each check, so a refreshed list counts at once.</summary>
    [Fact]
    public async Task A_revoked_persons_certificate_never_signs_in_when_CRLs_are_checked()
    {
        var serial = System.Security.Cryptography.RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        _emulator.State.Audkenni.PersonSerial = serial;
        var crl = Path.Combine(Path.GetTempPath(), "audkenni-" + Guid.NewGuid().ToString("N") + ".crl");
        await File.WriteAllBytesAsync(crl, _emulator.State.Audkenni.Crl([serial], TimeSpan.FromDays(1)));
        try
        {
            await using var app = await StartAsync(a =>
            {
                a.Revocation = AudkenniRevocationMode.CrlFiles;
                a.CrlPaths.Add(crl);
            });
            using (var browser = app.NewBrowser())
            {
                var (finish, _) = await TestLogins.LoginUntilEndAsync(browser, "app", "120389-4569");
                Assert.Contains("Ekki tókst að sannreyna svarið frá Auðkenni", await finish.Content.ReadAsStringAsync(), StringComparison.Ordinal);
                Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/profile")).StatusCode);
                Assert.Contains(app.Logs.Entries, e => e.Message.Contains("certificate: Revoked", StringComparison.Ordinal));
            }

            await File.WriteAllBytesAsync(crl, _emulator.State.Audkenni.Crl([], TimeSpan.FromDays(1)));
            using (var browser = app.NewBrowser())
            {
                Assert.Equal("/profile", (await TestLogins.LoginUntilEndAsync(browser, "app", "120389-4569")).Finish.Headers.Location!.OriginalString);
            }
        }
        finally
        {
            File.Delete(crl);
        }
    }

    [Fact]
    public async Task A_missing_signature_is_accepted_only_when_the_option_says_so()
    {
        _emulator.State.Audkenni.Faults = AudkenniFault.NoSignature;
        await using var app = await StartAsync(a => a.AllowMissingSignature = true);
        using var browser = app.NewBrowser();
        Assert.Equal("/profile", (await TestLogins.LoginUntilEndAsync(browser, "app", "120389-4569")).Finish.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData(FaultKind.Reset)]
    [InlineData(FaultKind.ServerError)]
    [InlineData(FaultKind.Slow)]
    public async Task Dropped_failing_or_slow_polls_do_not_lose_a_login_that_was_otherwise_fine(FaultKind kind)
    {
        _emulator.State.AddFault(new Fault(kind, "audkenni-poll", Count: 2, Delay: TimeSpan.FromSeconds(1)));
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();
        var (finish, _) = await TestLogins.LoginUntilEndAsync(browser, "app", "120389-4569");
        Assert.Equal("/profile", finish.Headers.Location!.OriginalString);
    }

    /// <summary>
    /// The OIDC finish is its own step, run once after the poll that reports approval: a code redemption whose answer
    /// is lost (a server error or a dropped connection after the code was spent) ends the login with its own reason and
    /// log line, and is never re-run as if it were a failed poll (authorize and the token endpoint are called once).
    /// </summary>
    [Theory]
    [InlineData(FaultKind.ServerError)]
    [InlineData(FaultKind.Reset)]
    public async Task A_failed_code_redemption_fails_the_login_once_with_its_own_reason(FaultKind kind)
    {
        _emulator.State.AddFault(new Fault(kind, "audkenni-token", Count: 5));
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();
        var started = await browser.SubmitAsync(await browser.OpenLoginAsync(), "app", "120389-4569");
        Assert.Equal(HttpStatusCode.SeeOther, started.StatusCode);
        var status = await TestLogins.StatusUntilEndAsync(browser);
        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Equal("finish-failed", status.GetProperty("reason").GetString());
        var finish = await browser.FinishAsync();
        Assert.Contains("ekki tókst að ljúka innskráningunni", await finish.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadGateway, finish.StatusCode);
        Assert.Single(_emulator.State.Calls, c => c.Api == "audkenni" && c.Endpoint == "authorize");
        Assert.Single(_emulator.State.Calls, c => c.Api == "audkenni" && c.Endpoint == "token");
        Assert.DoesNotContain(_emulator.State.Calls, c => c.Api == "audkenni" && c.Endpoint == "userinfo");
        Assert.Contains(app.Logs.Entries, e => e.Id.Id == 110 && e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message.Contains("finish-failed", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Entries, e => e.Message.Contains("1203894569", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_tree_that_asks_for_an_app_title_gets_it_with_the_long_options()
    {
        var longMessage = "Þú ert að skrá þig inn á Mínar síður Stéttarfélagsins. " + new string('.', 120);
        await using var app = await StartAsync(a => { a.Tree = "api_v202"; a.AppTitle = "Stéttarfélagið"; a.VChoice = true; a.ConfirmMessage = true; a.LongMessage = longMessage; });
        using var browser = app.NewBrowser();
        Assert.Equal("/profile", (await TestLogins.LoginUntilEndAsync(browser, "app", "120389-4569")).Finish.Headers.Location!.OriginalString);
        Assert.Equal(longMessage + " | Stéttarfélagið", _emulator.State.Calls.Single(c => c.Api == "audkenni" && c.Endpoint == "start").Message);
        Assert.Contains("LongMessage", (await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(a => a.LongMessage = new string('x', 201)))).ToString(), StringComparison.Ordinal);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(a => a.AppTitle = "Titill"));
        Assert.Contains("AppTitle", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_are_validated_at_startup_naming_the_option()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(a => a.Message = new string('x', 61)));
        Assert.Contains("IcelandicEid:Audkenni:Message", error.ToString(), StringComparison.Ordinal);
        error = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(a => a.RootCertificates.Clear()));
        Assert.Contains("RootCertificatePaths", error.ToString(), StringComparison.Ordinal);
        error = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(a => a.ClientSecret = null));
        Assert.Contains("ClientSecret", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(AudkenniEmulator.ClientSecret, error.ToString(), StringComparison.Ordinal);
    }

    /// <summary>The emulator's address, credentials and test root, over the tree.</summary>
    protected override void ForEmulator(AudkenniOptions a)
    {
        a.BaseUrl = _emulator.BaseAddress;
        a.ClientId = AudkenniEmulator.ClientId;
        a.ClientSecret = AudkenniEmulator.ClientSecret;
        a.RedirectUri = new Uri("https://rp.example/audkenni/callback");
        a.RootCertificates.Add(_emulator.State.Audkenni.Root);
        a.PollInterval = TimeSpan.FromSeconds(1);
    }
}
