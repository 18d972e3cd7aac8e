using IcelandicEid.AspNetCore;
using IcelandicEid.AspNetCore.State;
using IcelandicEid.AspNetCore.Ui;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using IcelandicEid.State;
using IcelandicEid.AspNetCore.Http;
using IcelandicEid.AspNetCore.Stores;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Icelandic electronic ID login to an app's authentication.</summary>
public static class IcelandicEidExtensions
{
    /// <summary>Adds the handler with the default scheme <c>IcelandicEid</c>, options from configuration section <c>IcelandicEid</c>.</summary>
    /// <param name="builder">The app's authentication builder.</param>
    /// <returns>The builder, for chaining.</returns>
    public static AuthenticationBuilder AddIcelandicEid(this AuthenticationBuilder builder)
        => builder.AddIcelandicEid(IcelandicEidDefaults.AuthenticationScheme, _ => { });

    /// <summary>Adds the handler with the default scheme and the given options (applied after configuration).</summary>
    /// <param name="builder">The app's authentication builder.</param>
    /// <param name="configureOptions">Changes the options after configuration is bound.</param>
    /// <returns>The builder, for chaining.</returns>
    public static AuthenticationBuilder AddIcelandicEid(this AuthenticationBuilder builder, Action<IcelandicEidOptions> configureOptions)
        => builder.AddIcelandicEid(IcelandicEidDefaults.AuthenticationScheme, configureOptions);

    /// <summary>Adds the handler with a scheme name of your choice.</summary>
    /// <param name="builder">The app's authentication builder.</param>
    /// <param name="authenticationScheme">The scheme's name; options bind from <c>IcelandicEid:{scheme}</c>.</param>
    /// <param name="configureOptions">Changes the options after configuration is bound.</param>
    /// <returns>The builder, for chaining.</returns>
    public static AuthenticationBuilder AddIcelandicEid(this AuthenticationBuilder builder, string authenticationScheme, Action<IcelandicEidOptions> configureOptions)
        => builder.AddIcelandicEid(authenticationScheme, IcelandicEidDefaults.DisplayName, configureOptions);

    /// <summary>
    /// Adds the handler. Options are bound from configuration section <c>IcelandicEid</c> (for the default scheme) or
    /// <c>IcelandicEid:{scheme}</c> (for others), then <paramref name="configureOptions"/> runs, then they are validated
    /// when the app starts.
    /// </summary>
    /// <param name="builder">The app's authentication builder.</param>
    /// <param name="authenticationScheme">The scheme's name.</param>
    /// <param name="displayName">The scheme's display name; default <c>Rafræn skilríki</c>.</param>
    /// <param name="configureOptions">Changes the options after configuration is bound.</param>
    /// <returns>The builder, for chaining.</returns>
    public static AuthenticationBuilder AddIcelandicEid(
        this AuthenticationBuilder builder,
        string authenticationScheme,
        string? displayName,
        Action<IcelandicEidOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(authenticationScheme);
        ArgumentNullException.ThrowIfNull(configureOptions);

        var section = authenticationScheme == IcelandicEidDefaults.AuthenticationScheme
            ? IcelandicEidDefaults.ConfigurationSection
            : IcelandicEidDefaults.ConfigurationSection + ":" + authenticationScheme;
        builder.Services.AddOptions<IcelandicEidOptions>(authenticationScheme)
            .Configure<IServiceProvider>((options, services) =>
            {
                if (services.GetService<IConfiguration>() is { } configuration)
                {
                    configuration.GetSection(section).Bind(options);
                }
            })
            .ValidateOnStart();

        builder.Services.AddDataProtection();
        builder.Services.TryAddSingleton<IcelandicEidProviders>();
        builder.Services.TryAddSingleton(sp => new IcelandicEid.AspNetCore.Flow.CurrentLoginCache(sp.GetRequiredService<TimeProvider>()));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<IcelandicEidOptions>, IcelandicEidProviderValidation>());

        builder.Services.AddAntiforgery();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<IcelandicEidMemoryOptions>().BindConfiguration(IcelandicEidDefaults.ConfigurationSection + ":Memory")
            .Validate(memory => { memory.Validate(); return true; }).ValidateOnStart();
        builder.Services.TryAddSingleton<IEidLoginStore>(sp => new InMemoryEidLoginStore(sp.GetRequiredService<TimeProvider>())
        {
            MaxEntries = sp.GetRequiredService<IOptions<IcelandicEidMemoryOptions>>().Value.MaxLogins,
        });
        builder.Services.TryAddSingleton<IEidAbuseLimiter>(sp => new InMemoryEidAbuseLimiter(sp.GetRequiredService<TimeProvider>())
        {
            MaxEntries = sp.GetRequiredService<IOptions<IcelandicEidMemoryOptions>>().Value.MaxLimiterKeys,
        });
        builder.Services.Configure<AntiforgeryOptions>(o =>
        {
            // The handler's forms use the app's antiforgery: over HTTPS its cookie must be Secure too.
            if (o.Cookie.SecurePolicy == CookieSecurePolicy.None)
            {
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            }
        });
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<IcelandicEidMetrics>();
        builder.Services.TryAddSingleton<LoginReferenceCache>();
        builder.Services.TryAddSingleton<IIcelandicEidPageRenderer, DefaultIcelandicEidPageRenderer>();
        builder.Services.TryAddSingleton<IIcelandicEidTextProvider, DefaultIcelandicEidTextProvider>();
        builder.Services.TryAddSingleton<IEidFailurePages, IcelandicEid.AspNetCore.Endpoints.FailurePage>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<IcelandicEidOptions>, IcelandicEidPostConfigureOptions>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, HashKeyRequirement>());
        return builder.AddRemoteScheme<IcelandicEidOptions, IcelandicEidHandler>(authenticationScheme, displayName, configureOptions);
    }

    /// <summary>
    /// Keeps pending logins in the app's registered <c>IDistributedCache</c> instead of memory. Weaker than the Redis
    /// store: <c>IDistributedCache</c> has no compare-and-set, so two instances racing within milliseconds may both poll
    /// once or both consume a completed login. Abuse limits stay per instance. The Redis store is preferred.
    /// </summary>
    /// <param name="builder">The app's authentication builder.</param>
    /// <returns>The builder, for chaining.</returns>
    public static AuthenticationBuilder AddIcelandicEidDistributedCache(this AuthenticationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IEidLoginStore, DistributedCacheEidLoginStore>());
        return builder;
    }
}
