using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Flow;

/// <summary>What a status request finds: a closed set of cases, each carrying exactly what it needs.</summary>
internal abstract record StatusOutcome
{
    private StatusOutcome()
    {
    }

    /// <summary>Still waiting for the person.</summary>
    public sealed record Pending(EidLoginSummary Login) : StatusOutcome;

    /// <summary>Approved; the browser may finish.</summary>
    public sealed record Succeeded(EidLoginSummary Login) : StatusOutcome;

    /// <summary>Ended without success; the browser finishes to be told why.</summary>
    public sealed record Failed(EidLoginSummary Login, EidFailureReason Reason) : StatusOutcome;

    /// <summary>No such login (expired, finished in another tab, or never there).</summary>
    public sealed record Gone : StatusOutcome;

    /// <summary>The store could not be used.</summary>
    public sealed record Unavailable : StatusOutcome;

    /// <summary>The case of a login's summary.</summary>
    public static StatusOutcome Of(EidLoginSummary login) => login.Status switch
    {
        EidLoginStatus.Succeeded => new Succeeded(login),
        EidLoginStatus.Failed => new Failed(login, login.FailureReason ?? EidFailureReason.Other),
        _ => new Pending(login),
    };
}

/// <summary>What reading a login by its id found.</summary>
internal abstract record LoadOutcome
{
    private LoadOutcome()
    {
    }

    /// <summary>The login, as stored.</summary>
    public sealed record Found(EidLoginState Login) : LoadOutcome;

    /// <summary>No such login.</summary>
    public sealed record Gone : LoadOutcome;

    /// <summary>The store could not be used.</summary>
    public sealed record Unavailable : LoadOutcome;
}

/// <summary>
/// One login, from start to finish, for one scheme: the single entry the pages and the JSON API adapt to HTTP. Start,
/// Status, Cancel and Finish each return a closed set of outcomes; none touches a request, a response or a word of page
/// text. The rules live in their units behind it: <see cref="LoginStarter"/> (budgets, the join lock, the upstream
/// call), <see cref="LoginPoller"/> (the poll lease, the identity rule on a poll's answer), <see cref="LoginFinisher"/>
/// (the single-use consume), and the contest rule, one current login per identifier, in <see cref="ContestRule"/>.
/// </summary>
internal sealed class LoginFlow(LoginServices services)
{
    private LoginPoller? _poller;

    private LoginPoller Poller => _poller ??= new LoginPoller(services);

    /// <summary>The scheme's provider.</summary>
    public IIcelandicEidProvider Provider => services.Provider;

    /// <summary>Whether the provider can withdraw a request on the phone.</summary>
    public bool CanCancelUpstream => services.Provider is IEidProviderCancellation;

    /// <summary>Starts a login (or joins or resumes this browser's own).</summary>
    public Task<StartOutcome> StartAsync(StartInput input, CancellationToken cancellationToken)
        => new LoginStarter(services).StartAsync(input, cancellationToken);

    /// <summary>Reads a login by id: typed cases, never an exception.</summary>
    public async Task<LoadOutcome> LoadAsync(EidLoginId id)
    {
        try
        {
            if (await services.Store.GetAsync(id.Value, CancellationToken.None) is { } login)
            {
                return new LoadOutcome.Found(login);
            }

            Log.StateGone(services.Logger, id.ForLog);
            return new LoadOutcome.Gone();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            services.StoreError(ex);
            return new LoadOutcome.Unavailable();
        }
    }

    /// <summary>
    /// The status hot path, asked every second or so by every waiting tab: one store call reads the summary and takes
    /// the poll lease when a poll is due; the whole (encrypted) state is read only to poll. The contest marker is read
    /// with the lease when the login's freshness has run out (<see cref="ContestRule.ProbeIfDue"/>).
    /// </summary>
    public async Task<StatusOutcome> StatusAsync(EidLoginId loginId)
    {
        var id = loginId.Value;
        try
        {
            var now = services.Time.GetUtcNow();
            var probe = services.Contest.ProbeIfDue(id);
            var peek = await services.Store.PeekAsync(id, now, PollTransitions.LeaseGuard, CancellationToken.None);
            if (peek is null || peek.Summary.ExpiresAt <= now)
            {
                Log.StateGone(services.Logger, loginId.ForLog);
                return new StatusOutcome.Gone();
            }

            var login = peek.Summary;
            if (peek.PollLease && (peek.State ?? await services.Store.GetAsync(id, CancellationToken.None)) is { } state)
            {
                login = EidLoginSummary.From(await Poller.PollWithLeaseAsync(state, probe));
                probe = null;
            }

            if (probe is not null)
            {
                await services.Contest.ObserveAsync(id, probe);
            }

            return StatusOutcome.Of(login);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            services.StoreError(ex);
            return new StatusOutcome.Unavailable();
        }
    }

    /// <summary>A loaded login brought up to date: polled upstream if a poll is due and this caller wins the lease.</summary>
    public Task<EidLoginState> RefreshAsync(EidLoginState login) => Poller.PollIfDueAsync(login);

    /// <summary>Cancels a login the browser gave up: removed from the store and withdrawn upstream where the API
    /// allows.</summary>
    public Task CancelAsync(EidLoginState login) => new LoginFinisher(services, Poller).CancelAsync(login);

    /// <summary>Finishes a login: the last poll if one is due, the contest rule, and the single-use consume.</summary>
    public Task<FinishOutcome> FinishAsync(EidLoginState login) => new LoginFinisher(services, Poller).FinishAsync(login);

    /// <summary>Remembers that this browser has signed in with the identifier (its own start budget from now on).</summary>
    /// <returns>The browser's new identity, or <see langword="null"/> when nothing changes.</returns>
    public Task<BrowserIdentity?> RememberAsync(BrowserIdentity browser, string identifier)
        => new LoginFinisher(services, Poller).RememberAsync(browser, identifier);
}
