using IcelandicEid.Redis;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using IcelandicEid.State;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Puts the Icelandic eID handler's shared state in Redis, for apps on several instances.</summary>
public static class IcelandicEidRedisExtensions
{
    /// <summary>
    /// Pending logins, abuse limits and (with <see cref="IcelandicEidRedisOptions.PersistDataProtectionKeys"/>) the
    /// data-protection key ring in Redis, connecting with a StackExchange.Redis configuration string such as
    /// <c>localhost:6379</c>. The app starts even when Redis is down; logins then get a clear "try again" page until it
    /// is back.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string.</param>
    /// <param name="configure">Changes the Redis options.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddIcelandicEidRedis(this IServiceCollection services, string configuration, Action<IcelandicEidRedisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(configuration);
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        var redisOptions = new IcelandicEidRedisOptions();
        configure?.Invoke(redisOptions);
        redisOptions.Validate();
        var timeout = (int)Math.Ceiling(redisOptions.OperationTimeout.TotalMilliseconds);
        options.SyncTimeout = Math.Min(options.SyncTimeout, timeout);
        options.AsyncTimeout = Math.Min(options.AsyncTimeout, timeout);
        options.ConnectTimeout = Math.Min(options.ConnectTimeout, timeout);
        if (redisOptions.TrustedCertificateAuthority is { } authority)
        {
            if (!File.Exists(authority))
            {
                throw new ArgumentException($"IcelandicEidRedisOptions.TrustedCertificateAuthority: no file at '{authority}'.", nameof(configure));
            }

            options.TrustIssuer(authority);
        }
        services.TryAddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        return services.AddIcelandicEidRedisCore(configure);
    }

    /// <summary>
    /// The same, configured from a configuration section (usually <c>IcelandicEid:Redis</c>): its <c>Configuration</c>
    /// key is the StackExchange.Redis configuration string, and every other key names an option of
    /// <see cref="IcelandicEidRedisOptions"/> (<c>KeyPrefix</c>, <c>OperationTimeout</c> as <c>00:00:02</c>,
    /// <c>PersistDataProtectionKeys</c>, <c>KeyRingEncryptionSecret</c>, …). The options are checked at once, every
    /// wrong one named.
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="section">The configuration section, such as <c>builder.Configuration.GetSection("IcelandicEid:Redis")</c>.</param>
    /// <param name="configure">Changes the options after they are bound.</param>
    /// <returns>The services, for chaining.</returns>
    /// <exception cref="OptionsValidationException">The section has no <c>Configuration</c>, or an option is wrong.</exception>
    public static IServiceCollection AddIcelandicEidRedis(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration section, Action<IcelandicEidRedisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        var path = section is Microsoft.Extensions.Configuration.IConfigurationSection named ? named.Path : "(the configuration)";
        if (section["Configuration"] is not { Length: > 0 } connection)
        {
            throw new OptionsValidationException(nameof(IcelandicEidRedisOptions), typeof(IcelandicEidRedisOptions), [$"{path}:Configuration must be a StackExchange.Redis configuration string (such as 'redis.example.is:6380,ssl=true,user=eid,password=…')."]);
        }

        return services.AddIcelandicEidRedis(connection, options =>
        {
            Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(section, options);
            configure?.Invoke(options);
        });
    }

    /// <summary>The same with a connection the app already has.</summary>
    /// <param name="services">The app's services.</param>
    /// <param name="redis">The app's Redis connection.</param>
    /// <param name="configure">Changes the Redis options.</param>
    /// <returns>The services, for chaining.</returns>
    public static IServiceCollection AddIcelandicEidRedis(this IServiceCollection services, IConnectionMultiplexer redis, Action<IcelandicEidRedisOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(redis);
        services.Replace(ServiceDescriptor.Singleton(redis));
        return services.AddIcelandicEidRedisCore(configure);
    }

    private static IServiceCollection AddIcelandicEidRedisCore(this IServiceCollection services, Action<IcelandicEidRedisOptions>? configure)
    {
        var options = new IcelandicEidRedisOptions();
        configure?.Invoke(options);
        options.Validate();
        services.TryAddSingleton(TimeProvider.System);
        services.Replace(ServiceDescriptor.Singleton<IEidLoginStore>(sp => new RedisEidLoginStore(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            sp.GetRequiredService<IDataProtectionProvider>(),
            options,
            sp.GetRequiredService<TimeProvider>())));
        services.Replace(ServiceDescriptor.Singleton<IEidAbuseLimiter>(sp => new RedisEidAbuseLimiter(
            sp.GetRequiredService<IConnectionMultiplexer>(), options, sp.GetRequiredService<TimeProvider>())));
        if (options.PersistDataProtectionKeys)
        {
            services.AddDataProtection();
            services.AddSingleton(sp =>
            {
                var redis = sp.GetRequiredService<IConnectionMultiplexer>();
                return new RedisXmlRepository(() => redis.GetDatabase(options.Database), options.KeyPrefix + options.DataProtectionKey);
            });
            services.AddOptions<KeyManagementOptions>().Configure<RedisXmlRepository>((keys, repository) => keys.XmlRepository = repository);

            // The key manager, wrapped so that the key ring is read again when Redis's copy changes under it.
            var keyManager = services.LastOrDefault(d => d.ServiceType == typeof(IKeyManager) && !d.IsKeyedService);
            Func<IServiceProvider, IKeyManager> innerKeyManager = keyManager switch
            {
                { ImplementationFactory: { } factory } => sp => (IKeyManager)factory(sp),
                { ImplementationInstance: IKeyManager instance } => _ => instance,
                { ImplementationType: { } type } => sp => (IKeyManager)ActivatorUtilities.CreateInstance(sp, type),
                _ => sp => ActivatorUtilities.CreateInstance<XmlKeyManager>(sp),
            };
            services.AddSingleton(sp => new KeyRingWatcher(
                innerKeyManager(sp),
                sp.GetRequiredService<RedisXmlRepository>(),
                options.KeyRingCheckInterval,
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<KeyRingWatcher>>()));
            services.Replace(ServiceDescriptor.Singleton<IKeyManager>(sp => sp.GetRequiredService<KeyRingWatcher>()));
            services.AddSingleton<IEidPeriodicCheck>(sp => sp.GetRequiredService<KeyRingWatcher>());
            if (options.KeyRingEncryptionSecret is { } secret)
            {
                var encryption = new KeyRingEncryptionOptions { Secret = secret };
                _ = encryption.Key(); // fails at startup, naming the option, when too short
                services.Configure<KeyRingEncryptionOptions>(o => o.Secret = secret);
                services.AddOptions<KeyManagementOptions>().Configure(keys => keys.XmlEncryptor = new SecretXmlEncryptor(encryption));
            }

            services.AddHostedService(sp => new KeyRingProtectionCheck(
                sp.GetRequiredService<IOptions<KeyManagementOptions>>(),
                sp.GetRequiredService<IHostEnvironment>(),
                sp.GetRequiredService<ILogger<KeyRingProtectionCheck>>()));
        }

        return services;
    }
}
