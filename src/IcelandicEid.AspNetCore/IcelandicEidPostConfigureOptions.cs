using IcelandicEid.Simulation;
using IcelandicEid.Taktikal;
using IcelandicEid.Vettvangur;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IcelandicEid.AspNetCore;

/// <summary>Fills in the defaults that need services: data protection, the provider, the time source.</summary>
public class IcelandicEidPostConfigureOptions : IPostConfigureOptions<IcelandicEidOptions>
{
    private readonly IDataProtectionProvider _dataProtection;
    private readonly IServiceProvider _services;

    /// <summary>Creates the post-configuration.</summary>
    public IcelandicEidPostConfigureOptions(IDataProtectionProvider dataProtection, IServiceProvider services)
    {
        _dataProtection = dataProtection;
        _services = services;
    }

    /// <inheritdoc />
    public void PostConfigure(string? name, IcelandicEidOptions options)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);

        options.DataProtectionProvider ??= _dataProtection;
        options.TimeProvider ??= _services.GetService<TimeProvider>() ?? TimeProvider.System;

        if (options.BasePath.HasValue
            && options.BasePath != IcelandicEidDefaults.BasePath
            && options.CallbackPath == IcelandicEidDefaults.BasePath + IcelandicEidDefaults.FinishSubPath)
        {
            options.CallbackPath = options.BasePath + IcelandicEidDefaults.FinishSubPath;
        }

        if (options.StateDataFormat is null)
        {
            var protector = options.DataProtectionProvider.CreateProtector(typeof(IcelandicEidHandler).FullName!, name, "v1");
            options.StateDataFormat = new PropertiesDataFormat(protector);
        }

        if (options.ProviderInstance is null && !string.IsNullOrWhiteSpace(options.Provider))
        {
            options.ProviderInstance = _services.GetKeyedService<IIcelandicEidProvider>(options.Provider)
                ?? CreateBuiltIn(options);
        }
    }

    private IIcelandicEidProvider? CreateBuiltIn(IcelandicEidOptions options)
    {
        var time = options.TimeProvider ?? TimeProvider.System;
        var http = _services.GetRequiredService<IHttpClientFactory>();
        switch (options.Provider!.ToUpperInvariant())
        {
            case "SIMULATOR":
                return new SimulatorProvider(options.Simulator, time);
            case "TAKTIKAL" when IsValid(options.Taktikal.Validate):
                return new TaktikalProvider(
                    new TaktikalClient(http.CreateClient(IcelandicEidDefaults.TaktikalHttpClient), options.Taktikal, time),
                    options.Taktikal);
            case "VETTVANGUR" when IsValid(options.Vettvangur.Validate):
                return new VettvangurProvider(
                    new VettvangurClient(http.CreateClient(IcelandicEidDefaults.VettvangurHttpClient), options.Vettvangur, time),
                    options.Vettvangur);
            default:
                // Left unset: Validate() then names the option that is wrong.
                return null;
        }
    }

    private static bool IsValid(Action validate)
    {
        try
        {
            validate();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
