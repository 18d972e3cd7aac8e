using IcelandicEid.State;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IcelandicEid.AspNetCore;

/// <summary>
/// Startup checks in Production. A scheme without <see cref="IcelandicEidOptions.ServiceName"/> is logged as a warning.
/// With a limiter that keeps its hash key beside the hashes
/// (<see cref="IEidAbuseLimiter.KeepsHashKeyBesideHashes"/>, the Redis limiter): every Icelandic eID scheme must have
/// <see cref="IcelandicEidLimitOptions.HashKey"/>. Without it the key that hashes phone numbers and kennitölur is kept in
/// Redis beside the hashes, and anyone who can read Redis can reverse them (there are only ten million phone numbers to
/// try). A secret of the app's configuration, like the key-ring secret, keeps them useless to a reader of Redis alone.
/// </summary>
internal sealed class HashKeyRequirement(
    IAuthenticationSchemeProvider schemes,
    IServiceProvider services,
    IOptionsMonitor<IcelandicEidOptions> options,
    IHostEnvironment environment) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (environment.IsProduction())
        {
            // Who is asking: in Production a scheme without a name gets a warning (the pages fall back to the host name).
            var logger = (Microsoft.Extensions.Logging.ILogger?)services.GetService(typeof(Microsoft.Extensions.Logging.ILogger<IcelandicEidHandler>));
            foreach (var scheme in await schemes.GetAllSchemesAsync())
            {
                if (scheme.HandlerType == typeof(IcelandicEidHandler) && string.IsNullOrWhiteSpace(options.Get(scheme.Name).ServiceName) && logger is not null)
                {
                    Log.NoServiceName(logger, scheme.Name);
                }
            }
        }

        if (!environment.IsProduction() || services.GetService(typeof(IEidAbuseLimiter)) is not IEidAbuseLimiter { KeepsHashKeyBesideHashes: true })
        {
            return;
        }

        var missing = new List<string>();
        foreach (var scheme in await schemes.GetAllSchemesAsync())
        {
            if (scheme.HandlerType == typeof(IcelandicEidHandler) && string.IsNullOrEmpty(options.Get(scheme.Name).Limits.HashKey))
            {
                missing.Add(scheme.Name);
            }
        }

        if (missing.Count > 0)
        {
            throw new OptionsValidationException(
                string.Join(", ", missing),
                typeof(IcelandicEidOptions),
                [$"IcelandicEid:Limits:HashKey is required in Production with a shared limiter such as Redis's (scheme {string.Join(", ", missing)}): without it the key that hashes phone numbers and kennitölur sits in Redis beside the hashes, and anyone who can read Redis can reverse them. Set it to a random secret of at least 32 characters, the same on every instance (for example: openssl rand -hex 32)."]);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
