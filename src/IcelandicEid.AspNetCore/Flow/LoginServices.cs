using IcelandicEid.AspNetCore.State;
using Microsoft.Extensions.Logging;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Flow;

/// <summary>What the login units share for one scheme: the store, the start rules, the provider, telemetry and the clock.</summary>
internal sealed class LoginServices(
    IEidLoginStore store,
    IEidAbuseLimiter limiter,
    IIcelandicEidProvider provider,
    IcelandicEidMetrics metrics,
    ILogger logger,
    IcelandicEidOptions options,
    TimeProvider time,
    CurrentLoginCache? current = null)
{
    public CurrentLoginCache Current { get; } = current ?? new(time);

    public IEidLoginStore Store { get; } = store;

    private ContestRule? _contest;

    /// <summary>The contest rule: one current login per identifier.</summary>
    public ContestRule Contest => _contest ??= new ContestRule(this);

    public StartRules Rules { get; } = new(limiter, options, time);

    public IIcelandicEidProvider Provider { get; } = provider;

    public IcelandicEidMetrics Metrics { get; } = metrics;

    public ILogger Logger { get; } = logger;

    public IcelandicEidOptions Options { get; } = options;

    public TimeProvider Time { get; } = time;

    public void StoreError(Exception exception) => Log.StoreError(Logger, exception);
}
