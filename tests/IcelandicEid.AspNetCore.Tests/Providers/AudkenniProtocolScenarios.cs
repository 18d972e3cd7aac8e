using System.Net;
using IcelandicEid.AspNetCore;
using IcelandicEid.Audkenni;
using IcelandicEid.Emulator;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IcelandicEid.Tests.Providers;

/// <summary>
/// Whole logins with the provider named Audkenni that must come out the same whichever way it talks to Auðkenni (the
/// REST tree or CIBA): every result that does not verify signs nobody in, both signature formats sign in, and
/// Auðkenni's errors become the same reasons. Each protocol's class says how to reach the emulator.
/// </summary>
public abstract class AudkenniProtocolScenarios
{
    protected AudkenniProtocolScenarios(UpstreamEmulator emulator)
    {
        Emulator = emulator;
        Emulator.State.Reset();
    }

    protected UpstreamEmulator Emulator { get; }

    /// <summary>The emulator's address, credentials and test root, and the protocol's own settings.</summary>
    protected abstract void ForEmulator(AudkenniOptions options);

    [Theory]
    [InlineData(AudkenniFault.WrongSignature)]
    [InlineData(AudkenniFault.UnknownKeyId)]
    [InlineData(AudkenniFault.ExpiredToken)]
    [InlineData(AudkenniFault.OtherPersonsCertificate)]
    [InlineData(AudkenniFault.UntrustedCertificate)]
    [InlineData(AudkenniFault.NoSignature)]
    [InlineData(AudkenniFault.UserInfoOfAnotherPerson)]
    [InlineData(AudkenniFault.TokenNamesNobody)]
    public async Task A_result_that_does_not_verify_is_a_failed_login_never_a_sign_in(AudkenniFault fault)
    {
        Emulator.State.Audkenni.Faults = fault;
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();
        var (finish, _) = await TestLogins.LoginUntilEndAsync(browser, "sim", "888 1234");
        Assert.Equal(HttpStatusCode.OK, finish.StatusCode);
        Assert.Contains("Ekki tókst að sannreyna svarið frá Auðkenni", await finish.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/profile")).StatusCode);
    }

    /// <summary>Both formats Auðkenni documents sign a person in through the handler; the format is on a claim.</summary>
    [Theory]
    [InlineData(AudkenniSignatureFormat.Pkcs1, "pkcs1")]
    [InlineData(AudkenniSignatureFormat.Pkcs1OverDigest, "pkcs1")]
    [InlineData(AudkenniSignatureFormat.CmsDetached, "cms")]
    [InlineData(AudkenniSignatureFormat.CmsAttached, "cms")]
    public async Task Either_signature_format_signs_the_person_in(AudkenniSignatureFormat format, string claim)
    {
        Emulator.State.Audkenni.SignatureFormat = format;
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();
        Assert.Equal("/profile", (await TestLogins.LoginUntilEndAsync(browser, "app", "120389-4569")).Finish.Headers.Location!.OriginalString);
        Assert.Contains(await TestLogins.ProfileAsync(browser), c => c.Type.EndsWith(":SignatureFormat", StringComparison.Ordinal) && c.Value == claim);
    }

    [Theory]
    [InlineData(ScriptedOutcome.Cancel, "cancelled", "Beiðninni var hafnað í símanum.")]
    [InlineData(ScriptedOutcome.TimeOut, "timed-out", "Innskráningin var ekki staðfest í tæka tíð.")]
    [InlineData(ScriptedOutcome.Blocked, "blocked", "Skilríkin læsast ef PIN-númer")]
    public async Task Auðkennis_errors_map_to_the_reasons(ScriptedOutcome outcome, string reason, string message)
    {
        Emulator.State.Script("7700001", outcome, TimeSpan.FromSeconds(1));
        await using var app = await StartAsync();
        using var browser = app.NewBrowser();
        Assert.Equal(HttpStatusCode.SeeOther, (await browser.SubmitAsync(await browser.OpenLoginAsync(), "sim", "770 0001")).StatusCode);
        var status = await TestLogins.StatusUntilEndAsync(browser);
        Assert.Equal("failed", status.GetProperty("status").GetString());
        Assert.Equal(reason, status.GetProperty("reason").GetString());
        Assert.Contains(message, await (await browser.FinishAsync()).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_electronic_id_and_a_request_already_open_are_refused_at_the_start()
    {
        Emulator.State.Script("7700002", ScriptedOutcome.NotFound);
        await using var app = await StartAsync();
        using var a = app.NewBrowser();
        var notFound = await a.SubmitAsync(await a.OpenLoginAsync(), "sim", "7700002");
        Assert.Contains("Ekki tókst að senda beiðni", await notFound.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A request open on the phone (started outside this app): mssp_209, the contest rule's page.
        Emulator.State.Script("7700003", ScriptedOutcome.Never);
        await using var other = await StartAsync();
        using var elsewhere = other.NewBrowser();
        Assert.Equal(HttpStatusCode.SeeOther, (await elsewhere.SubmitAsync(await elsewhere.OpenLoginAsync(), "sim", "7700003")).StatusCode);
        using var b = app.NewBrowser();
        Assert.Equal(HttpStatusCode.Conflict, (await b.SubmitAsync(await b.OpenLoginAsync(), "sim", "7700003")).StatusCode);
    }

    /// <summary>Two providers that share nothing but the reference (as two servers share only the store): no per-login
    /// state lives in a provider; what the login needs travels in the reference, which names no one.</summary>
    [Fact]
    public async Task A_login_started_by_one_instance_is_polled_and_finished_by_another()
    {
        var one = NewProvider();
        var two = NewProvider();
        var started = await one.StartAsync(new EidStartRequest(EidMethod.App, "1203894569") { ServiceName = "Prófun" }, default);
        Assert.True(started.Succeeded, started.Failure?.Detail);
        Assert.Matches("^[0-9]{4}$", started.VerificationCode);
        Assert.DoesNotContain("1203894569", System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(started.Reference!)), StringComparison.Ordinal);
        EidPollResult poll;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        do
        {
            await Task.Delay(1100);
            poll = await two.PollAsync(new EidPollRequest(EidMethod.App, started.Reference!) { PollInterval = started.PollInterval ?? TimeSpan.FromSeconds(1) }, default);
        }
        while (poll.Status == EidPollStatus.Pending && DateTime.UtcNow < deadline);

        Assert.Equal(EidPollStatus.Succeeded, poll.Status);
        Assert.Equal("1203894569", poll.Person!.NationalId);
        Assert.Equal("app", poll.Person.Meta["Method"]);
    }

    protected IIcelandicEidProvider NewProvider()
    {
        var services = new ServiceCollection();
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        services.AddIcelandicEidAudkenni(ForEmulator);
        var provider = services.BuildServiceProvider();
        return provider.GetServices<EidProviderRegistration>().Single(r => r.Name == "Audkenni").Factory(provider);
    }

    protected Task<TestApp> StartAsync(Action<AudkenniOptions>? more = null) => TestApp.StartAsync(
        o => { o.Provider = "Audkenni"; o.ServiceName = "Prófunarþjónustan"; },
        services: s => s.AddIcelandicEidAudkenni(a =>
        {
            ForEmulator(a);
            more?.Invoke(a);
        }),
        time: TimeProvider.System);
}
