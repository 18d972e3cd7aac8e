using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace IcelandicEid.Emulator;

/// <summary>The emulator as a real HTTP server on loopback, for tests: start it, point a client at it, read its record.</summary>
public sealed class UpstreamEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;

    private UpstreamEmulator(WebApplication app, EmulatorState state, Uri baseAddress)
    {
        _app = app;
        State = state;
        BaseAddress = baseAddress;
    }

    /// <summary>Scripts, faults and recorded calls.</summary>
    public EmulatorState State { get; }

    /// <summary>Where it listens, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The base URL to give the Taktikal client (ends in <c>/api/</c>).</summary>
    public Uri TaktikalBaseUrl => new(BaseAddress, "api/");

    /// <summary>The base URL to give the Vettvangur client.</summary>
    public Uri VettvangurBaseUrl => BaseAddress;

    /// <summary>Starts on a free loopback port (or <paramref name="url"/>).</summary>
    public static async Task<UpstreamEmulator> StartAsync(EmulatorSettings? settings = null, string url = "http://127.0.0.1:0")
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Emulator" });
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var state = new EmulatorState(settings ?? new EmulatorSettings());
        EmulatorEndpoints.Map(app, state);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new UpstreamEmulator(app, state, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
