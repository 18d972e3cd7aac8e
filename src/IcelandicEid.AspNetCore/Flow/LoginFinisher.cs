using IcelandicEid.AspNetCore.State;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Flow;

/// <summary>How a finish ended.</summary>
internal enum FinishOutcomeKind
{
    /// <summary>Approved and consumed: sign the person in.</summary>
    Approved,

    /// <summary>Ended without success and consumed: show why.</summary>
    Failed,

    /// <summary>Still waiting for the person: back to the verification page.</summary>
    NotYet,

    /// <summary>No login to finish: expired, already finished in another tab, or never there.</summary>
    Gone,

    /// <summary>The store could not be used: nothing was consumed, the same finish works once it answers again.</summary>
    Unavailable,
}

/// <summary>The typed result of a finish; <see cref="Login"/> is the consumed login when there is one.</summary>
internal readonly record struct FinishOutcome(FinishOutcomeKind Kind, EidLoginState? Login = null, EidFailureReason Reason = EidFailureReason.Other);

/// <summary>
/// Finishing a login: the last poll if one is due, the contest rule checked where it counts, and the state consumed
/// atomically, so a login signs in once, in one browser, or not at all.
/// </summary>
internal sealed class LoginFinisher(LoginServices services, LoginPoller poller)
{
    public async Task<FinishOutcome> FinishAsync(EidLoginState login)
    {
        if (!login.IsCompleted)
        {
            login = await poller.PollIfDueAsync(login);
            if (!login.IsCompleted)
            {
                return new(FinishOutcomeKind.NotYet, login);
            }
        }

        bool contested;
        EidLoginState? consumed;
        try
        {
            // The contest rule, checked where it counts: a login approved after another browser's accepted start began
            // never signs anyone in.
            contested = login.Status == EidLoginStatus.Succeeded
                && !await services.Rules.IsCurrentAsync(login.Identifier, login.Id, login.CompletedAt, CancellationToken.None);
            consumed = await services.Store.TryConsumeAsync(login.Id, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            services.StoreError(ex);
            return new(FinishOutcomeKind.Unavailable);
        }

        if (consumed is null)
        {
            Log.StateGone(services.Logger, EidLoginId.ForLogOf(login.Id));
            return new(FinishOutcomeKind.Gone);
        }

        if (contested && consumed.Status == EidLoginStatus.Succeeded)
        {
            Log.LoginSuperseded(services.Logger, EidLoginId.ForLogOf(consumed.Id));
            services.Metrics.Failed(consumed.Provider, consumed.Method, EidFailureReason.Contested);
            consumed = PollTransitions.Contested(consumed);
        }

        return consumed.Status == EidLoginStatus.Succeeded && consumed.Person is not null
            ? new(FinishOutcomeKind.Approved, consumed)
            : new(FinishOutcomeKind.Failed, consumed, consumed.FailureReason ?? EidFailureReason.Other);
    }

    /// <summary>Removes a login the browser cancelled and withdraws it upstream where the API allows.</summary>
    public async Task CancelAsync(EidLoginState login)
    {
        try
        {
            await services.Store.RemoveAsync(login.Id, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            services.StoreError(ex);
        }

        await poller.CancelUpstreamAsync(login);
        Log.LoginCancelled(services.Logger, EidLoginId.ForLogOf(login.Id));
    }

    /// <summary>Remembers that this browser has logged in with the identifier: it gets its own start budget.</summary>
    public async Task<BrowserCookie?> RememberAsync(BrowserCookie browser, string identifier)
    {
        if (services.Options.Limits.KnownBrowserLifetime <= TimeSpan.Zero)
        {
            return null;
        }

        try
        {
            return browser.WithKnown(await services.Rules.HashAsync(identifier, CancellationToken.None));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Only the browser's own budget is lost; the sign-in stands.
            services.StoreError(ex);
            return null;
        }
    }
}
