using IcelandicEid.AspNetCore.State;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Flow;

/// <summary>
/// Asks the upstream how a login stands, at most once per interval across all instances (the store's poll lease), and
/// applies the rules a poll result may not decide alone: the identity rule (<see cref="PollTransitions"/>) and the
/// contest rule (another browser's later start for the same identifier wins).
/// </summary>
internal sealed class LoginPoller(LoginServices services)
{
    /// <summary>Polls if the interval allows and this caller wins the lease; otherwise returns the login as it is.</summary>
    public async Task<EidLoginState> PollIfDueAsync(EidLoginState login)
    {
        var now = services.Time.GetUtcNow();
        if (!PollTransitions.IsDue(login, now))
        {
            return login;
        }

        try
        {
            // The lease covers the whole poll, retries included, so no other instance polls meanwhile.
            var lease = PollTransitions.LeaseUntil(login, now);
            if (!await services.Store.TryBeginPollAsync(login.Id, now, lease, CancellationToken.None))
            {
                return login;
            }

            login = login with { NextPollAt = lease };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            services.StoreError(ex);
            return login;
        }

        return await PollWithLeaseAsync(login);
    }

    /// <summary>Polls the upstream once; the caller holds the poll lease, until <paramref name="login"/>'s
    /// <see cref="EidLoginState.NextPollAt"/>.</summary>
    /// <param name="login">The login, as read with the lease.</param>
    /// <param name="contestProbe">The contest marker, read at the same time as the lease (see
    /// <see cref="ContestRule.ProbeIfDue"/>); used only if the poll finds the login still pending.</param>
    public async Task<EidLoginState> PollWithLeaseAsync(EidLoginState login, Task<bool?>? contestProbe = null)
    {
        var lease = login.NextPollAt;
        var extended = false;
        var (provider, time, metrics) = (services.Provider, services.Time, services.Metrics);
        using var activity = IcelandicEidMetrics.ActivitySource.StartActivity("IcelandicEid.Poll");
        activity?.SetTag("icelandic_eid.provider", login.Provider);
        activity?.SetTag("icelandic_eid.method", EidNames.Of(login.Method));
        var started = time.GetTimestamp();
        EidPollResult? result = null;
        Exception? error = null;
        using (var timeout = new CancellationTokenSource(services.Options.BackchannelTimeout, time))
        {
            try
            {
                var poll = provider.PollAsync(new EidPollRequest(login.Method, login.Reference) { PollInterval = login.PollInterval }, timeout.Token);
                if (!poll.IsCompleted)
                {
                    extended = await HoldLeaseIfSlowAsync(login, poll);
                }

                result = await poll;
            }
            catch (Exception ex)
            {
                error = ex;
            }
        }

        var step = PollTransitions.Apply(login, result, error, time.GetUtcNow(), services.Options.MaxConsecutivePollErrors);
        var outcome = error is null ? EidNames.Of(result!.Status) : "error";
        metrics.UpstreamCall(login.Provider, "poll", outcome, time.GetElapsedTime(started));
        activity?.SetTag("icelandic_eid.outcome", outcome);
        switch (step.Event)
        {
            case PollEvent.Error or PollEvent.GaveUp:
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, error?.GetType().Name);
                Log.PollError(services.Logger, EidLoginId.ForLogOf(login.Id), login.Provider, step.State.ConsecutivePollErrors, error ?? new InvalidOperationException("no answer"));
                break;
            case PollEvent.IdentityMismatch:
                Log.IdentityMismatch(services.Logger, EidLoginId.ForLogOf(login.Id), login.Provider);
                break;
            case PollEvent.Failed:
                Log.LoginFailed(services.Logger, EidLoginId.ForLogOf(login.Id), login.Provider, EidNames.Of(step.State.FailureReason!.Value), PersonalData.Redact(result?.Failure?.Detail) ?? "no person");
                break;
        }

        var updated = step.State;
        if (step.Event is PollEvent.Approved)
        {
            // An approval is always checked against the marker as it is now, never against an earlier read: approved
            // after another browser's accepted start began, it signs nobody in.
            updated = await services.Contest.OnApprovalAsync(login, updated);
        }
        else if (step.Event is PollEvent.StillPending && services.Contest.MustCheckPending(login.Id, contestProbe))
        {
            (updated, var superseded) = await services.Contest.OnPendingAsync(login, updated, contestProbe);
            if (superseded)
            {
                // Superseded while the request is still open on the phone: withdraw it where the API allows.
                await CancelUpstreamAsync(login);
            }
        }
        else if (contestProbe is not null)
        {
            await services.Contest.ObserveAsync(login.Id, contestProbe);
        }

        if (updated.Status == EidLoginStatus.Succeeded)
        {
            Log.LoginApproved(services.Logger, EidLoginId.ForLogOf(login.Id), login.Provider);
        }
        else if (updated.Status == EidLoginStatus.Failed)
        {
            metrics.Failed(login.Provider, login.Method, updated.FailureReason!.Value);
        }

        try
        {
            if (PollTransitions.LeaseSuffices(login, updated, lease, extended))
            {
                // A quick poll and nothing new (the common case): the lease already is a valid next poll time.
                updated = updated with { NextPollAt = lease };
            }
            else if (PollTransitions.OnlyNextPollMoved(login, updated))
            {
                // Still pending and nothing else changed (the common case): only the next poll time moves.
                await services.Store.SetNextPollAsync(login.Id, updated.NextPollAt, CancellationToken.None);
            }
            else
            {
                await services.Store.UpdateAsync(updated, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            services.StoreError(ex);
        }

        if (updated.Status == EidLoginStatus.Pending)
        {
            // The next poll time as stored (the lease, when no write was needed): the marker is read with that poll.
            services.Contest.NextPoll(login.Id, updated.NextPollAt);
        }

        return updated;
    }

    /// <summary>Waits <see cref="PollTransitions.LeaseGuard"/> for the poll; if it is still running, extends the lease
    /// so that it covers the rest of the poll (retries included), before the short lease runs out.</summary>
    /// <returns>Whether the lease was extended.</returns>
    private async Task<bool> HoldLeaseIfSlowAsync(EidLoginState login, Task poll)
    {
        try
        {
            await poll.WaitAsync(PollTransitions.LeaseGuard, services.Time);
            return false;
        }
        catch (TimeoutException)
        {
            try
            {
                var extended = PollTransitions.ExtendedLease(login, services.Time.GetUtcNow(), services.Options.BackchannelTimeout);
                await services.Store.SetNextPollAsync(login.Id, extended, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                services.StoreError(ex);
            }

            return true;
        }
        catch (Exception)
        {
            // The poll's own failure: its caller awaits it and handles it.
            return false;
        }
    }

    /// <summary>Withdraws the request on the phone where the upstream has a way to; best effort, bounded in time.</summary>
    public Task CancelUpstreamAsync(EidLoginState login)
        => CancelUpstreamAsync(new EidPollRequest(login.Method, login.Reference) { PollInterval = login.PollInterval }, EidLoginId.ForLogOf(login.Id), login.Provider);

    /// <summary><see cref="CancelUpstreamAsync(EidLoginState)"/> with what the request upstream needs alone.</summary>
    public async Task CancelUpstreamAsync(EidPollRequest request, string logId, string providerName)
    {
        if (services.Provider is not IEidProviderCancellation cancellation)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(services.Options.BackchannelTimeout, services.Time);
        try
        {
            await cancellation.CancelAsync(request, timeout.Token);
        }
        catch (Exception ex)
        {
            Log.UpstreamCancelFailed(services.Logger, logId, providerName, ex);
        }
    }
}
