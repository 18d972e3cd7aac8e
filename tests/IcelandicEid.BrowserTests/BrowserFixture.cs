using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;

namespace IcelandicEid.BrowserTests;

/// <summary>
/// The sample app on a real Kestrel port on loopback, with the simulator approving after one second, and a headless
/// Chromium driven by Playwright. Chromium is Debian's (<c>/usr/bin/chromium</c>) unless CHROMIUM_PATH says otherwise;
/// Playwright's own browser download is not used. Without Chromium the tests are skipped with a message saying what to
/// install, except under CI (<c>CI=true</c>), where a missing Chromium fails the run.
/// </summary>
public class BrowserFixture : IAsyncLifetime
{
    private static readonly SemaphoreSlim s_hostStart = new(1, 1);
    private readonly SampleFactory _factory;

    public BrowserFixture()
        : this("00:00:01")
    {
    }

    /// <param name="approvalDelay">How long the simulator takes to approve (a long delay keeps a login waiting).</param>
    protected BrowserFixture(string approvalDelay) => _factory = new SampleFactory(approvalDelay);

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = default!;

    /// <summary>Why the browser tests cannot run here, or null when they can.</summary>
    public string? Missing { get; private set; }

    public Uri BaseAddress { get; private set; } = default!;

    /// <summary>Settings for the sample beyond the simulator's, known only once the fixture starts (an emulator's
    /// address, say).</summary>
    protected virtual Task<IReadOnlyDictionary<string, string>> SettingsAsync() => Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());

    public virtual async Task InitializeAsync()
    {
        foreach (var (key, value) in await SettingsAsync())
        {
            _factory.Settings[key] = value;
        }

        // One sample host built at a time: WebApplicationFactory finds the host a minimal-hosting Program builds through a
        // process-wide diagnostic listener, so fixtures starting at once (test classes run in parallel) can catch each
        // other's host ("Addresses cannot be modified after the server has started").
        await s_hostStart.WaitAsync();
        try
        {
            _factory.UseKestrel(0);
            _factory.StartServer();
            using var client = _factory.CreateClient();
            BaseAddress = client.BaseAddress!;
        }
        finally
        {
            s_hostStart.Release();
        }

        Missing = ChromiumMissing;
        if (Missing is not null)
        {
            return;
        }

        (_playwright, Browser) = await LaunchChromiumAsync();
    }

    /// <summary>Why Chromium cannot run here, or null; under CI (<c>CI=true</c>) a missing Chromium throws instead.</summary>
    public static string? ChromiumMissing
    {
        get
        {
            var executable = ChromiumPath;
            if (File.Exists(executable))
            {
                return null;
            }

            var missing = $"Chromium was not found at {executable}: install it (apt-get install chromium) or set CHROMIUM_PATH.";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(missing + " Under CI the browser tests are required.");
            }

            return missing;
        }
    }

    private static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    /// <summary>Starts headless Chromium under Playwright.</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchChromiumAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
            ],
        });
        return (playwright, browser);
    }

    /// <summary>A fresh browser context; skips the test (with what to install) where there is no Chromium.</summary>
    public Task<IBrowserContext> NewContextAsync(string locale, ViewportSize? viewport = null, ColorScheme colorScheme = ColorScheme.Light)
    {
        Skip.If(Missing is not null, Missing);
        return Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseAddress.ToString(), Locale = locale, ViewportSize = viewport, ColorScheme = colorScheme });
    }

    public virtual async Task DisposeAsync()
    {
        if (Missing is null && Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await _factory.DisposeAsync();
    }

    private sealed class SampleFactory(string approvalDelay) : WebApplicationFactory<Program>
    {
        public Dictionary<string, string> Settings { get; } = [];

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            builder.UseSetting("IcelandicEid:AllowPlainHttp", "true");
            builder.UseSetting("IcelandicEid:Simulator:ApprovalDelay", approvalDelay);
            builder.UseSetting("IcelandicEid:Simulator:VerificationCodeStyle", "Emojis");
            foreach (var (key, value) in Settings)
            {
                builder.UseSetting(key, value);
            }
        }
    }
}

/// <summary>The same, with logins that stay waiting for five minutes: for the pages' waiting states.</summary>
public sealed class WaitingBrowserFixture : BrowserFixture
{
    public WaitingBrowserFixture()
        : base("00:05:00")
    {
    }
}

/// <summary>The same, with an approval after three seconds: long enough for a test to read the verification page
/// before the page moves on by itself, however busy the machine.</summary>
public sealed class ApprovingBrowserFixture : BrowserFixture
{
    public ApprovingBrowserFixture()
        : base("00:00:03")
    {
    }
}
