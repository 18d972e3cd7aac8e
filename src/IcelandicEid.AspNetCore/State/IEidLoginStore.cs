namespace IcelandicEid.AspNetCore.State;

/// <summary>
/// Keeps pending logins between the requests of one login, which may land on different server instances.
/// </summary>
/// <remarks>
/// Every method is atomic with respect to the others for the same id. Expired state (see
/// <see cref="EidLoginState.ExpiresAt"/>) behaves as if it did not exist.
/// </remarks>
public interface IEidLoginStore
{
    /// <summary>Stores a new login. The id is new; the state expires at <see cref="EidLoginState.ExpiresAt"/>.</summary>
    Task CreateAsync(EidLoginState state, CancellationToken cancellationToken);

    /// <summary>Reads a login, or <see langword="null"/> if it does not exist, was consumed or has expired.</summary>
    Task<EidLoginState?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the right to poll the upstream once: succeeds only if the login is pending and
    /// <see cref="EidLoginState.NextPollAt"/> is not after <paramref name="now"/>, and then moves
    /// <see cref="EidLoginState.NextPollAt"/> to <paramref name="nextPollAt"/>. Across all instances at most one
    /// caller gets <see langword="true"/> per interval.
    /// </summary>
    Task<bool> TryBeginPollAsync(string id, DateTimeOffset now, DateTimeOffset nextPollAt, CancellationToken cancellationToken);

    /// <summary>Records the outcome of a poll, <see cref="EidLoginState.NextPollAt"/> included (only the holder of the
    /// poll lease calls this). Does nothing if the login no longer exists or has already completed (a login that
    /// ended stays ended, a cancelled one stays gone).</summary>
    Task UpdateAsync(EidLoginState state, CancellationToken cancellationToken);

    /// <summary>Removes a completed login and returns it; single use: of concurrent callers at most one gets it.
    /// Returns <see langword="null"/> and leaves the state alone if it is still pending or does not exist.</summary>
    Task<EidLoginState?> TryConsumeAsync(string id, CancellationToken cancellationToken);

    /// <summary>Removes a login whatever its status (cancel).</summary>
    Task RemoveAsync(string id, CancellationToken cancellationToken);
}
