using IcelandicEid.AspNetCore.State;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Flow;

/// <summary>What one upstream poll did to a login.</summary>
internal enum PollEvent
{
    /// <summary>Still waiting for the person.</summary>
    StillPending,

    /// <summary>The person approved.</summary>
    Approved,

    /// <summary>The upstream says the login ended without success.</summary>
    Failed,

    /// <summary>The person approved with an ID that is not the one the login was started for.</summary>
    IdentityMismatch,

    /// <summary>The upstream could not be asked; the login goes on.</summary>
    Error,

    /// <summary>The upstream could not be asked too many times in a row; the login fails as unavailable.</summary>
    GaveUp,
}

/// <summary>The login after a poll, and what happened.</summary>
internal readonly record struct PollStep(EidLoginState State, PollEvent Event);

/// <summary>The rules of polling, as pure functions of the state, the poll's answer and the time: unit-tested with no
/// store, no upstream and no clock.</summary>
internal static class PollTransitions
{
    /// <summary>Whether the upstream may be asked about this login now.</summary>
    public static bool IsDue(EidLoginState login, DateTimeOffset now) => !login.IsCompleted && now >= login.NextPollAt;

    /// <summary>How long a poll may take and still need no write afterwards: a poll that answers within it leaves the
    /// lease (one interval and this guard after its start) as the next poll time, which is then at least one interval
    /// after the poll ended. A slower poll extends the lease to cover the longest a poll may take, before it runs out.</summary>
    public static readonly TimeSpan LeaseGuard = TimeSpan.FromMilliseconds(500);

    /// <summary>Until when a poll lease taken at <paramref name="now"/> is held: one interval and <see cref="LeaseGuard"/>.</summary>
    public static DateTimeOffset LeaseUntil(EidLoginState login, DateTimeOffset now) => now + login.PollInterval + LeaseGuard;

    /// <summary>The lease of a poll that is taking longer than <see cref="LeaseGuard"/>: one interval after the longest
    /// it may still take, so no other instance polls meanwhile.</summary>
    public static DateTimeOffset ExtendedLease(EidLoginState login, DateTimeOffset now, TimeSpan backchannelTimeout)
        => now + login.PollInterval + backchannelTimeout;

    /// <summary>Whether a poll that ended with <paramref name="after"/> needs no store write: nothing but the next poll
    /// time changed, and the lease still held (<paramref name="lease"/>) is no sooner than the next poll may be.</summary>
    public static bool LeaseSuffices(EidLoginState before, EidLoginState after, DateTimeOffset lease, bool extended)
        => !extended && OnlyNextPollMoved(before, after) && after.NextPollAt <= lease;

    /// <summary>The longest interval a poll's answer may ask for: longer would outlast the login itself.</summary>
    public static readonly TimeSpan MaxAskedInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The login after a poll that answered <paramref name="result"/> or threw <paramref name="error"/>, the call having
    /// ended at <paramref name="now"/>. The next poll may come one interval after the call ended; an answer that asks
    /// for a longer interval (<see cref="EidPollResult.PollInterval"/>) lengthens it for the rest of the login.
    /// </summary>
    public static PollStep Apply(EidLoginState login, EidPollResult? result, Exception? error, DateTimeOffset now, int maxConsecutiveErrors)
    {
        ArgumentNullException.ThrowIfNull(login);
        if (result?.PollInterval is { } asked && asked > login.PollInterval)
        {
            login = login with { PollInterval = asked < MaxAskedInterval ? asked : MaxAskedInterval };
        }

        var next = now + login.PollInterval;
        if (error is not null || result is null)
        {
            var errors = login.ConsecutivePollErrors + 1;
            return errors >= maxConsecutiveErrors
                ? new(login with { Status = EidLoginStatus.Failed, FailureReason = EidFailureReason.Unavailable, ConsecutivePollErrors = errors, NextPollAt = next }, PollEvent.GaveUp)
                : new(login with { ConsecutivePollErrors = errors, NextPollAt = next }, PollEvent.Error);
        }

        switch (result.Status)
        {
            case EidPollStatus.Succeeded when result.Person is not null:
                if (login.Method == EidMethod.App && !string.Equals(result.Person.NationalId, login.Identifier, StringComparison.Ordinal))
                {
                    // An app login is started for one kennitala; an approval by anyone else signs no one in.
                    return new(login with { Status = EidLoginStatus.Failed, FailureReason = EidFailureReason.IdentityMismatch, ConsecutivePollErrors = 0, NextPollAt = next }, PollEvent.IdentityMismatch);
                }

                return new(login with { Status = EidLoginStatus.Succeeded, Person = result.Person, CompletedAt = now, ConsecutivePollErrors = 0, NextPollAt = next }, PollEvent.Approved);
            case EidPollStatus.Failed or EidPollStatus.Succeeded:
                return new(login with { Status = EidLoginStatus.Failed, FailureReason = result.Failure?.Reason ?? EidFailureReason.UpstreamError, ConsecutivePollErrors = 0, NextPollAt = next }, PollEvent.Failed);
            default:
                return new(login with { ConsecutivePollErrors = 0, NextPollAt = next }, PollEvent.StillPending);
        }
    }

    /// <summary>A login another browser has contested: it fails, approved or not, and carries no person.</summary>
    public static EidLoginState Contested(EidLoginState login)
        => login with { Status = EidLoginStatus.Failed, FailureReason = EidFailureReason.Contested, Person = null, CompletedAt = null };

    /// <summary>Whether only the next poll time changed (the common case), so the store can move just that.</summary>
    public static bool OnlyNextPollMoved(EidLoginState before, EidLoginState after)
        => after with { NextPollAt = before.NextPollAt } == before;
}
