using IcelandicEid;
using IcelandicEid.AspNetCore;
using IcelandicEid.AspNetCore.State;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Health checks of the Icelandic eID handler: its state store and its upstream.</summary>
public static class IcelandicEidHealthCheckExtensions
{
    /// <summary>Adds <c>icelandic-eid-store</c> (the store answers) and <c>icelandic-eid-upstream</c> (the scheme's
    /// upstream is reachable and its circuit closed), tagged <c>icelandic-eid</c>.</summary>
    public static IHealthChecksBuilder AddIcelandicEid(this IHealthChecksBuilder builder, string authenticationScheme = IcelandicEidDefaults.AuthenticationScheme)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(new HealthCheckRegistration(
            "icelandic-eid-store",
            sp => new StoreHealthCheck(sp.GetRequiredService<IEidLoginStore>()),
            HealthStatus.Unhealthy,
            ["icelandic-eid"],
            TimeSpan.FromSeconds(5)));
        builder.Add(new HealthCheckRegistration(
            "icelandic-eid-upstream",
            sp => new UpstreamHealthCheck(sp.GetRequiredService<IOptionsMonitor<IcelandicEidOptions>>(), authenticationScheme),
            HealthStatus.Unhealthy,
            ["icelandic-eid"],
            TimeSpan.FromSeconds(10)));
        return builder;
    }

    private sealed class StoreHealthCheck(IEidLoginStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await store.GetAsync("health-probe", cancellationToken);
                return HealthCheckResult.Healthy(store.GetType().Name + " answers.");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, store.GetType().Name + " does not answer.", ex);
            }
        }
    }

    private sealed class UpstreamHealthCheck(IOptionsMonitor<IcelandicEidOptions> options, string scheme) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var provider = options.Get(scheme).ProviderInstance;
            if (provider is not IEidProviderHealth health)
            {
                return HealthCheckResult.Healthy((provider?.Name ?? "No provider") + " has no upstream to check.");
            }

            var (healthy, degraded, description) = await health.CheckHealthAsync(cancellationToken);
            return healthy ? HealthCheckResult.Healthy(description)
                : degraded ? HealthCheckResult.Degraded(description)
                : new HealthCheckResult(context.Registration.FailureStatus, description);
        }
    }
}
