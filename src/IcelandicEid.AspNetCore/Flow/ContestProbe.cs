namespace IcelandicEid.AspNetCore.Flow;

/// <summary>
/// The contest marker read at the same moment as the store, when this instance expects the status read to take a poll
/// lease and the login's freshness has run out: the two requests share one round trip to Redis instead of the marker
/// being read after the poll. The answer only serves the early notice of a still-pending login; an approval is checked
/// again, and the finish authoritatively.
/// </summary>
internal static class ContestProbe
{
    /// <summary>Starts the read when one is wanted; null otherwise. Never throws: a failure is logged and answers null.</summary>
    public static Task<bool?>? StartIfDue(LoginServices services, string loginId)
        => services.Current.MarkerToReadWithPoll(loginId) is { } marker ? ReadAsync(services, marker, loginId) : null;

    /// <summary>A probe whose poll did not happen here (another tab or instance holds the lease, or the poll failed):
    /// its answer still renews the login's freshness, or, when the login is no longer current, leaves it to the next
    /// poll, which reads the marker itself.</summary>
    public static async Task ObserveAsync(LoginServices services, string loginId, Task<bool?> probe)
    {
        switch (await probe)
        {
            case true:
                services.Current.Remember(loginId, null, services.ContestFreshness);
                break;
            case false:
                services.Current.Forget(loginId);
                break;
        }
    }

    private static async Task<bool?> ReadAsync(LoginServices services, string marker, string loginId)
    {
        try
        {
            return await services.Rules.MarkerNamesAsync(marker, loginId, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            services.StoreError(ex);
            return null;
        }
    }
}
