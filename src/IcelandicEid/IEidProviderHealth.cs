namespace IcelandicEid;

/// <summary>A provider that can tell whether its upstream is usable, for health checks.</summary>
public interface IEidProviderHealth
{
    /// <summary>Checks the upstream without starting a login. Returns whether it is reachable and a short description.</summary>
    Task<(bool Healthy, bool Degraded, string Description)> CheckHealthAsync(CancellationToken cancellationToken);
}
