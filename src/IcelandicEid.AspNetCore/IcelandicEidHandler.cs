using System.Security.Claims;
using System.Text.Encodings.Web;
using IcelandicEid.AspNetCore.Endpoints;
using IcelandicEid.AspNetCore.Flow;
using IcelandicEid.AspNetCore.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore;

/// <summary>
/// Logs people in with Icelandic electronic ID. Like ASP.NET Core's other remote handlers it challenges (to its own
/// login form) and finishes at <see cref="RemoteAuthenticationOptions.CallbackPath"/> through
/// <see cref="HandleRemoteAuthenticateAsync"/>, letting the base class raise <c>OnTicketReceived</c> or
/// <c>OnRemoteFailure</c>, sign in and redirect. In between it serves the form, the verification-code page, the status
/// and cancel endpoints, a JSON API and its assets under <see cref="IcelandicEidOptions.BasePath"/>: the host app maps
/// nothing.
/// </summary>
internal sealed class IcelandicEidHandler : RemoteAuthenticationHandler<IcelandicEidOptions>
{
    private readonly IEidLoginStore _store;
    private readonly IEidAbuseLimiter _limiter;
    private readonly IcelandicEidMetrics _metrics;
    private readonly IcelandicEidProviders _providers;
    private readonly CurrentLoginCache _current;
    private EidRequest? _request;
    private LoginFlow? _flow;

    /// <summary>Creates the handler.</summary>
    /// <param name="options">The options of every scheme.</param>
    /// <param name="logger">The logger factory.</param>
    /// <param name="encoder">The URL encoder.</param>
    /// <param name="store">Where pending logins are kept.</param>
    /// <param name="limiter">The abuse limiter behind the start rules.</param>
    /// <param name="metrics">The meter and activity source.</param>
    /// <param name="providers">The registered providers, chosen by <see cref="IcelandicEidOptions.Provider"/>.</param>
    /// <param name="current">Which pending logins were lately found current (not contested).</param>
    /// <param name="checks">Upkeep of shared state, started by the handler's requests when due.</param>
    public IcelandicEidHandler(
        IOptionsMonitor<IcelandicEidOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        IEidLoginStore store,
        IEidAbuseLimiter limiter,
        IcelandicEidMetrics metrics,
        IcelandicEidProviders providers,
        CurrentLoginCache current,
        IEnumerable<IEidPeriodicCheck> checks)
        : base(options, logger, encoder)
    {
        _current = current;
        _checks = checks;
        _store = store;
        _limiter = limiter;
        _metrics = metrics;
        _providers = providers;
    }

    /// <summary>The events.</summary>
    private new IcelandicEidEvents Events
    {
        get => (IcelandicEidEvents)base.Events;
        set => base.Events = value;
    }

    private EidRequest Request2 => _request ??= new EidRequest(Context, Scheme, Options, Logger);

    private readonly IEnumerable<IEidPeriodicCheck> _checks;

    // The JSON API's finish runs through the base class's HandleRequestAsync: these say so, and whether it signed in.
    private bool _apiFinish;
    private bool _apiSignedIn;

    /// <summary>The login, for this scheme: the one entry every endpoint adapts.</summary>
    private LoginFlow Flow => _flow ??= new LoginFlow(new LoginServices(
        _store, _limiter, _providers.Get(Scheme.Name, Options), _metrics, Logger, Options, TimeProvider, _current));

    /// <inheritdoc />
    protected override Task<object> CreateEventsAsync() => Task.FromResult<object>(new IcelandicEidEvents());

    /// <summary>Serves the handler's endpoints under <see cref="IcelandicEidOptions.BasePath"/>, and the finish.</summary>
    /// <returns>Whether the request was handled here.</returns>
    /// <remarks>Not async itself: the status endpoint, asked every second by every tab, runs in one state machine.</remarks>
    public override Task<bool> HandleRequestAsync()
    {
        if (Options.RefusePlainHttp && !Request.IsHttps && (Request.Path == Options.CallbackPath || Request.Path.StartsWithSegments(Options.BasePath)))
        {
            // Outside Development the login and its cookies never travel in the clear; the operator is told how to fix it.
            if (Interlocked.Exchange(ref Options.PlainHttpLogged, 1) == 0)
            {
                Log.PlainHttpRefused(Logger, Scheme.Name);
            }

            return Pages.FailureAsync(Request2, StatusCodes.Status403Forbidden, FailureView.NotSecure, null);
        }

        if (Request.Path == Options.CallbackPath)
        {
            return HttpMethods.IsGet(Request.Method) || HttpMethods.IsPost(Request.Method)
                ? base.HandleRequestAsync()
                : Request2.RefuseMethod("GET, POST");
        }

        if (!Request.Path.StartsWithSegments(Options.BasePath, out var rest) || !rest.HasValue)
        {
            return EidRequest.NotHandled;
        }

        foreach (var check in _checks)
        {
            check.RunIfDue();
        }

        var r = Request2;
        var get = HttpMethods.IsGet(Request.Method) || HttpMethods.IsHead(Request.Method);
        var post = HttpMethods.IsPost(Request.Method);
        switch (rest.Value)
        {
            case IcelandicEidDefaults.StatusSubPath:
                return get ? StatusEndpoint.HandleAsync(r, Flow, includeNext: true) : r.RefuseMethod("GET, HEAD");
            case IcelandicEidDefaults.LoginSubPath:
                return get ? LoginPageEndpoint.HandleAsync(r, Flow.CanCancelUpstream) : r.RefuseMethod("GET, HEAD");
            case IcelandicEidDefaults.StartSubPath:
                return post ? StartEndpoint.HandleAsync(r, Flow) : r.RefuseMethod("POST");
            case IcelandicEidDefaults.VerifySubPath:
                return get ? VerifyEndpoint.HandleAsync(r, Flow) : r.RefuseMethod("GET, HEAD");
            case IcelandicEidDefaults.CancelSubPath:
                return post ? CancelEndpoint.HandleAsync(r, Flow) : r.RefuseMethod("POST");
            case IcelandicEidDefaults.FailedSubPath:
                return get ? Pages.FailedAsync(r) : r.RefuseMethod("GET, HEAD");
        }

        if (rest.StartsWithSegments(IcelandicEidDefaults.ApiSubPath, out var api))
        {
            return api.Value == "/finish"
                ? (post ? FinishFromApiAsync() : r.RefuseMethod("POST"))
                : JsonApiEndpoint.HandleAsync(r, Flow, api.Value ?? string.Empty);
        }

        return rest.StartsWithSegments(IcelandicEidDefaults.AssetsSubPath, out var asset)
            ? Assets.TryServeAsync(r, asset.Value!.TrimStart('/'))
            : EidRequest.NotHandled;
    }

    /// <summary>Sends the browser to the login form, carrying the protected properties (return URL included).</summary>
    /// <param name="properties">The challenge's properties.</param>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        ArgumentNullException.ThrowIfNull(properties);
        if (string.IsNullOrEmpty(properties.RedirectUri))
        {
            properties.RedirectUri = OriginalPathBase + OriginalPath + Request.QueryString;
        }

        string loginUrl;
        try
        {
            loginUrl = Request2.LoginUrl(Options.StateDataFormat.Protect(properties));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The data-protection key ring could not be read (its store is down): "try again", never a 500.
            Log.StoreError(Logger, ex);
            return Pages.UnavailableAsync(Request2);
        }

        if (string.Equals(Request.Headers.XRequestedWith, "XMLHttpRequest", StringComparison.Ordinal))
        {
            Response.Headers.Location = loginUrl;
            Response.StatusCode = StatusCodes.Status401Unauthorized;
        }
        else
        {
            Response.Redirect(loginUrl);
        }

        return Task.CompletedTask;
    }

    /// <summary>The finish: consumes the approved login and returns its ticket, or the failure for <c>OnRemoteFailure</c>.
    /// A person declining on the phone goes through <c>OnAccessDenied</c> and <see cref="RemoteAuthenticationOptions.AccessDeniedPath"/>.</summary>
    /// <returns>The ticket, a failure, or a handled response (the login is still waiting).</returns>
    protected override async Task<HandleRequestResult> HandleRemoteAuthenticateAsync()
    {
        var (result, waiting) = await FinishAsync(api: _apiFinish);
        if (_apiFinish)
        {
            if (result.Succeeded)
            {
                _apiSignedIn = true;
                return result;
            }

            await JsonApiEndpoint.WriteFinishAnswerAsync(Request2, result, waiting);
            return HandleRequestResult.Handle();
        }

        if (waiting)
        {
            Request2.SeeOther(Request2.HandlerUrl(IcelandicEidDefaults.VerifySubPath));
        }

        return result;
    }

    /// <summary>The finish for the page and the JSON API alike; <c>Waiting</c> when the person has not answered yet.</summary>
    internal async Task<(HandleRequestResult Result, bool Waiting)> FinishAsync(bool api)
    {
        using var activity = IcelandicEidMetrics.ActivitySource.StartActivity("IcelandicEid.Finish");
        var r = Request2;
        var (login, problem) = await r.LoadLoginAsync(Flow);
        if (login is null)
        {
            return (problem == ReferenceProblem.StoreFailed ? Fail(EidFailureReason.Unavailable, null) : Gone(r), false);
        }

        switch (await Flow.FinishAsync(login))
        {
            case FinishOutcome.NotYet:
                return (HandleRequestResult.Handle(), true);
            case FinishOutcome.Unavailable:
                // Nothing was consumed and the login cookie stays: the same finish works once the store answers again.
                return (Fail(EidFailureReason.Unavailable, null), false);
            case FinishOutcome.Failed failed:
            {
                r.DeleteLoginCookie();
                var properties = LoginProperties.Read(failed.Login, Options.DefaultReturnUrl);
                activity?.SetTag("icelandic_eid.outcome", EidNames.Of(failed.Reason));
                if (failed.Reason == EidFailureReason.Cancelled && !api)
                {
                    // Declined on the phone: the access-denied path, as for a person who says no at an OAuth server.
                    var denied = await HandleAccessDeniedErrorAsync(properties);
                    if (!denied.None)
                    {
                        return (denied, false);
                    }
                }

                return (Fail(failed.Reason, properties), false);
            }

            case FinishOutcome.Approved approved:
            {
                // After a sign-in the cookie stays until it expires: it names a consumed login, which signs nobody in
                // again, and tells a Back or a second tab where the person was going.
                var ticket = await CreateTicketAsync(approved.Login, approved.Person, LoginProperties.Read(approved.Login, Options.DefaultReturnUrl));
                if (ticket.Succeeded)
                {
                    activity?.SetTag("icelandic_eid.outcome", "signed-in");
                    if (await Flow.RememberAsync(r.ReadBrowser(), approved.Login.Identifier) is { } known)
                    {
                        r.WriteBrowser(known);
                    }
                }

                return (ticket, false);
            }

            default:
                r.DeleteLoginCookie();
                return (Gone(r), false);
        }
    }

    /// <summary>The JSON API's finish, through the base class exactly as the page's: <c>OnTicketReceived</c> (which may
    /// handle the response or skip the handler), the sign-in with the <c>.AuthScheme</c> item, then the base class's
    /// redirect, answered as JSON (<c>signed-in</c> and where to go) instead. Waiting and failures are answered as JSON by
    /// <see cref="HandleRemoteAuthenticateAsync"/> and never reach <c>OnRemoteFailure</c>'s page.</summary>
    /// <returns>Whether the request was handled (false when <c>OnTicketReceived</c> skipped the handler).</returns>
    private async Task<bool> FinishFromApiAsync()
    {
        if (!await JsonApiEndpoint.RefuseForeignCallAsync(Request2))
        {
            return true;
        }

        _apiFinish = true;
        if (!await base.HandleRequestAsync())
        {
            return false;
        }

        if (_apiSignedIn && !Response.HasStarted && Response.StatusCode == StatusCodes.Status302Found
            && Response.Headers.Location.ToString() is { Length: > 0 } next)
        {
            Response.Headers.Location = default;
            await JsonApiEndpoint.WriteSignedInAsync(Request2, SafeReturnUrl(next));
        }

        return true;
    }

    /// <summary>The finish path, and the JSON API's finish while it runs through the base class.</summary>
    /// <returns>Whether this request is a finish.</returns>
    public override Task<bool> ShouldHandleRequestAsync() => _apiFinish ? Task.FromResult(true) : base.ShouldHandleRequestAsync();

    /// <summary>Turns the approved person into a ticket: claims, then <c>OnCreatingTicket</c>, which may add claims or refuse.</summary>
    private async Task<HandleRequestResult> CreateTicketAsync(EidLoginState consumed, EidPerson person, AuthenticationProperties properties)
    {
        var logId = EidLoginId.ForLogOf(consumed.Id);
        ClaimsIdentity identity;
        try
        {
            identity = EidClaimsFactory.CreateIdentity(
                person, consumed.Method, consumed.Identifier, consumed.Provider,
                consumed.CompletedAt ?? TimeProvider.GetUtcNow(), Scheme.Name, ClaimsIssuer);
        }
        catch (EidProviderException ex)
        {
            Log.BadIdentity(Logger, logId, ex.Message);
            return Fail(EidFailureReason.UpstreamError, properties);
        }

        var creating = new IcelandicEidCreatingTicketContext(
            Context, Scheme, Options, new ClaimsPrincipal(identity), properties, person, consumed.Method, consumed.Provider);
        await Events.CreatingTicket(creating);
        if (creating is { Result.Succeeded: false } || creating.Principal?.Identity is not { IsAuthenticated: true })
        {
            var reason = creating is { Result: { } refused } ? refused.Failure : null;
            Log.TicketRefused(Logger, logId, reason);
            _metrics.Failed(consumed.Provider, consumed.Method, EidFailureReason.Other);
            return HandleRequestResult.Fail(new IcelandicEidLoginFailedException(EidFailureReason.Other, reason), properties);
        }

        // Nothing after the approval may throw: the return URL is resolved, percent-encoded and local, or replaced.
        var ticketProperties = creating.Properties ?? properties;
        ticketProperties.RedirectUri = SafeReturnUrl(ticketProperties.RedirectUri);
        Log.LoginSignedIn(Logger, logId);
        Preferences.ForgetEntered(Context);
        _metrics.Succeeded(consumed.Provider, consumed.Method);
        return HandleRequestResult.Success(new AuthenticationTicket(creating.Principal, ticketProperties, Scheme.Name));
    }

    private string SafeReturnUrl(string? given)
    {
        var returnUrl = ReturnUrls.Normalize(given);
        if (returnUrl is null)
        {
            if (!string.IsNullOrEmpty(given))
            {
                Log.ReturnUrlRefused(Logger);
            }

            returnUrl = Options.DefaultReturnUrl;
        }

        return !OriginalPathBase.HasValue || returnUrl.StartsWith(OriginalPathBase.Value!, StringComparison.Ordinal)
            ? returnUrl
            : OriginalPathBase + returnUrl;
    }

    private static HandleRequestResult Fail(EidFailureReason reason, AuthenticationProperties? properties)
        => HandleRequestResult.Fail(new IcelandicEidLoginFailedException(reason), properties);

    /// <summary>No login to finish; the failure page's retry keeps where the cookie said the person was going.</summary>
    private static HandleRequestResult Gone(EidRequest r)
    {
        var returnUrl = r.ReturnUrlFromReference();
        return HandleRequestResult.Fail(
            new IcelandicEidLoginFailedException(EidFailureReason.TimedOut) { LoginGone = true },
            returnUrl is null ? null : new AuthenticationProperties { RedirectUri = returnUrl });
    }
}
