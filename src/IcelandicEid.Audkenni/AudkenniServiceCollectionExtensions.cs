using IcelandicEid;
using IcelandicEid.Audkenni;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the direct Auðkenni provider.</summary>
public static class AudkenniServiceCollectionExtensions
{
    /// <summary>
    /// Registers the provider named <paramref name="name"/> (default <c>Audkenni</c>; select it with
    /// <c>IcelandicEid:Provider</c>), its options bound from <c>IcelandicEid:{name}</c> and validated at startup, and its
    /// HTTP client from <c>IHttpClientFactory</c> (no redirects followed, no shared cookie container: each login's
    /// session cookies travel in its own server-side reference).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Options in code, applied after configuration.</param>
    /// <param name="name">The provider's name.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddIcelandicEidAudkenni(this IServiceCollection services, Action<AudkenniOptions>? configure = null, string name = "Audkenni")
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<AudkenniOptions>(name).BindConfiguration("IcelandicEid:" + name);
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        builder.Validate(o => { o.Validate(); return true; }, "unreachable: Validate() throws with the option's name").ValidateOnStart();
        var clientName = "IcelandicEid." + name;
        services.AddHttpClient(clientName, c => c.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        return services.AddIcelandicEidProvider(name, sp =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<AudkenniOptions>>().Get(name);
            var factory = sp.GetRequiredService<IHttpClientFactory>();
            var time = sp.GetService<TimeProvider>() ?? TimeProvider.System;
            Func<HttpClient> http = () => factory.CreateClient(clientName);
            var tokens = new AudkenniIdTokens(http, new Uri(options.BaseUrl, options.OAuthPath.TrimEnd('/') + "/connect/jwk_uri"), options.IssuerOrDefault, options.ClientId!, time, options.KeysCacheDuration, TimeSpan.FromSeconds(30), options.RequestTimeout);
            return new AudkenniProvider(new AudkenniClient(http, options, tokens, options.LoadRoots(), options.LoadIntermediates(), time), options);
        });
    }
}
