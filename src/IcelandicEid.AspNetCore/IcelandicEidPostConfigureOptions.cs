using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IcelandicEid.AspNetCore;

/// <summary>Fills in the defaults that need services: data protection, the provider, the time source.</summary>
internal sealed class IcelandicEidPostConfigureOptions : IPostConfigureOptions<IcelandicEidOptions>
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

        var environment = _services.GetService<Microsoft.Extensions.Hosting.IHostEnvironment>();
        var forwarded = _services.GetService<IOptions<Microsoft.AspNetCore.Builder.ForwardedHeadersOptions>>()?.Value;
        options.RefusePlainHttp = !options.AllowPlainHttp
            && environment is not null && !Microsoft.Extensions.Hosting.HostEnvironmentEnvExtensions.IsDevelopment(environment)
            && (forwarded is null || !forwarded.ForwardedHeaders.HasFlag(Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto));

        if (options.StateDataFormat is null)
        {
            var protector = options.DataProtectionProvider.CreateProtector(typeof(IcelandicEidHandler).FullName!, name, "v1");
            options.StateDataFormat = new PropertiesDataFormat(protector);
        }
    }
}

/// <summary>Checks at startup that the scheme's provider exists and can be created (which validates its own options),
/// with a message that names the option.</summary>
internal sealed class IcelandicEidProviderValidation(IcelandicEidProviders providers) : IValidateOptions<IcelandicEidOptions>
{
    public ValidateOptionsResult Validate(string? name, IcelandicEidOptions options)
    {
        if (options.ProviderInstance is null && string.IsNullOrWhiteSpace(options.Provider))
        {
            return ValidateOptionsResult.Skip; // Validate() names the missing option
        }

        try
        {
            return providers.TryGet(name ?? string.Empty, options) is null
                ? ValidateOptionsResult.Fail($"The option 'Provider' (IcelandicEid:Provider) names '{options.Provider}', which is not a registered provider: use {string.Join(", ", providers.Names)} (Taktikal, Vettvangur and Audkenni after services.AddIcelandicEidProviders()), or register yours with services.AddIcelandicEidProvider(name, factory).")
                : ValidateOptionsResult.Success;
        }
        catch (OptionsValidationException ex)
        {
            // Every problem of the chosen provider's options, each naming its key.
            return ValidateOptionsResult.Fail(ex.Failures.Select(f => $"The provider '{options.Provider}' is not configured correctly: {f}"));
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail($"The provider '{options.Provider}' is not configured correctly: {ex.Message}");
        }
    }
}
