using IcelandicEid.Emulator;

namespace IcelandicEid.Tests.Providers;

/// <summary>One emulator (a real HTTP server) per test class; each test starts from <see cref="EmulatorState.Reset"/>.</summary>
public class EmulatorFixture : IAsyncLifetime
{
    public UpstreamEmulator Emulator { get; private set; } = default!;

    /// <summary>How long a scripted person takes to approve.</summary>
    protected virtual TimeSpan ApproveAfter => TimeSpan.FromSeconds(1.5);

    public async Task InitializeAsync() => Emulator = await UpstreamEmulator.StartAsync(new EmulatorSettings { DefaultApproveAfter = ApproveAfter });

    public async Task DisposeAsync() => await Emulator.DisposeAsync();

    /// <summary>The emulator, fresh for the next test.</summary>
    public UpstreamEmulator Fresh()
    {
        Emulator.State.Reset();
        return Emulator;
    }
}

/// <summary>An emulator whose people approve in 300 ms, for the clients' contract tests.</summary>
public sealed class FastEmulatorFixture : EmulatorFixture
{
    protected override TimeSpan ApproveAfter => TimeSpan.FromMilliseconds(300);
}
