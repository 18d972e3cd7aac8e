using IcelandicEid.Emulator;
using Microsoft.Playwright;
using static IcelandicEid.BrowserTests.BrowserPages;

namespace IcelandicEid.BrowserTests;

/// <summary>The sample with the provider named Audkenni, against the emulator in Auðkenni mode (a real HTTP server
/// with its own test root, whose certificate the sample trusts from a file), over the REST tree.</summary>
public class AudkenniBrowserFixture : BrowserFixture
{
    private UpstreamEmulator? _emulator;
    private string? _root;
    private string? _key;

    /// <summary>Settings beyond the common ones (the protocol's own).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> ProtocolSettings(UpstreamEmulator emulator, string keyPath)
        => [new("IcelandicEid:Audkenni:RedirectUri", "https://localhost/audkenni/callback")];

    public UpstreamEmulator Emulator => _emulator!;

    protected override async Task<IReadOnlyDictionary<string, string>> SettingsAsync()
    {
        _emulator = await UpstreamEmulator.StartAsync(new EmulatorSettings { DefaultApproveAfter = TimeSpan.FromSeconds(1.5) });
        _root = Path.Combine(Path.GetTempPath(), "audkenni-root-" + Guid.NewGuid().ToString("N") + ".pem");
        await File.WriteAllTextAsync(_root, _emulator.State.Audkenni.Root.ExportCertificatePem());
        _key = Path.Combine(Path.GetTempPath(), "audkenni-client-" + Guid.NewGuid().ToString("N") + ".pem");
        await File.WriteAllTextAsync(_key, _emulator.State.Audkenni.ClientKeyPem());
        var settings = new Dictionary<string, string>
        {
            ["IcelandicEid:Provider"] = "Audkenni",
            ["IcelandicEid:Audkenni:BaseUrl"] = _emulator.BaseAddress.ToString(),
            ["IcelandicEid:Audkenni:ClientId"] = AudkenniEmulator.ClientId,
            ["IcelandicEid:Audkenni:ClientSecret"] = AudkenniEmulator.ClientSecret,
            ["IcelandicEid:Audkenni:RootCertificatePaths:0"] = _root,
            ["IcelandicEid:Audkenni:PollInterval"] = "00:00:01",
        };
        foreach (var (key, value) in ProtocolSettings(_emulator, _key))
        {
            settings[key] = value;
        }

        return settings;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        foreach (var file in new[] { _root, _key })
        {
            if (file is not null)
            {
                File.Delete(file);
            }
        }
    }
}

/// <summary>The same sample over CIBA: configuration alone chooses the protocol and names the client key's file.</summary>
public sealed class AudkenniCibaBrowserFixture : AudkenniBrowserFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> ProtocolSettings(UpstreamEmulator emulator, string keyPath)
        => [new("IcelandicEid:Audkenni:Protocol", "Ciba"), new("IcelandicEid:Audkenni:RequestKeyPath", keyPath)];
}

public sealed class AudkenniInBrowserTests(AudkenniBrowserFixture fixture) : AudkenniInBrowserScenarios(fixture), IClassFixture<AudkenniBrowserFixture>
{
    [SkippableFact]
    public async Task The_tree_is_what_the_sample_uses_without_a_protocol()
    {
        await A_person_logs_in_with_Audkenni_direct_through_the_real_pages("app", "#eid-app", "120389-4569");
        Assert.Contains(Fixture.Emulator.State.Calls, c => c.Api == "audkenni" && c.Endpoint == "tree");
    }
}

/// <summary>The same whole logins in Chromium, the sample talking CIBA to the emulator's back channel.</summary>
public sealed class AudkenniCibaInBrowserTests(AudkenniCibaBrowserFixture fixture) : AudkenniInBrowserScenarios(fixture), IClassFixture<AudkenniCibaBrowserFixture>
{
    [SkippableFact]
    public async Task The_sample_talks_CIBA_when_configured_to()
    {
        await A_person_logs_in_with_Audkenni_direct_through_the_real_pages("sim", "#eid-sim", "888 1234");
        Assert.DoesNotContain(Fixture.Emulator.State.Calls, c => c.Api == "audkenni" && c.Endpoint is "tree" or "authorize");
        Assert.Equal("sim-auth", (string?)Fixture.Emulator.State.Audkenni.LastRequestObject?["acr_values"]);
    }
}

/// <summary>Logins through the real pages, the same for either protocol.</summary>
public abstract class AudkenniInBrowserScenarios(AudkenniBrowserFixture fixture)
{
    private readonly AudkenniBrowserFixture _fixture = fixture;

    protected AudkenniBrowserFixture Fixture => _fixture;

    [SkippableTheory]
    [InlineData("sim", "#eid-sim", "888 1234")]
    [InlineData("app", "#eid-app", "120389-4569")]
    public async Task A_person_logs_in_with_Audkenni_direct_through_the_real_pages(string method, string field, string identifier)
    {
        await using var context = await _fixture.NewContextAsync("is-IS", Phone);
        _fixture.Emulator.State.Reset();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/profile");
        await page.Locator($"#eid-m-{method}").CheckAsync();
        await page.Locator(field).FillAsync(identifier);
        await page.Locator(".eid-submit").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(VerifyUrl());
        await Assertions.Expect(page.Locator("#eid-code")).ToHaveAttributeAsync("data-code", new System.Text.RegularExpressions.Regex("^[0-9]{4}$"));
        await Assertions.Expect(page).ToHaveURLAsync(ProfileUrl(), new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("#profile-name")).ToHaveTextAsync(AudkenniEmulator.PersonName);
        await Assertions.Expect(page.Locator("td[data-claim='urn:icelandic-eid:provider']")).ToHaveTextAsync("Audkenni");
    }

    [SkippableFact]
    public async Task A_forged_result_shows_a_failure_and_signs_nobody_in()
    {
        await using var context = await _fixture.NewContextAsync("en-GB", Desktop);
        _fixture.Emulator.State.Reset();
        _fixture.Emulator.State.Audkenni.Faults = AudkenniFault.WrongSignature;
        var page = await context.NewPageAsync();
        await page.GotoAsync("/profile");
        await page.Locator("#eid-m-app").CheckAsync();
        await page.Locator("#eid-app").FillAsync("120389-4569");
        await page.Locator(".eid-submit").ClickAsync();
        await Assertions.Expect(page.Locator(".eid-message")).ToContainTextAsync("could not be verified", new() { Timeout = 20_000 });
        await page.GotoAsync("/profile");
        await Assertions.Expect(page).ToHaveURLAsync(LoginUrl());
    }
}
