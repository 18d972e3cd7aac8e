using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Flow;

/// <summary>
/// The contest rule, in one place: a phone number or kennitala has one current login. A start from another browser that
/// the upstream accepts makes its own login current (<see cref="MakeCurrentAsync"/>); from then on the login it
/// superseded can never sign anyone in, approved or not, and its browser is told why. What that takes, all here:
/// <list type="bullet">
/// <item>at a start: making the new login current, an outranking claim by a browser that has signed in with the
/// identifier before, the hold while the person declines a request already open, and remembering the new login as
/// current on this instance (<see cref="StartRules"/> keeps the marker in the limiter below this);</item>
/// <item>on a poll that finds the login still pending: whether it is still current, read with the poll lease on the
/// status path (<see cref="ProbeIfDue"/>) or asked of the marker, at most every few seconds per instance
/// (<see cref="CurrentLoginCache"/>), and a superseded login failed as <see cref="EidFailureReason.Contested"/>;</item>
/// <item>on a poll's approval: always checked against the marker as it is now;</item>
/// <item>at the finish: checked where it counts, authoritatively, before anything is signed in
/// (<see cref="AllowsSignInAsync"/>).</item>
/// </list>
/// A store that shares state between instances hears of a contest from the start that makes it
/// (<see cref="IEidContestedLogins"/>), so the reads on polls only back that word up.
/// </summary>
internal sealed class ContestRule(LoginServices services)
{
    /// <summary>How long a login found current is taken to stay so before a poll asks the marker again.</summary>
    public TimeSpan Freshness { get; } = services.Store is IEidContestedLogins ? CurrentLoginCache.FreshnessWithStoreNotice : CurrentLoginCache.Freshness;

    /// <summary>Whether this login was lately found current on this instance.</summary>
    public bool IsFresh(string loginId) => services.Current.IsFresh(loginId);

    // ------------------------------------------------------------------------------------------------ at a start

    /// <summary>Whether the start outranks the identifier's current login (a browser that has signed in with it before,
    /// against one that has not).</summary>
    public bool Outranks(StartTicket ticket) => services.Rules.Outranks(ticket);

    /// <summary>An outranking start takes the identifier's place before the upstream is asked.</summary>
    public Task ClaimAsync(StartTicket ticket, string loginId, DateTimeOffset startedAt, CancellationToken cancellationToken)
        => services.Rules.ClaimAsync(ticket, loginId, startedAt, cancellationToken);

    /// <summary>A start the upstream accepted makes its login the identifier's current one.</summary>
    /// <returns>Whether that contested another browser's login.</returns>
    public Task<bool> MakeCurrentAsync(StartTicket ticket, string loginId, DateTimeOffset startedAt, CancellationToken cancellationToken)
        => services.Rules.MakeCurrentAsync(ticket, loginId, startedAt, cancellationToken);

    /// <summary>A start refused because a request is open on the phone keeps its standing while the person declines it.</summary>
    public Task HoldWhileDecliningAsync(StartTicket ticket, string loginId, DateTimeOffset startedAt, CancellationToken cancellationToken)
        => services.Rules.HoldWhileDecliningAsync(ticket, loginId, startedAt, cancellationToken);

    /// <summary>The new login, made current by its start, needs no marker read at its first poll.</summary>
    public void RememberStarted(StartTicket ticket, EidLoginState login)
    {
        if (services.Rules.MarkerOf(ticket) is { } marker)
        {
            services.Current.Remember(login.Id, marker, Freshness);
            services.Current.NextPoll(login.Id, login.NextPollAt);
        }
    }

    /// <summary>The next poll time of a pending login, so that the status read that takes that poll can read the marker
    /// in the same round trip.</summary>
    public void NextPoll(string loginId, DateTimeOffset nextPollAt) => services.Current.NextPoll(loginId, nextPollAt);

    // ------------------------------------------------------------------------------------------------ on the status path

    /// <summary>Starts reading the marker with the poll lease when one is wanted; null otherwise. Never throws: a
    /// failure is logged and answers null.</summary>
    public Task<bool?>? ProbeIfDue(string loginId)
        => services.Current.MarkerToReadWithPoll(loginId) is { } marker ? ReadProbeAsync(marker, loginId) : null;

    /// <summary>A probe whose poll did not happen here (another tab or instance holds the lease, or the poll failed):
    /// its answer still renews the login's freshness, or, when the login is no longer current, leaves it to the next
    /// poll, which reads the marker itself.</summary>
    public async Task ObserveAsync(string loginId, Task<bool?> probe)
    {
        switch (await probe)
        {
            case true:
                services.Current.Remember(loginId, null, Freshness);
                break;
            case false:
                services.Current.Forget(loginId);
                break;
        }
    }

    private async Task<bool?> ReadProbeAsync(string marker, string loginId)
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

    // ------------------------------------------------------------------------------------------------ on a poll

    /// <summary>An approval, checked against the marker as it is now (never an earlier read): approved after another
    /// browser's accepted start began, it signs nobody in. When the limiter cannot be asked, the finish checks again.</summary>
    public async Task<EidLoginState> OnApprovalAsync(EidLoginState login, EidLoginState approved)
    {
        try
        {
            if (await services.Rules.IsCurrentAsync(login.Identifier, login.Id, approved.CompletedAt, CancellationToken.None))
            {
                return approved;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            services.StoreError(ex);
            return approved;
        }

        services.Current.Forget(login.Id);
        Log.LoginSuperseded(services.Logger, EidLoginId.ForLogOf(login.Id));
        return PollTransitions.Contested(approved);
    }

    /// <summary>Whether a poll that found the login still pending must ask whether it is still current.</summary>
    public bool MustCheckPending(string loginId, Task<bool?>? probe) => probe is not null || !services.Current.IsFresh(loginId);

    /// <summary>A login still pending upstream that another browser has contested fails. When the limiter cannot be
    /// asked, the finish checks again, authoritatively.</summary>
    /// <returns>The login, failed as contested when it was superseded; <c>Superseded</c> says so.</returns>
    public async Task<(EidLoginState Login, bool Superseded)> OnPendingAsync(EidLoginState login, EidLoginState updated, Task<bool?>? probe)
    {
        bool current;
        string? marker = null;
        if (probe is not null)
        {
            // Read with the lease, in the same round trip; a failed read was logged by the probe.
            if (await probe is not { } answer)
            {
                return (updated, false);
            }

            current = answer;
        }
        else
        {
            try
            {
                marker = await services.Rules.MarkerAsync(login.Identifier, CancellationToken.None);
                current = marker is null || await services.Rules.MarkerNamesAsync(marker, login.Id, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                services.StoreError(ex);
                return (updated, false);
            }
        }

        if (current)
        {
            services.Current.Remember(login.Id, marker, Freshness);
            return (updated, false);
        }

        services.Current.Forget(login.Id);
        Log.LoginSuperseded(services.Logger, EidLoginId.ForLogOf(login.Id));
        return (PollTransitions.Contested(updated), true);
    }

    // ------------------------------------------------------------------------------------------------ at the finish

    /// <summary>Where it counts: whether an approved login may still sign in (it was current when approved).</summary>
    public Task<bool> AllowsSignInAsync(EidLoginState login)
        => services.Rules.IsCurrentAsync(login.Identifier, login.Id, login.CompletedAt, CancellationToken.None);

    /// <summary>A consumed approval the rule refuses: failed as contested, logged and counted.</summary>
    public EidLoginState Refuse(EidLoginState consumed)
    {
        Log.LoginSuperseded(services.Logger, EidLoginId.ForLogOf(consumed.Id));
        services.Metrics.Failed(consumed.Provider, consumed.Method, EidFailureReason.Contested);
        return PollTransitions.Contested(consumed);
    }
}
