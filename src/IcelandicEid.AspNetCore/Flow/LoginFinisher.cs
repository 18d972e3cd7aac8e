using IcelandicEid.AspNetCore.State;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Flow;

/// <summary>How a finish ended: a closed set of cases, each carrying exactly what it needs.</summary>
internal abstract record FinishOutcome
{
    private FinishOutcome()
    {
    }

    /// <summary>Approved and consumed: sign <paramref name="Person"/> in.</summary>
    public sealed record Approved(EidLoginState Login, EidPerson Person) : FinishOutcome;

    /// <summary>Ended without success and consumed: show why.</summary>
    public sealed record Failed(EidLoginState Login, EidFailureReason Reason) : FinishOutcome;

    /// <summary>Still waiting for the person: back to the verification page.</summary>
    public sealed record NotYet(EidLoginState Login) : FinishOutcome;

    /// <summary>No login to finish: expired, already finished in another tab, or never there.</summary>
    public sealed record Gone : FinishOutcome;

    /// <summary>The store could not be used: nothing was consumed, the same finish works once it answers again.</summary>
    public sealed record Unavailable : FinishOutcome;
}

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
                return new FinishOutcome.NotYet(login);
            }
        }

        bool contested;
        EidLoginState? consumed;
        try
        {
            // The contest rule, checked where it counts: a login approved after another browser's accepted start began
            // never signs anyone in.
            contested = login.Status == EidLoginStatus.Succeeded && !await services.Contest.AllowsSignInAsync(login);
            consumed = await services.Store.TryConsumeAsync(login.Id, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            services.StoreError(ex);
            return new FinishOutcome.Unavailable();
        }

        if (consumed is null)
        {
            Log.StateGone(services.Logger, EidLoginId.ForLogOf(login.Id));
            return new FinishOutcome.Gone();
        }

        if (contested && consumed.Status == EidLoginStatus.Succeeded)
        {
            consumed = services.Contest.Refuse(consumed);
        }

        return consumed is { Status: EidLoginStatus.Succeeded, Person: { } person }
            ? new FinishOutcome.Approved(consumed, person)
            : new FinishOutcome.Failed(consumed, consumed.FailureReason ?? EidFailureReason.Other);
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
    public async Task<BrowserIdentity?> RememberAsync(BrowserIdentity browser, string identifier)
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
