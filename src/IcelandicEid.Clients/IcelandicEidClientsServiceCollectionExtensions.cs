using IcelandicEid;
using IcelandicEid.Audkenni;
using IcelandicEid.Http;
using IcelandicEid.Taktikal;
using IcelandicEid.Vettvangur;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the upstream providers (Taktikal, Vettvangur, Auðkenni direct), all in one shape: options bound from
/// <c>IcelandicEid:{name}</c>; checked when the app starts only if a scheme chooses the provider
/// (<c>IcelandicEid:Provider</c>), every wrong option named at once in one <see cref="OptionsValidationException"/>; a
/// named <c>HttpClient</c> from <c>IHttpClientFactory</c> on every call; and the provider's own resilience pipelines
/// and circuit breaker.
/// </summary>
public static class IcelandicEidClientsServiceCollectionExtensions
{
    private const string TaktikalName = "Taktikal";
    private const string VettvangurName = "Vettvangur";
    private const string AudkenniName = "Audkenni";

    /// <summary>Registers every built-in upstream provider (Taktikal, Vettvangur and Auðkenni direct), for apps that
    /// choose one by configuration (<c>IcelandicEid:Provider</c>). Only the chosen one is created and checked.</summary>
    /// <param name="services">The app's services.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddIcelandicEidProviders(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddIcelandicEidTaktikal(services);
        AddIcelandicEidVettvangur(services);
        AddIcelandicEidAudkenni(services);
        return services;
    }

    /// <summary>Registers Taktikal's Auth API as provider <paramref name="name"/>, options bound from
    /// <c>IcelandicEid:{name}</c>.</summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configure">Changes the options after configuration is bound.</param>
    /// <param name="name">The provider's name (<c>IcelandicEid:Provider</c>); default <c>Taktikal</c>.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddIcelandicEidTaktikal(this IServiceCollection services, Action<TaktikalOptions>? configure = null, string name = TaktikalName)
        => Provider<TaktikalOptions>(services, name, configure, (o, section) => o.Validate(section), null, (options, http, time, logger) =>
            new TaktikalProvider(new TaktikalClient(http, options, time, logger), options));

    /// <summary>Registers Vettvangur's Audkenni API as provider <paramref name="name"/>, options bound from
    /// <c>IcelandicEid:{name}</c>.</summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configure">Changes the options after configuration is bound.</param>
    /// <param name="name">The provider's name (<c>IcelandicEid:Provider</c>); default <c>Vettvangur</c>.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddIcelandicEidVettvangur(this IServiceCollection services, Action<VettvangurOptions>? configure = null, string name = VettvangurName)
        => Provider<VettvangurOptions>(services, name, configure, (o, section) => o.Validate(section), null, (options, http, time, logger) =>
            new VettvangurProvider(new VettvangurClient(http, options, time, logger), options));

    /// <summary>Registers Auðkenni's own API as provider <paramref name="name"/>, options bound from
    /// <c>IcelandicEid:{name}</c>. Its client follows no redirects (the authorization code is read from the redirect)
    /// and shares no cookie container: each login's session cookies travel in its own server-side reference.</summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configure">Changes the options after configuration is bound.</param>
    /// <param name="name">The provider's name (<c>IcelandicEid:Provider</c>); default <c>Audkenni</c>.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddIcelandicEidAudkenni(this IServiceCollection services, Action<AudkenniOptions>? configure = null, string name = AudkenniName)
        => Provider<AudkenniOptions>(
            services,
            name,
            configure,
            (o, section) => o.Validate(section),
            client => client.ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false }),
            (options, http, time, logger) => AudkenniProvider.Create(options, http, time, logger));

    /// <summary>The name of the <c>IHttpClientFactory</c> client of provider <paramref name="name"/>: <c>IcelandicEid.{name}</c>.</summary>
    /// <param name="name">The provider's name.</param>
    /// <returns>The client's name, for <c>services.AddHttpClient(name)</c> to add handlers, proxies or certificates.</returns>
    public static string HttpClientName(string name) => "IcelandicEid." + name;

    private static IServiceCollection Provider<TOptions>(
        IServiceCollection services,
        string name,
        Action<TOptions>? configure,
        Action<TOptions, string> validate,
        Action<IHttpClientBuilder>? configureClient,
        Func<TOptions, Func<HttpClient>, TimeProvider, ILogger, IIcelandicEidProvider> create)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var section = "IcelandicEid:" + name;
        var options = services.AddOptions<TOptions>(name).BindConfiguration(section);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        // Checked when read: the handler reads the chosen provider's options at startup, so only that one is checked.
        services.AddSingleton<IValidateOptions<TOptions>>(new ProviderOptionsValidation<TOptions>(name, section, validate));

        var clientName = HttpClientName(name);

        // Timeouts and retries are the pipelines' job; the client itself never gives up first.
        var client = services.AddHttpClient(clientName, client =>
        {
            client.Timeout = Timeout.InfiniteTimeSpan;
            client.MaxResponseContentBufferSize = 1024 * 1024;
        });
        configureClient?.Invoke(client);
        return services.AddIcelandicEidProvider(name, sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            var logger = sp.GetService<ILoggerFactory>()?.CreateLogger("IcelandicEid.Clients." + name) ?? (ILogger)NullLogger.Instance;
            return create(sp.GetRequiredService<IOptionsMonitor<TOptions>>().Get(name), () => factory.CreateClient(clientName), sp.GetService<TimeProvider>() ?? TimeProvider.System, logger);
        });
    }

    private sealed class ProviderOptionsValidation<TOptions>(string name, string section, Action<TOptions, string> validate) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? optionsName, TOptions options)
        {
            if (!string.Equals(optionsName, name, StringComparison.Ordinal))
            {
                return ValidateOptionsResult.Skip;
            }

            try
            {
                validate(options, section);
                return ValidateOptionsResult.Success;
            }
            catch (OptionsValidationException ex)
            {
                return ValidateOptionsResult.Fail(ex.Failures);
            }
        }
    }
}
