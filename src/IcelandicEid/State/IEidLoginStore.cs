namespace IcelandicEid.State;

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

    /// <summary>Moves <see cref="EidLoginState.NextPollAt"/> of a pending login after a poll that changed nothing else
    /// (only the holder of the poll lease calls this). Stores override it to skip re-writing the whole state.</summary>
    async Task SetNextPollAsync(string id, DateTimeOffset nextPollAt, CancellationToken cancellationToken)
    {
        if (await GetAsync(id, cancellationToken) is { IsCompleted: false } state)
        {
            await UpdateAsync(state with { NextPollAt = nextPollAt }, cancellationToken);
        }
    }

    /// <summary>Removes a completed login and returns it; single use: of concurrent callers at most one gets it.
    /// Returns <see langword="null"/> and leaves the state alone if it is still pending or does not exist.</summary>
    Task<EidLoginState?> TryConsumeAsync(string id, CancellationToken cancellationToken);

    /// <summary>Removes a login whatever its status (cancel).</summary>
    Task RemoveAsync(string id, CancellationToken cancellationToken);

    /// <summary>
    /// The status endpoint's hot path: reads what a status answer needs and, in the same step, takes the poll lease if
    /// the login is pending and a poll is due (moving <see cref="EidLoginState.NextPollAt"/> to
    /// <paramref name="now"/> + the poll interval + <paramref name="leaseExtra"/>). Stores override this to do it in one
    /// round trip without decrypting the whole state.
    /// </summary>
    async Task<EidLoginPeek?> PeekAsync(string id, DateTimeOffset now, TimeSpan leaseExtra, CancellationToken cancellationToken)
    {
        var state = await GetAsync(id, cancellationToken);
        if (state is null)
        {
            return null;
        }

        var lease = !state.IsCompleted && state.NextPollAt <= now
            && await TryBeginPollAsync(id, now, now + state.PollInterval + leaseExtra, cancellationToken);
        return new EidLoginPeek(EidLoginSummary.From(state), lease, state);
    }
}

/// <summary>What a status answer needs of a login: no personal data, no upstream reference.</summary>
public sealed record EidLoginSummary(
    EidLoginStatus Status,
    EidMethod Method,
    string? VerificationCode,
    DateTimeOffset ExpiresAt,
    DateTimeOffset NextPollAt,
    TimeSpan PollInterval,
    EidFailureReason? FailureReason)
{
    /// <summary>The summary of a whole state.</summary>
    public static EidLoginSummary From(EidLoginState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new(state.Status, state.Method, state.VerificationCode, state.ExpiresAt, state.NextPollAt, state.PollInterval, state.FailureReason);
    }
}

/// <summary>The answer of <see cref="IEidLoginStore.PeekAsync"/>.</summary>
/// <param name="Summary">The login's summary.</param>
/// <param name="PollLease">Whether this caller won the poll lease and must poll now.</param>
/// <param name="State">The whole state, when the store had it at hand (else read it with GetAsync to poll).</param>
public sealed record EidLoginPeek(EidLoginSummary Summary, bool PollLease, EidLoginState? State);
