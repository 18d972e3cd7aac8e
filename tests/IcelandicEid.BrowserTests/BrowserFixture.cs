using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;

namespace IcelandicEid.BrowserTests;

/// <summary>
/// The sample app on a real Kestrel port on loopback, with the simulator approving after one second, and a headless
/// Chromium driven by Playwright. Chromium is Debian's (<c>/usr/bin/chromium</c>) unless CHROMIUM_PATH says otherwise;
/// Playwright's own browser download is not used.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private readonly SampleFactory _factory = new();
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = default!;

    public Uri BaseAddress { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        _factory.UseKestrel(0);
        _factory.StartServer();
        using (var client = _factory.CreateClient())
        {
            BaseAddress = client.BaseAddress!;
        }

        var executable = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"Chromium was not found at {executable}. Install it (apt-get install chromium) or set CHROMIUM_PATH.");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await _factory.DisposeAsync();
    }

    private sealed class SampleFactory : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("IcelandicEid:Simulator:ApprovalDelay", "00:00:01");
            builder.UseSetting("IcelandicEid:Simulator:VerificationCodeStyle", "Emojis");
        }
    }
}
