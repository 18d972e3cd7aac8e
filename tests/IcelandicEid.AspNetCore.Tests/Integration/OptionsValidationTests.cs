using IcelandicEid.AspNetCore;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
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
        var failure = Assert.Throws<OptionsValidationException>(() => services.AddIcelandicEidRedis("localhost:1", r =>
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

    [Fact]
    public void Redis_options_bind_from_configuration_and_are_checked_there_too()
    {
        static IConfigurationSection Section(Dictionary<string, string?> values)
            => new ConfigurationBuilder().AddInMemoryCollection(values.ToDictionary(kv => "IcelandicEid:Redis:" + kv.Key, kv => kv.Value)).Build().GetSection("IcelandicEid:Redis");

        IcelandicEid.Redis.IcelandicEidRedisOptions? bound = null;
        new ServiceCollection().AddIcelandicEidRedis(
            Section(new()
            {
                ["Configuration"] = "localhost:1,ssl=true",
                ["KeyPrefix"] = "shop-a:",
                ["OperationTimeout"] = "00:00:01.5",
                ["PersistDataProtectionKeys"] = "true",
                ["KeyRingEncryptionSecret"] = new string('k', 40),
                ["CompletedLoginRetention"] = "00:00:30",
            }),
            o => bound = o);
        Assert.Equal(("shop-a:", TimeSpan.FromSeconds(1.5), true, TimeSpan.FromSeconds(30)), (bound!.KeyPrefix, bound.OperationTimeout, bound.PersistDataProtectionKeys, bound.CompletedLoginRetention));

        var missing = Assert.Throws<OptionsValidationException>(() => new ServiceCollection().AddIcelandicEidRedis(Section(new() { ["KeyPrefix"] = "x:" })));
        Assert.Contains("IcelandicEid:Redis:Configuration", missing.Message, StringComparison.Ordinal);

        var wrong = Assert.Throws<OptionsValidationException>(() => new ServiceCollection().AddIcelandicEidRedis(Section(new()
        {
            ["Configuration"] = "localhost:1",
            ["KeyPrefix"] = "{shop}:",
            ["OperationTimeout"] = "-00:00:01",
        })));
        Assert.Contains("IcelandicEidRedisOptions.KeyPrefix must not contain '{'", wrong.Message, StringComparison.Ordinal);
        Assert.Contains("IcelandicEidRedisOptions.OperationTimeout", wrong.Message, StringComparison.Ordinal);
    }
}
