using IcelandicEid;
using IcelandicEid.Taktikal;
using IcelandicEid.Vettvangur;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Taktikal and Vettvangur providers, each with its options bound from configuration
/// (<c>IcelandicEid:{name}</c>), its own named <c>HttpClient</c> and its own resilience pipelines.</summary>
public static class IcelandicEidClientsServiceCollectionExtensions
{
    /// <summary>Registers every built-in upstream provider (Taktikal and Vettvangur), for apps that choose one by
    /// configuration (<c>IcelandicEid:Provider</c>). Only the chosen one is created, and its options are validated
    /// when the app starts.</summary>
    /// <param name="services">The app's services.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddIcelandicEidProviders(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddTaktikal(services, TaktikalName, null, validateOnStart: false);
        AddVettvangur(services, VettvangurName, null, validateOnStart: false);
        return services;
    }

    /// <summary>Registers Taktikal's Auth API as provider <paramref name="name"/>, options bound from
    /// <c>IcelandicEid:{name}</c> and validated when the app starts.</summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configure">Changes the options after configuration is bound.</param>
    /// <param name="name">The provider's name (<c>IcelandicEid:Provider</c>); default <c>Taktikal</c>.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddIcelandicEidTaktikal(this IServiceCollection services, Action<TaktikalOptions>? configure = null, string name = TaktikalName)
        => AddTaktikal(services, name, configure, validateOnStart: true);

    /// <summary>Registers Vettvangur's Audkenni API as provider <paramref name="name"/>, options bound from
    /// <c>IcelandicEid:{name}</c> and validated when the app starts.</summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configure">Changes the options after configuration is bound.</param>
    /// <param name="name">The provider's name (<c>IcelandicEid:Provider</c>); default <c>Vettvangur</c>.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddIcelandicEidVettvangur(this IServiceCollection services, Action<VettvangurOptions>? configure = null, string name = VettvangurName)
        => AddVettvangur(services, name, configure, validateOnStart: true);

    /// <summary>The name of the <c>IHttpClientFactory</c> client of provider <paramref name="name"/>: <c>IcelandicEid.{name}</c>.</summary>
    /// <param name="name">The provider's name.</param>
    /// <returns>The client's name, for <c>services.AddHttpClient(name)</c> to add handlers, proxies or certificates.</returns>
    public static string HttpClientName(string name) => "IcelandicEid." + name;

    private const string TaktikalName = "Taktikal";
    private const string VettvangurName = "Vettvangur";

    private static IServiceCollection AddTaktikal(IServiceCollection services, string name, Action<TaktikalOptions>? configure, bool validateOnStart)
    {
        Options<TaktikalOptions>(services, name, configure, validateOnStart, o => o.Validate());
        return Provider(services, name, (sp, http, time, logger) =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<TaktikalOptions>>().Get(name);
            return new TaktikalProvider(new TaktikalClient(http, options, time, logger), options);
        });
    }

    private static IServiceCollection AddVettvangur(IServiceCollection services, string name, Action<VettvangurOptions>? configure, bool validateOnStart)
    {
        Options<VettvangurOptions>(services, name, configure, validateOnStart, o => o.Validate());
        return Provider(services, name, (sp, http, time, logger) =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<VettvangurOptions>>().Get(name);
            return new VettvangurProvider(new VettvangurClient(http, options, time, logger), options);
        });
    }

    private static void Options<T>(IServiceCollection services, string name, Action<T>? configure, bool validateOnStart, Action<T> validate)
        where T : class
    {
        var builder = services.AddOptions<T>(name).BindConfiguration("IcelandicEid:" + name);
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.Validate(
            options =>
            {
                validate(options);
                return true;
            },
            "unreachable: Validate() throws with the option's name");
        if (validateOnStart)
        {
            builder.ValidateOnStart();
        }
    }

    private static IServiceCollection Provider(
        IServiceCollection services,
        string name,
        Func<IServiceProvider, Func<HttpClient>, TimeProvider, ILogger, IIcelandicEidProvider> create)
    {
        var clientName = HttpClientName(name);

        // Timeouts and retries are the pipelines' job; the client itself never gives up first.
        services.AddHttpClient(clientName, client =>
        {
            client.Timeout = Timeout.InfiniteTimeSpan;
            client.MaxResponseContentBufferSize = 1024 * 1024;
        });
        return services.AddIcelandicEidProvider(name, sp =>
        {
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            var logger = sp.GetService<ILoggerFactory>()?.CreateLogger("IcelandicEid.Clients." + name) ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
            return create(sp, () => factory.CreateClient(clientName), sp.GetService<TimeProvider>() ?? TimeProvider.System, logger);
        });
    }
}
