using IcelandicEid.AspNetCore;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IcelandicEid.Tests.Integration;

/// <summary>The memory and Redis options are checked at startup, every wrong one named at once.</summary>
public class OptionsValidationTests
{
    [Fact]
    public async Task Memory_caps_out_of_range_stop_the_app_at_startup_naming_each()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(
            services: s => s.Configure<IcelandicEidMemoryOptions>(m => { m.MaxLogins = 0; m.MaxLimiterKeys = -5; })));
        Assert.Contains("IcelandicEid:Memory:MaxLogins", failure.Message, StringComparison.Ordinal);
        Assert.Contains("IcelandicEid:Memory:MaxLimiterKeys", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Redis_options_out_of_range_are_refused_when_registered_naming_each()
    {
        var services = new ServiceCollection();
        var failure = Assert.Throws<OptionsValidationException>(() => services.AddAuthentication().AddIcelandicEidRedis("localhost:1", r =>
        {
            r.KeyPrefix = string.Empty;
            r.OperationTimeout = TimeSpan.Zero;
            r.KeyRingCheckInterval = TimeSpan.FromSeconds(-1);
            r.KeyRingEncryptionSecret = "short";
        }));
        foreach (var name in new[] { "KeyPrefix", "OperationTimeout", "KeyRingCheckInterval", "KeyRingEncryptionSecret" })
        {
            Assert.Contains("IcelandicEidRedisOptions." + name, failure.Message, StringComparison.Ordinal);
        }
    }
}
