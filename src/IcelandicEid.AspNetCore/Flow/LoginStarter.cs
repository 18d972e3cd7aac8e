using System.Net;
using IcelandicEid.AspNetCore.State;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Flow;

/// <summary>How a start ended: a closed set of cases, each carrying exactly what it needs.</summary>
internal abstract record StartOutcome
{
    private StartOutcome()
    {
    }

    /// <summary>A new login was started with the upstream.</summary>
    public sealed record Started(EidLoginState Login) : StartOutcome;

    /// <summary>The browser joined its own login started a moment ago by the same form (a double click).</summary>
    public sealed record Joined(EidLoginState Login) : StartOutcome;

    /// <summary>Another tab of this browser started this identifier's login a moment ago and holds its cookie: back to
    /// the verification page, with nothing joined and nothing sent.</summary>
    public sealed record Sibling : StartOutcome;

    /// <summary>The browser already waits for this very login: back to it, nothing sent anywhere.</summary>
    public sealed record Resumed(EidLoginState Login) : StartOutcome;

    /// <summary>A budget is spent (<paramref name="Limit"/> names it); try again after <paramref name="Wait"/>.</summary>
    public sealed record Limited(string Limit, TimeSpan Wait) : StartOutcome;

    /// <summary>A request is open for this person (the upstream says so, or a login started from a browser that has
    /// signed in with the identifier holds it); it ends after <paramref name="Wait"/> at the latest. The wait is always
    /// the whole lifetime of a request, so the answer tells nobody when someone else started.</summary>
    public sealed record InProgress(TimeSpan Wait) : StartOutcome;

    /// <summary>The store, the limiter or the key ring could not be used, or is full: nothing was sent.</summary>
    public sealed record Unavailable : StartOutcome;

    /// <summary>The upstream refused or could not be asked.</summary>
    public sealed record Failed(EidFailureReason Reason) : StartOutcome;

    /// <summary>The browser went away.</summary>
    public sealed record Aborted : StartOutcome;

    /// <summary>The login this browser now waits for, when the outcome has one.</summary>
    public EidLoginState? Waiting => this switch
    {
        Started started => started.Login,
        Joined joined => joined.Login,
        Resumed resumed => resumed.Login,
        _ => null,
    };
}

/// <summary>Everything a start needs from the request, already validated: the method and normalised identifier, the
/// challenge's serialised properties (kept in the login's state), the browser's identity and address, and the login
/// this browser's cookie names (<paramref name="KeyRingFailed"/> when the cookie could not be read for the key ring).</summary>
internal sealed record StartInput(
    EidMethod Method,
    string Identifier,
    string MaskedIdentifier,
    string Properties,
    BrowserIdentity Browser,
    IPAddress? ClientAddress,
    EidLoginId? OwnLoginId,
    bool KeyRingFailed,
    string Language,
    string? Attempt = null);

/// <summary>
/// Starting a login: the browser's own pending login, the budgets and the join lock, the contest rule, the upstream
/// call, and the new state in the store. Every path returns a typed outcome; nothing here touches the HTTP response.
/// </summary>
internal sealed class LoginStarter(LoginServices services)
{
    public async Task<StartOutcome> StartAsync(StartInput input, CancellationToken cancellationToken)
    {
        var (store, rules, provider, options) = (services.Store, services.Rules, services.Provider, services.Options);
        if (input.OwnLoginId is { } ownId)
        {
            try
            {
                // This browser already waits for this login (a reload, a re-click): back to it, nothing sent anywhere.
                if (await store.GetAsync(ownId.Value, CancellationToken.None) is { IsCompleted: false } own
                    && own.Identifier == input.Identifier && own.Method == input.Method)
                {
                    return new StartOutcome.Resumed(own);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                services.StoreError(ex);
                return new StartOutcome.Unavailable();
            }
        }

        // A browser that has signed in with this identifier before may use the bounded stores' reserve: a flood of new
        // numbers cannot keep it out.
        using var reserve = await IsRememberedAsync(input) ? CapacityReserve.Enter() : default(CapacityReserve.Scope?);
        if (input.KeyRingFailed || store is InMemoryEidLoginStore { IsFull: true })
        {
            // The store is down or stalled (one timeout is enough to know), or full under a flood: refuse before
            // anything is counted or sent to anyone's phone.
            return new StartOutcome.Unavailable();
        }

        var loginId = EidLoginId.New().Value;
        StartTicket ticket;
        try
        {
            ticket = await rules.BeginAsync(input.Browser, input.Identifier, input.ClientAddress, loginId, input.Attempt, LoadPendingAsync, cancellationToken, store as IEidPendingByKey);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new StartOutcome.Aborted();
        }
        catch (Exception ex)
        {
            services.StoreError(ex);
            return new StartOutcome.Unavailable();
        }

        switch (ticket.Verdict)
        {
            case StartVerdict.Join:
                return ticket.JoinLogin is { } joined ? new StartOutcome.Joined(joined) : new StartOutcome.Unavailable();
            case StartVerdict.Sibling:
                return new StartOutcome.Sibling();
            case StartVerdict.Busy:
                return new StartOutcome.Unavailable();
            case StartVerdict.Held:
                Log.StartHeld(services.Logger, EidNames.Of(input.Method), input.MaskedIdentifier);
                services.Metrics.Limited("standing");
                return new StartOutcome.InProgress(options.RemoteAuthenticationTimeout);
            case StartVerdict.Limited:
                var limit = ticket.Limit ?? "start";
                Log.StartLimited(services.Logger, limit, EidNames.Of(input.Method), input.MaskedIdentifier);
                services.Metrics.Limited(limit);
                return new StartOutcome.Limited(limit, ticket.RetryAfter);
        }

        using var activity = IcelandicEidMetrics.ActivitySource.StartActivity("IcelandicEid.Start");
        activity?.SetTag("icelandic_eid.provider", provider.Name);
        activity?.SetTag("icelandic_eid.method", EidNames.Of(input.Method));

        // The identifier's current login, if another browser's and still pending: asked upstream now, so that an approval
        // already given is spared (it was not meant for this start's request, which does not exist yet).
        await CheckPreviousAsync(ticket);
        var startedAt = services.Time.GetUtcNow();
        var outranks = services.Contest.Outranks(ticket);
        try
        {
            if (outranks)
            {
                // A browser that has signed in with the identifier before, against a login of one that has not: that
                // login can no longer sign anyone in, whatever the upstream answers this start.
                await services.Contest.ClaimAsync(ticket, loginId, startedAt, cancellationToken);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            services.StoreError(ex);
            AbandonInBackground(ticket, reachedUpstream: false); // the store is in trouble: do not wait
            return new StartOutcome.Unavailable();
        }

        EidStartResult result;
        var started = services.Time.GetTimestamp();
        try
        {
            result = await provider.StartAsync(new EidStartRequest(input.Method, input.Identifier) { Language = input.Language, ServiceName = services.Options.ServiceName }, cancellationToken);
            services.Metrics.UpstreamCall(provider.Name, "start", result.Succeeded ? "started" : "refused", services.Time.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await RestoreAsync(ticket);
            await AbandonAsync(ticket, reachedUpstream: true);
            return new StartOutcome.Aborted();
        }
        catch (Exception ex)
        {
            var reason = ex is EidProviderException pe ? pe.Reason : EidFailureReason.Unavailable;
            services.Metrics.UpstreamCall(provider.Name, "start", "error", services.Time.GetElapsedTime(started));
            services.Metrics.Failed(provider.Name, input.Method, reason);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, EidNames.Of(reason));
            Log.StartError(services.Logger, provider.Name, EidNames.Of(reason), ex);
            await RestoreAsync(ticket);
            await AbandonAsync(ticket, reachedUpstream: false);
            return new StartOutcome.Failed(reason);
        }

        if (!result.Succeeded)
        {
            var failure = result.Failure ?? new EidFailure(EidFailureReason.UpstreamError, "no reference");
            Log.StartRefused(services.Logger, provider.Name, EidNames.Of(input.Method), input.MaskedIdentifier, EidNames.Of(failure.Reason), PersonalData.Redact(failure.Detail));
            services.Metrics.Failed(provider.Name, input.Method, failure.Reason);
            activity?.SetTag("icelandic_eid.outcome", EidNames.Of(failure.Reason));
            if (failure.Reason != EidFailureReason.AlreadyInProgress)
            {
                await RestoreAsync(ticket);
                await AbandonAsync(ticket, reachedUpstream: true);
                return new StartOutcome.Failed(failure.Reason);
            }

            // A request is open on the phone. An outranking start keeps the login it claimed the place of contested; a
            // remembered browser's claim holds the identifier while the person declines that request. Nothing else
            // changes: a refused start contests nobody. The phone got nothing, so the identifier's budgets are given
            // back; the wait is the whole lifetime of a request, telling nobody when the open one began.
            try
            {
                await services.Contest.HoldWhileDecliningAsync(ticket, loginId, startedAt, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                services.StoreError(ex);
            }

            await EndSupersededAsync(ticket.SupersededLogin);
            await AbandonAsync(ticket, reachedUpstream: true, refundIdentifier: true);
            return new StartOutcome.InProgress(options.RemoteAuthenticationTimeout);
        }

        var login = NewLogin(loginId, input, result);
        try
        {
            // The upstream accepted: from now on no other browser's login for this identifier that is approved can sign
            // in. Only an accepted start contests.
            if (await services.Contest.MakeCurrentAsync(ticket, loginId, startedAt, CancellationToken.None))
            {
                Log.LoginContested(services.Logger, EidNames.Of(input.Method), input.MaskedIdentifier);
                services.Metrics.Limited("contested");
            }

            await EndSupersededAsync(ticket.SupersededLogin);
            await store.CreateAsync(login, CancellationToken.None);
            await rules.PublishAsync(ticket, login.Id, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            services.StoreError(ex);
            AbandonInBackground(ticket, reachedUpstream: true);
            return new StartOutcome.Failed(EidFailureReason.Unavailable);
        }

        // The start made this login its identifier's current one: its first poll need not read the marker again.
        services.Contest.RememberStarted(ticket, login);

        Log.LoginStarted(services.Logger, EidLoginId.ForLogOf(login.Id), provider.Name, EidNames.Of(input.Method), input.MaskedIdentifier);
        services.Metrics.Started(provider.Name, input.Method);
        activity?.SetTag("icelandic_eid.outcome", "started");
        return new StartOutcome.Started(login);
    }

    private EidLoginState NewLogin(string loginId, StartInput input, EidStartResult result)
    {
        var options = services.Options;
        var now = services.Time.GetUtcNow();
        var interval = result.PollInterval ?? options.DefaultPollInterval;
        if (interval < options.MinimumPollInterval)
        {
            interval = options.MinimumPollInterval;
        }

        return new EidLoginState
        {
            Id = loginId,
            Provider = services.Provider.Name,
            Method = input.Method,
            Identifier = input.Identifier,
            Reference = result.Reference!,
            VerificationCode = result.VerificationCode,
            PollInterval = interval,
            CreatedAt = now,
            ExpiresAt = now + options.RemoteAuthenticationTimeout,
            NextPollAt = now + interval,
            Properties = input.Properties,
        };
    }

    /// <summary>A login this browser can still join (pending), or null: a start after one that ended starts anew.</summary>
    private async Task<EidLoginState?> LoadPendingAsync(string loginId, CancellationToken cancellationToken)
        => await services.Store.GetAsync(loginId, cancellationToken) is { IsCompleted: false } login ? login : null;

    /// <summary>Where the store can, the superseded login fails now, so its browser learns it at its next status read
    /// (no poll need ask the marker), and its request is withdrawn upstream in the background. When this fails the
    /// superseded login is still caught: by the polls' own marker reads, at its approval and at its finish.</summary>
    private async Task EndSupersededAsync(string? loginKey)
    {
        if (loginKey is null || services.Store is not IEidContestedLogins contested)
        {
            return;
        }

        try
        {
            if (await contested.FailContestedAsync(loginKey, CancellationToken.None) is { } request)
            {
                Log.LoginSuperseded(services.Logger, EidLoginId.ForLogFromKey(loginKey));
                var poller = new LoginPoller(services);
                _ = Task.Run(() => poller.CancelUpstreamAsync(request, EidLoginId.ForLogFromKey(loginKey), services.Provider.Name), CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            services.StoreError(ex);
        }
    }

    private async Task<bool> IsRememberedAsync(StartInput input)
    {
        if (input.Browser.IsNew || input.Browser.Known.Count == 0 || services.Options.Limits.KnownBrowserLifetime <= TimeSpan.Zero)
        {
            return false;
        }

        try
        {
            return input.Browser.Knows(await services.Rules.HashAsync(input.Identifier, CancellationToken.None));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            services.StoreError(ex);
            return false;
        }
    }

    /// <summary>Asks the upstream about the login the identifier's marker names, if it is another browser's and still
    /// pending: when it has been approved already, this start spares it (its approval came before this start's request
    /// existed, so it was not meant for it).</summary>
    private static readonly TimeSpan s_previousCheckTimeout = TimeSpan.FromSeconds(5);

    private async Task CheckPreviousAsync(StartTicket ticket)
    {
        if (services.Rules.PreviousLoginKey(ticket) is not { } previousKey || services.Store is not IEidPendingByKey byKey)
        {
            return;
        }

        try
        {
            if (await byKey.PendingRequestAsync(previousKey, CancellationToken.None) is not { } request)
            {
                return;
            }

            // Bounded short: the person's own start waits for this answer.
            using var timeout = new CancellationTokenSource(s_previousCheckTimeout < services.Options.BackchannelTimeout ? s_previousCheckTimeout : services.Options.BackchannelTimeout, services.Time);
            if ((await services.Provider.PollAsync(request, timeout.Token)).Status == EidPollStatus.Succeeded)
            {
                ticket.Spared = previousKey;
            }
        }
        catch (Exception ex)
        {
            // No answer: the other login is contested if it is approved from now on, as without this check.
            Log.PollError(services.Logger, EidLoginId.ForLogFromKey(previousKey), services.Provider.Name, 1, ex);
        }
    }

    private async Task RestoreAsync(StartTicket ticket)
    {
        try
        {
            await services.Rules.RestoreAsync(ticket, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            services.StoreError(ex);
        }
    }

    private void AbandonInBackground(StartTicket ticket, bool reachedUpstream)
        => _ = Task.Run(() => AbandonAsync(ticket, reachedUpstream), CancellationToken.None);

    private async Task AbandonAsync(StartTicket ticket, bool reachedUpstream, bool refundIdentifier = false)
    {
        try
        {
            await services.Rules.AbandonAsync(ticket, reachedUpstream, CancellationToken.None, refundIdentifier);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The browser lock expires by itself; a budget not given back is spent.
            services.StoreError(ex);
        }
    }
}
