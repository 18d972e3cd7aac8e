using IcelandicEid.Emulator;
using Microsoft.Playwright;
using static IcelandicEid.BrowserTests.BrowserPages;

namespace IcelandicEid.BrowserTests;

/// <summary>The sample with the provider named Audkenni, against the emulator in Auðkenni mode (a real HTTP server
/// with its own test root, whose certificate the sample trusts from a file).</summary>
public sealed class AudkenniBrowserFixture : BrowserFixture
{
    private UpstreamEmulator? _emulator;
    private string? _root;

    public UpstreamEmulator Emulator => _emulator!;

    protected override async Task<IReadOnlyDictionary<string, string>> SettingsAsync()
    {
        _emulator = await UpstreamEmulator.StartAsync(new EmulatorSettings { DefaultApproveAfter = TimeSpan.FromSeconds(1.5) });
        _root = Path.Combine(Path.GetTempPath(), "audkenni-root-" + Guid.NewGuid().ToString("N") + ".pem");
        await File.WriteAllTextAsync(_root, _emulator.State.Audkenni.Root.ExportCertificatePem());
        return new Dictionary<string, string>
        {
            ["IcelandicEid:Provider"] = "Audkenni",
            ["IcelandicEid:Audkenni:BaseUrl"] = _emulator.BaseAddress.ToString(),
            ["IcelandicEid:Audkenni:ClientId"] = AudkenniEmulator.ClientId,
            ["IcelandicEid:Audkenni:ClientSecret"] = AudkenniEmulator.ClientSecret,
            ["IcelandicEid:Audkenni:RedirectUri"] = "https://localhost/audkenni/callback",
            ["IcelandicEid:Audkenni:RootCertificatePaths:0"] = _root,
            ["IcelandicEid:Audkenni:PollInterval"] = "00:00:01",
        };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }

        if (_root is not null)
        {
            File.Delete(_root);
        }
    }
}

public sealed class AudkenniInBrowserTests : IClassFixture<AudkenniBrowserFixture>
{
    private readonly AudkenniBrowserFixture _fixture;

    public AudkenniInBrowserTests(AudkenniBrowserFixture fixture) => _fixture = fixture;

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
