using IcelandicEid.Simulation;
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
        if (string.Equals(options.Provider, IcelandicEidDefaults.SimulatorProvider, StringComparison.OrdinalIgnoreCase))
        {
            return new SimulatorProvider(options.Simulator, options.TimeProvider ?? TimeProvider.System);
        }

        foreach (var factory in _services.GetServices<IIcelandicEidProviderFactory>())
        {
            if (factory.TryCreate(options.Provider!, options, out var provider))
            {
                return provider;
            }
        }

        return null;
    }
}

/// <summary>Creates a provider by name from the handler's options; the Taktikal and Vettvangur packages register one.</summary>
public interface IIcelandicEidProviderFactory
{
    /// <summary>Creates the provider called <paramref name="name"/>, if this factory knows it.</summary>
    bool TryCreate(string name, IcelandicEidOptions options, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IIcelandicEidProvider? provider);
}
