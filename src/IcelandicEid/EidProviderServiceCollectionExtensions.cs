using IcelandicEid;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Icelandic eID providers by name.</summary>
public static class EidProviderServiceCollectionExtensions
{
    /// <summary>Registers a provider the app can choose with <c>IcelandicEid:Provider</c> = <paramref name="name"/>.</summary>
    /// <param name="services">The app's services.</param>
    /// <param name="name">The provider's name; a later registration of the same name wins.</param>
    /// <param name="factory">Creates the provider from the app's services; called once, when the app starts.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddIcelandicEidProvider(this IServiceCollection services, string name, Func<IServiceProvider, IIcelandicEidProvider> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(new EidProviderRegistration(name, factory));
        return services;
    }
}
