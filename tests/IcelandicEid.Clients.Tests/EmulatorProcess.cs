using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace IcelandicEid.Tests.Providers;

/// <summary>
/// The upstream emulator (<c>tools/IcelandicEid.Emulator</c>) as its own process, a real HTTP server on a free loopback
/// port, driven through its control endpoints (<c>/_emulator/…</c>). The client tests talk to it over HTTP alone, so
/// they build no ASP.NET Core. One per test class; each test starts from <see cref="FreshAsync"/>.
/// </summary>
public class EmulatorProcess : IAsyncLifetime, IAsyncDisposable
{
    private Process? _process;
    private string[] _settings = [];

    /// <summary>A second emulator with its own settings (<c>Emulator:…</c> keys, such as <c>CompanyKey=company</c>).</summary>
    public static async Task<EmulatorProcess> StartAsync(params string[] settings)
    {
        var emulator = new EmulatorProcess { _settings = settings };
        await emulator.InitializeAsync();
        return emulator;
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());
    private readonly HttpClient _control = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>How long a scripted person takes to approve.</summary>
    protected virtual TimeSpan ApproveAfter => TimeSpan.FromSeconds(1.5);

    public Uri BaseAddress { get; private set; } = default!;

    public Uri TaktikalBaseUrl => new(BaseAddress, "api/");

    public Uri VettvangurBaseUrl => BaseAddress;

    public async Task InitializeAsync()
    {
        var dll = EmulatorDll();
        var port = FreePort();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[dll, "--urls", BaseAddress.ToString().TrimEnd('/'),
            "--Emulator:DefaultApproveAfter=" + ApproveAfter.ToString("c", CultureInfo.InvariantCulture), "--Logging:LogLevel:Default=Warning",
            .. _settings.Select(s => "--Emulator:" + s)])
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("The emulator did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _control.BaseAddress = BaseAddress;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                using var answer = await _control.GetAsync("/");
                if (answer.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
            }

            if (_process.HasExited || DateTime.UtcNow >= deadline)
            {
                throw new InvalidOperationException($"The emulator at {dll} did not answer (exited: {_process.HasExited}).");
            }

            await Task.Delay(100);
        }
    }

    public async Task DisposeAsync()
    {
        _control.Dispose();
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    /// <summary>No scripts, faults or calls left from an earlier test.</summary>
    public async Task<EmulatorProcess> FreshAsync()
    {
        (await _control.PostAsync("/_emulator/reset", null)).EnsureSuccessStatusCode();
        return this;
    }

    /// <summary>How the person with <paramref name="identifier"/> answers, and after how long.</summary>
    /// <param name="identifier">A phone number or kennitala as the emulator sees it.</param>
    /// <param name="outcome">Approve, Cancel, TimeOut, NotFound, Blocked or Never.</param>
    /// <param name="after">How long the person takes.</param>
    public async Task ScriptAsync(string identifier, string outcome, TimeSpan after)
        => (await _control.PostAsJsonAsync("/_emulator/scripts", new { identifier, outcome, afterMs = (int)after.TotalMilliseconds })).EnsureSuccessStatusCode();

    /// <summary>A fault on an endpoint (start, poll, flow, …): ServerError, Unavailable, Reset, Slow, MalformedJson, ….</summary>
    public async Task AddFaultAsync(string kind, string endpoint, int? count = null, TimeSpan? delay = null)
        => (await _control.PostAsJsonAsync("/_emulator/faults", new { kind, endpoint, count, delayMs = delay is { } d ? (int?)d.TotalMilliseconds : null })).EnsureSuccessStatusCode();

    public async Task ClearFaultsAsync() => (await _control.DeleteAsync("/_emulator/faults")).EnsureSuccessStatusCode();

    /// <summary>Every call the emulator received, oldest first.</summary>
    public async Task<List<EmulatorCall>> CallsAsync()
        => await _control.GetFromJsonAsync<List<EmulatorCall>>("/_emulator/calls", JsonSerializerOptions.Web) ?? [];

    /// <summary>Polls that came sooner than the login's interval allows.</summary>
    public async Task<int> TooEarlyPollsAsync()
        => (await _control.GetFromJsonAsync<JsonElement>("/_emulator/stats")).GetProperty("tooEarlyPolls").GetInt32();

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The emulator the build made beside this test project (same configuration).</summary>
    private static string EmulatorDll()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = here.Parent!.Name; // bin/{configuration}/net10.0
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "AuthHandler.sln")))
        {
            root = root.Parent;
        }

        var dll = Path.Combine(root?.FullName ?? ".", "tools", "IcelandicEid.Emulator", "bin", configuration, "net10.0", "IcelandicEid.Emulator.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the solution first: the emulator is not built.", dll);
    }
}

/// <summary>An emulator whose people approve in 300 ms, for the clients' contract tests.</summary>
public sealed class FastEmulatorProcess : EmulatorProcess
{
    protected override TimeSpan ApproveAfter => TimeSpan.FromMilliseconds(300);
}

/// <summary>One call the emulator received.</summary>
public sealed record EmulatorCall(DateTimeOffset At, string Api, string Endpoint, string HttpMethod, string? Identifier, string? Reference, int Status, bool TooEarly, string? Fault, string? AuthStyle);
