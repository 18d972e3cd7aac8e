namespace IcelandicEid;

/// <summary>A provider that can tell whether its upstream is usable, for health checks.</summary>
public interface IEidProviderHealth
{
    /// <summary>Checks the upstream without starting a login.</summary>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>Whether the upstream is usable, and a short description (no personal data).</returns>
    Task<EidUpstreamHealth> CheckHealthAsync(CancellationToken cancellationToken);
}

/// <summary>How usable an upstream is.</summary>
public enum EidUpstreamHealthStatus
{
    /// <summary>It answers.</summary>
    Healthy,

    /// <summary>It is held back (a circuit breaker is open) and will be tried again by itself.</summary>
    Degraded,

    /// <summary>It cannot be reached or did not answer in time.</summary>
    Unhealthy,
}

/// <summary>The result of <see cref="IEidProviderHealth.CheckHealthAsync"/>.</summary>
/// <param name="Status">How usable the upstream is.</param>
/// <param name="Description">A short description for the operator (no personal data).</param>
public sealed record EidUpstreamHealth(EidUpstreamHealthStatus Status, string Description)
{
    /// <summary>The upstream answers.</summary>
    /// <param name="description">What was checked.</param>
    /// <returns>The result.</returns>
    public static EidUpstreamHealth Healthy(string description) => new(EidUpstreamHealthStatus.Healthy, description);

    /// <summary>The upstream is held back for now.</summary>
    /// <param name="description">Why.</param>
    /// <returns>The result.</returns>
    public static EidUpstreamHealth Degraded(string description) => new(EidUpstreamHealthStatus.Degraded, description);

    /// <summary>The upstream cannot be used.</summary>
    /// <param name="description">Why.</param>
    /// <returns>The result.</returns>
    public static EidUpstreamHealth Unhealthy(string description) => new(EidUpstreamHealthStatus.Unhealthy, description);
}
