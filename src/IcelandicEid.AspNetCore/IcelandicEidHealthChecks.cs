using IcelandicEid;
using IcelandicEid.AspNetCore;
using IcelandicEid.AspNetCore.State;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using IcelandicEid.State;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Settings of the Icelandic eID health checks.</summary>
public sealed class IcelandicEidHealthCheckOptions
{
    /// <summary>How often each instance may ask the upstream, however often the health endpoint is hit; concurrent
    /// checks within the period share one probe and its answer. Default 30 seconds.</summary>
    public TimeSpan UpstreamProbeInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest one upstream probe may take before it counts as unhealthy. Default 5 seconds.</summary>
    public TimeSpan UpstreamProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest the store check may take before it counts as unhealthy. Default 3 seconds.</summary>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(3);
}

/// <summary>Health checks of the Icelandic eID handler: its state store and its upstream.</summary>
public static class IcelandicEidHealthCheckExtensions
{
    /// <summary>Adds <c>icelandic-eid-store</c> (the store answers) and <c>icelandic-eid-upstream</c> (the scheme's
    /// upstream is reachable and its circuit closed, probed at most once per
    /// <see cref="IcelandicEidHealthCheckOptions.UpstreamProbeInterval"/> per instance), tagged <c>icelandic-eid</c>.</summary>
    /// <param name="builder">The health checks.</param>
    /// <param name="authenticationScheme">The scheme whose upstream to probe.</param>
    /// <param name="configure">Changes the probe interval and timeouts.</param>
    /// <returns>The builder.</returns>
    public static IHealthChecksBuilder AddIcelandicEid(
        this IHealthChecksBuilder builder,
        string authenticationScheme = IcelandicEidDefaults.AuthenticationScheme,
        Action<IcelandicEidHealthCheckOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new IcelandicEidHealthCheckOptions();
        configure?.Invoke(options);
        var probe = new UpstreamProbe(options);
        builder.Add(new HealthCheckRegistration(
            "icelandic-eid-store",
            sp => new StoreHealthCheck(sp.GetRequiredService<IEidLoginStore>(), options, sp.GetService<TimeProvider>() ?? TimeProvider.System),
            HealthStatus.Unhealthy,
            ["icelandic-eid"],
            options.StoreTimeout + TimeSpan.FromSeconds(1)));
        builder.Add(new HealthCheckRegistration(
            "icelandic-eid-upstream",
            sp => new UpstreamHealthCheck(sp.GetRequiredService<IOptionsMonitor<IcelandicEidOptions>>(), sp.GetRequiredService<IcelandicEidProviders>(), authenticationScheme, probe, sp.GetService<TimeProvider>() ?? TimeProvider.System),
            HealthStatus.Unhealthy,
            ["icelandic-eid"],
            options.UpstreamProbeTimeout + TimeSpan.FromSeconds(1)));
        return builder;
    }

    private sealed class StoreHealthCheck(IEidLoginStore store, IcelandicEidHealthCheckOptions options, TimeProvider time) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await store.GetAsync("health-probe", cancellationToken).WaitAsync(options.StoreTimeout, time, cancellationToken);
                return HealthCheckResult.Healthy(store.GetType().Name + " answers.");
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, store.GetType().Name + " does not answer.", ex);
            }
        }
    }

    private sealed class UpstreamHealthCheck(IOptionsMonitor<IcelandicEidOptions> options, IcelandicEidProviders providers, string scheme, UpstreamProbe probe, TimeProvider time) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var provider = providers.TryGet(scheme, options.Get(scheme));
            if (provider is not IEidProviderHealth health)
            {
                return HealthCheckResult.Healthy((provider?.Name ?? "No provider") + " has no upstream to check.");
            }

            var upstream = await probe.GetAsync(health, time, cancellationToken);
            return upstream.Status switch
            {
                EidUpstreamHealthStatus.Healthy => HealthCheckResult.Healthy(upstream.Description),
                EidUpstreamHealthStatus.Degraded => HealthCheckResult.Degraded(upstream.Description),
                _ => new HealthCheckResult(context.Registration.FailureStatus, upstream.Description),
            };
        }
    }

    /// <summary>One upstream probe per period per instance: callers within the period, and callers while a probe runs,
    /// share its answer.</summary>
    private sealed class UpstreamProbe(IcelandicEidHealthCheckOptions options)
    {
        private readonly Lock _lock = new();
        private Task<EidUpstreamHealth>? _current;
        private DateTimeOffset _startedAt;

        public Task<EidUpstreamHealth> GetAsync(IEidProviderHealth health, TimeProvider time, CancellationToken cancellationToken)
        {
            Task<EidUpstreamHealth> current;
            lock (_lock)
            {
                var now = time.GetUtcNow();
                if (_current is null || (_current.IsCompleted && now - _startedAt >= options.UpstreamProbeInterval))
                {
                    _startedAt = now;
                    _current = ProbeAsync(health, time);
                }

                current = _current;
            }

            return current.WaitAsync(cancellationToken);
        }

        private async Task<EidUpstreamHealth> ProbeAsync(IEidProviderHealth health, TimeProvider time)
        {
            using var timeout = new CancellationTokenSource(options.UpstreamProbeTimeout, time);
            try
            {
                return await health.CheckHealthAsync(timeout.Token).WaitAsync(options.UpstreamProbeTimeout, time);
            }
            catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
            {
                return EidUpstreamHealth.Unhealthy($"The upstream did not answer within {options.UpstreamProbeTimeout.TotalSeconds:0.#} s.");
            }
            catch (Exception ex)
            {
                return EidUpstreamHealth.Unhealthy("The upstream probe failed: " + ex.GetType().Name + ".");
            }
        }
    }
}
