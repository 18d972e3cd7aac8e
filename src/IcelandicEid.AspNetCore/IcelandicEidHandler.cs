using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using IcelandicEid.AspNetCore.State;
using IcelandicEid.AspNetCore.Ui;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IcelandicEid.AspNetCore;

/// <summary>
/// Logs people in with Icelandic electronic ID. Serves its own login form, verification-code page, JSON status
/// endpoint, cancel endpoint and finish step under <see cref="IcelandicEidOptions.BasePath"/>, so the host app needs
/// no MVC, Razor Pages or controllers.
/// </summary>
public class IcelandicEidHandler : RemoteAuthenticationHandler<IcelandicEidOptions>
{
    private const string AuthSchemeKey = ".AuthScheme";
    private static readonly JavaScriptEncoder s_json = JavaScriptEncoder.Create(UnicodeRanges.All);

    private readonly IEidLoginStore _store;
    private readonly IIcelandicEidPageRenderer _renderer;
    private readonly IAntiforgery _antiforgery;
    private readonly IEidAbuseLimiter _limiter;
    private readonly IcelandicEidMetrics _metrics;
    private readonly LoginReferenceCache _references;
    private IDataProtector? _referenceProtector;
    private IDataProtector? _browserProtector;
    private StartRules? _rules;

    /// <summary>Creates the handler.</summary>
    public IcelandicEidHandler(
        IOptionsMonitor<IcelandicEidOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        IEidLoginStore store,
        IIcelandicEidPageRenderer renderer,
        IAntiforgery antiforgery,
        IEidAbuseLimiter limiter,
        IcelandicEidMetrics metrics,
        LoginReferenceCache references)
        : base(options, logger, encoder)
    {
        _metrics = metrics;
        _references = references;
        _store = store;
        _renderer = renderer;
        _antiforgery = antiforgery;
        _limiter = limiter;
    }

    /// <summary>The events.</summary>
    protected new IcelandicEidEvents Events
    {
        get => (IcelandicEidEvents)base.Events;
        set => base.Events = value;
    }

    private IIcelandicEidProvider Provider => Options.ProviderInstance!;

    private StartRules Rules => _rules ??= new StartRules(_limiter, Options, TimeProvider);

    private string LoginCookieName => CookieNames.For(Request, Options.LoginCookie.Name!);

    private string BrowserCookieName => CookieNames.For(Request, IcelandicEidDefaults.BrowserCookieName);

    private IcelandicEidTexts Texts => IcelandicEidTexts.For(CultureInfo.CurrentUICulture);

    /// <inheritdoc />
    protected override Task<object> CreateEventsAsync() => Task.FromResult<object>(new IcelandicEidEvents());

    /// <inheritdoc />
    public override async Task<bool> HandleRequestAsync()
    {
        if (Request.Path == Options.CallbackPath)
        {
            return HttpMethods.IsGet(Request.Method) || HttpMethods.IsPost(Request.Method)
                ? await HandleFinishAsync()
                : MethodNotAllowed("GET, POST");
        }

        if (!Request.Path.StartsWithSegments(Options.BasePath, out var rest))
        {
            return false;
        }

        var get = HttpMethods.IsGet(Request.Method) || HttpMethods.IsHead(Request.Method);
        var post = HttpMethods.IsPost(Request.Method);
        switch (rest.Value)
        {
            case IcelandicEidDefaults.LoginSubPath:
                return get ? await HandleLoginPageAsync() : MethodNotAllowed("GET, HEAD");
            case IcelandicEidDefaults.StartSubPath:
                return post ? await HandleStartAsync() : MethodNotAllowed("POST");
            case IcelandicEidDefaults.VerifySubPath:
                return get ? await HandleVerifyPageAsync() : MethodNotAllowed("GET, HEAD");
            case IcelandicEidDefaults.StatusSubPath:
                return get ? await HandleStatusAsync() : MethodNotAllowed("GET, HEAD");
            case IcelandicEidDefaults.CancelSubPath:
                return post ? await HandleCancelAsync() : MethodNotAllowed("POST");
            case IcelandicEidDefaults.AssetsSubPath + "/eid.js":
                return get ? await ServeAssetAsync("eid.js", "text/javascript; charset=utf-8") : MethodNotAllowed("GET, HEAD");
            case IcelandicEidDefaults.AssetsSubPath + "/eid.css":
                return get ? await ServeAssetAsync("eid.css", "text/css; charset=utf-8") : MethodNotAllowed("GET, HEAD");
            default:
                return false;
        }
    }

    /// <summary>Not used: the finish step is handled by <see cref="HandleRequestAsync"/> so that a failed login shows
    /// a page (after <c>OnRemoteFailure</c>) instead of throwing.</summary>
    protected override Task<HandleRequestResult> HandleRemoteAuthenticateAsync()
        => Task.FromResult(HandleRequestResult.NoResult());

    /// <summary>Sends the browser to the login form, carrying the protected properties (return URL included).</summary>
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
            loginUrl = LoginUrl(Options.StateDataFormat.Protect(properties));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The data-protection key ring could not be read (its store is down): "try again", never a 500.
            Log.StoreError(Logger, ex);
            return RenderStatusPageAsync(StatusCodes.Status503ServiceUnavailable, Texts.FailureUnavailable, EidFailureReason.Unavailable);
        }

        if (IsAjaxRequest())
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

    private async Task<bool> HandleLoginPageAsync()
    {
        var state = Request.Query["state"].ToString();
        try
        {
            if (state.Length == 0 || Options.StateDataFormat.Unprotect(state) is null)
            {
                if (state.Length > 0)
                {
                    Log.BadChallengeState(Logger);
                }

                var given = Request.Query[Options.ReturnUrlParameter].ToString();
                var returnUrl = ReturnUrls.Normalize(given);
                if (given.Length > 0 && returnUrl is null)
                {
                    Log.ReturnUrlRefused(Logger);
                }

                state = Options.StateDataFormat.Protect(new AuthenticationProperties { RedirectUri = returnUrl ?? Options.DefaultReturnUrl });
            }

            // Tabs of one browser share this id, so that two near-simultaneous starts join one login.
            var browser = BrowserCookie.Read(Context, BrowserProtector(), BrowserCookieName);
            if (browser.IsNew)
            {
                WriteBrowserCookie(browser);
            }

            string? notice = null;
            if (Request.Query["notice"] == "cancelled")
            {
                notice = Provider is IEidProviderCancellation ? Texts.FailureCancelled : Texts.CancelledIgnorePhone;
            }

            await RenderLoginAsync(StatusCodes.Status200OK, state, null, null, null, notice);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not IOException)
        {
            // The data-protection key ring could not be read (its store is down): "try again", never a 500.
            Log.StoreError(Logger, ex);
            if (!Response.HasStarted)
            {
                Response.Clear();
                return await RenderStatusPageAsync(StatusCodes.Status503ServiceUnavailable, Texts.FailureUnavailable, EidFailureReason.Unavailable);
            }
        }

        return true;
    }

    private async Task<bool> HandleStartAsync()
    {
        IFormCollection form;
        try
        {
            if (!Request.HasFormContentType)
            {
                await RenderLoginAsync(StatusCodes.Status400BadRequest, null, null, null, Texts.FormExpired);
                return true;
            }

            form = await Request.ReadFormAsync(Context.RequestAborted);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or BadHttpRequestException)
        {
            Log.BadForm(Logger, ex);
            await RenderLoginAsync(StatusCodes.Status400BadRequest, null, null, null, Texts.FormExpired);
            return true;
        }

        var stateField = form["state"].ToString();
        AuthenticationProperties? properties;
        bool antiforgeryValid;
        try
        {
            properties = stateField.Length > 0 ? Options.StateDataFormat.Unprotect(stateField) : null;
            if (properties is null)
            {
                if (stateField.Length > 0)
                {
                    Log.BadChallengeState(Logger);
                }

                properties = new AuthenticationProperties { RedirectUri = Options.DefaultReturnUrl };
                stateField = Options.StateDataFormat.Protect(properties);
            }

            antiforgeryValid = await IsAntiforgeryValidAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The data-protection key ring could not be read (its store is down): "try again", never a 500.
            Log.StoreError(Logger, ex);
            return await RenderStatusPageAsync(StatusCodes.Status503ServiceUnavailable, Texts.FailureUnavailable, EidFailureReason.Unavailable);
        }

        if (!antiforgeryValid)
        {
            await RenderLoginAsync(StatusCodes.Status400BadRequest, stateField, null, null, Texts.FormExpired);
            return true;
        }

        var methodField = form["method"].ToString();
        EidMethod method;
        if (methodField == "sim" && Options.EnableSim)
        {
            method = EidMethod.Sim;
        }
        else if (methodField == "app" && Options.EnableApp)
        {
            method = EidMethod.App;
        }
        else
        {
            Log.InvalidInput(Logger, "method", "not offered");
            await RenderLoginAsync(StatusCodes.Status400BadRequest, stateField, null, null, Texts.MethodNotAvailable);
            return true;
        }

        var entered = form["identifier"].ToString();
        if (!TryValidateIdentifier(method, entered, out var identifier, out var masked, out var error))
        {
            await RenderLoginAsync(StatusCodes.Status400BadRequest, stateField, method, entered.Length > 64 ? null : entered, error);
            return true;
        }

        var loginId = Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var ct = Context.RequestAborted;

        // This browser already has this login pending (a reload, a re-click): back to it, nothing sent anywhere.
        var (own, ownProblem) = await LoadAsync(quiet: true);
        if (own is { IsCompleted: false } && own.Identifier == identifier && own.Method == method)
        {
            Response.StatusCode = StatusCodes.Status303SeeOther;
            Response.Headers.Location = HandlerUrl(IcelandicEidDefaults.VerifySubPath);
            return true;
        }

        if (ownProblem == LoadProblem.StoreFailed || _store is InMemoryEidLoginStore { IsFull: true })
        {
            // The store is down or stalled (one timeout is enough to know), or full under a flood: refuse before
            // anything is counted or sent to anyone's phone.
            return await RenderStatusPageAsync(StatusCodes.Status503ServiceUnavailable, Texts.FailureUnavailable, EidFailureReason.Unavailable, stateField);
        }

        BrowserCookie browser;
        StartTicket ticket;
        try
        {
            browser = BrowserCookie.Read(Context, BrowserProtector(), BrowserCookieName);
            ticket = await Rules.BeginAsync(browser, identifier, Context.Connection.RemoteIpAddress, loginId, LoadPendingAsync, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return true;
        }
        catch (Exception ex)
        {
            Log.StoreError(Logger, ex);
            return await RenderStatusPageAsync(StatusCodes.Status503ServiceUnavailable, Texts.FailureUnavailable, EidFailureReason.Unavailable, stateField);
        }

        if (browser.IsNew)
        {
            WriteBrowserCookie(browser);
        }

        switch (ticket.Verdict)
        {
            case StartVerdict.Join:
                // A second tab or a re-click: the same login, the same code.
                var joined = ticket.JoinLogin!;
                Response.Cookies.Append(LoginCookieName, ProtectReference(joined, ReadProperties(joined).RedirectUri), LoginCookieOptions(joined.ExpiresAt));
                Response.StatusCode = StatusCodes.Status303SeeOther;
                Response.Headers.Location = HandlerUrl(IcelandicEidDefaults.VerifySubPath);
                return true;
            case StartVerdict.Busy:
                return await RenderStatusPageAsync(StatusCodes.Status503ServiceUnavailable, Texts.FailureUnavailable, EidFailureReason.Unavailable, stateField);
            case StartVerdict.Limited:
                Log.StartLimited(Logger, ticket.Limit!, method, masked);
                _metrics.Limited(ticket.Limit!);
                return await RenderWaitPageAsync(StatusCodes.Status429TooManyRequests, Texts.FailureTooManyRequests, ticket.RetryAfter, stateField);
        }

        EidStartResult result;
        using var activity = IcelandicEidMetrics.ActivitySource.StartActivity("IcelandicEid.Start");
        activity?.SetTag("icelandic_eid.provider", Provider.Name);
        activity?.SetTag("icelandic_eid.method", method.ToString().ToLowerInvariant());
        try
        {
            // Before the upstream is asked: from now on no other browser's login for this identifier can sign in.
            if (await Rules.ContestAsync(ticket, loginId, ct))
            {
                Log.LoginContested(Logger, method, masked);
                _metrics.Limited("contested");
            }
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            Log.StoreError(Logger, ex);
            _ = Task.Run(() => AbandonAsync(ticket, reachedUpstream: false), CancellationToken.None); // the store is in trouble: do not wait
            return await RenderStatusPageAsync(StatusCodes.Status503ServiceUnavailable, Texts.FailureUnavailable, EidFailureReason.Unavailable, stateField);
        }

        var started = TimeProvider.GetTimestamp();
        try
        {
            result = await Provider.StartAsync(new EidStartRequest(method, identifier) { Language = Texts.Language }, ct);
            _metrics.UpstreamCall(Provider.Name, "start", result.Succeeded ? "started" : "refused", TimeProvider.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await AbandonAsync(ticket, reachedUpstream: true);
            return true;
        }
        catch (Exception ex)
        {
            var reason = ex is EidProviderException pe ? pe.Reason : EidFailureReason.Unavailable;
            _metrics.UpstreamCall(Provider.Name, "start", "error", TimeProvider.GetElapsedTime(started));
            _metrics.Failed(Provider.Name, method, reason);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, reason.ToString());
            Log.StartError(Logger, Provider.Name, reason, ex);
            await AbandonAsync(ticket, reachedUpstream: false);
            return await HandleFailureAsync(null, reason, properties, stateField);
        }

        if (!result.Succeeded)
        {
            var failure = result.Failure ?? new EidFailure(EidFailureReason.UpstreamError, "no reference");
            Log.StartRefused(Logger, Provider.Name, method, masked, failure.Reason, PersonalData.Redact(failure.Detail));
            _metrics.Failed(Provider.Name, method, failure.Reason);
            activity?.SetTag("icelandic_eid.outcome", failure.Reason.ToString());
            await AbandonAsync(ticket, reachedUpstream: true);
            if (failure.Reason == EidFailureReason.AlreadyInProgress)
            {
                // The upstream will not send a second request while one is open: say so, say never to approve a request
                // whose code is not on this screen, and when the open one ends at the latest.
                return await RenderWaitPageAsync(StatusCodes.Status409Conflict, Texts.FailureLoginPending, ticket.OpenRequestLeft ?? Options.LoginTimeout, stateField);
            }

            return await HandleFailureAsync(null, failure.Reason, properties, stateField);
        }

        var now = TimeProvider.GetUtcNow();
        var interval = result.PollInterval ?? Options.DefaultPollInterval;
        if (interval < Options.MinimumPollInterval)
        {
            interval = Options.MinimumPollInterval;
        }

        var login = new EidLoginState
        {
            Id = loginId,
            Provider = Provider.Name,
            Method = method,
            Identifier = identifier,
            Reference = result.Reference!,
            VerificationCode = result.VerificationCode,
            PollInterval = interval,
            CreatedAt = now,
            ExpiresAt = now + Options.LoginTimeout,
            NextPollAt = now + interval,
            Properties = Convert.ToBase64String(PropertiesSerializer.Default.Serialize(properties)),
        };

        string reference;
        try
        {
            await _store.CreateAsync(login, CancellationToken.None);
            reference = ProtectReference(login, properties.RedirectUri);
            await Rules.PublishAsync(ticket, login.Id, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreError(Logger, ex);
            _ = Task.Run(() => AbandonAsync(ticket, reachedUpstream: true), CancellationToken.None); // the store is in trouble: do not wait
            return await HandleFailureAsync(null, EidFailureReason.Unavailable, properties, stateField);
        }

        Log.LoginStarted(Logger, LogId(login.Id), Provider.Name, method, masked);
        _metrics.Started(Provider.Name, method);
        activity?.SetTag("icelandic_eid.outcome", "started");
        Response.Cookies.Append(LoginCookieName, reference, LoginCookieOptions(login.ExpiresAt));
        await Events.LoginStarted(new IcelandicEidLoginStartedContext(Context, Scheme, Options, properties, method, Provider.Name));
        Response.StatusCode = StatusCodes.Status303SeeOther;
        Response.Headers.Location = HandlerUrl(IcelandicEidDefaults.VerifySubPath);
        return true;
    }

    private async Task AbandonAsync(StartTicket ticket, bool reachedUpstream)
    {
        try
        {
            await Rules.AbandonAsync(ticket, reachedUpstream, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The browser lock expires by itself; a budget not given back is spent.
            Log.StoreError(Logger, ex);
        }
    }

    /// <summary>A login this browser can still join (pending), or null: a start after one that ended starts anew.</summary>
    private async Task<EidLoginState?> LoadPendingAsync(string loginId, CancellationToken cancellationToken)
        => await _store.GetAsync(loginId, cancellationToken) is { IsCompleted: false } login ? login : null;

    private async Task<bool> HandleVerifyPageAsync()
    {
        var (login, problem) = await LoadAsync();
        if (login is null)
        {
            return await RenderLoadProblemAsync(problem);
        }

        login = await PollIfDueAsync(login);
        if (login.IsCompleted)
        {
            Response.StatusCode = StatusCodes.Status303SeeOther;
            Response.Headers.Location = (OriginalPathBase + Options.CallbackPath).ToString();
            return true;
        }

        SetPageHeaders(antiforgery: true);
        await _renderer.RenderAsync(Context, Scheme, PageWithAntiforgery(IcelandicEidPageKind.Verify) with
        {
            Method = login.Method,
            VerificationCode = login.VerificationCode,
            SecondsLeft = SecondsLeft(login),
            StatusUrl = HandlerUrl(IcelandicEidDefaults.StatusSubPath),
            FinishUrl = OriginalPathBase + Options.CallbackPath,
            CancelUrl = HandlerUrl(IcelandicEidDefaults.CancelSubPath),
            RefreshMilliseconds = (int)Options.StatusRefreshInterval.TotalMilliseconds,
        });
        return true;
    }

    private async Task<bool> HandleStatusAsync()
    {
        // The hot path: one store call that reads the summary and takes the poll lease when a poll is due; the whole
        // (encrypted) state is read only when this request polls.
        EidLoginSummary? login = null;
        var problem = TryReadReference(out var id);
        if (problem == LoadProblem.None)
        {
            try
            {
                var now = TimeProvider.GetUtcNow();
                var peek = await _store.PeekAsync(id!, now, Options.BackchannelTimeout, CancellationToken.None);
                if (peek is null || peek.Summary.ExpiresAt <= now)
                {
                    Log.StateGone(Logger, LogId(id!));
                    problem = LoadProblem.Gone;
                }
                else
                {
                    login = peek.Summary;
                    if (peek.PollLease && (peek.State ?? await _store.GetAsync(id!, CancellationToken.None)) is { } state)
                    {
                        login = EidLoginSummary.From(await PollWithLeaseAsync(state, now));
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.StoreError(Logger, ex);
                problem = LoadProblem.StoreFailed;
            }
        }

        string status;
        string message;
        var code = StatusCodes.Status200OK;
        if (login is null)
        {
            (status, message, code) = problem switch
            {
                LoadProblem.Gone => ("expired", Texts.FailureExpired, StatusCodes.Status200OK),
                LoadProblem.StoreFailed => ("unavailable", Texts.FailureUnavailable, StatusCodes.Status503ServiceUnavailable),
                _ => ("invalid", Texts.FailureExpired, StatusCodes.Status400BadRequest),
            };
        }
        else
        {
            (status, message) = login.Status switch
            {
                EidLoginStatus.Succeeded => ("succeeded", Texts.StatusSucceeded),
                EidLoginStatus.Failed => ("failed", Texts.ForFailure(login.FailureReason ?? EidFailureReason.Other)),
                _ => ("pending", Texts.StatusWaiting),
            };
        }

        Response.StatusCode = code;
        Response.ContentType = "application/json; charset=utf-8";
        Response.Headers.CacheControl = "no-store";
        Response.Headers.XContentTypeOptions = "nosniff";

        // Written straight into the response pipe: no intermediate buffer on the hot path.
        await using (var json = new Utf8JsonWriter(Response.BodyWriter, new JsonWriterOptions { Encoder = s_json }))
        {
            json.WriteStartObject();
            json.WriteString("status", status);
            json.WriteString("message", message);
            if (login is not null)
            {
                json.WriteString("method", login.Method == EidMethod.Sim ? "sim" : "app");
                json.WriteString("verificationCode", login.VerificationCode ?? string.Empty);
                json.WriteNumber("secondsLeft", SecondsLeft(login));
                if (login.Status == EidLoginStatus.Pending)
                {
                    var wait = Math.Min((login.NextPollAt - TimeProvider.GetUtcNow()).TotalMilliseconds, login.PollInterval.TotalMilliseconds);
                    var retry = Math.Max(wait, Options.StatusRefreshInterval.TotalMilliseconds);
                    json.WriteNumber("retryAfterMs", (int)Math.Ceiling(retry));
                }
                else if (login.Status == EidLoginStatus.Failed)
                {
                    json.WriteString("reason", ReasonCode(login.FailureReason ?? EidFailureReason.Other));
                }
            }

            if (status != "pending")
            {
                json.WriteString("next", OriginalPathBase + Options.CallbackPath);
            }

            json.WriteEndObject();
        }

        await Response.BodyWriter.FlushAsync(Context.RequestAborted);
        return true;
    }

    private async Task<bool> HandleCancelAsync()
    {
        if (!await IsAntiforgeryValidAsync())
        {
            return await RenderExpiredAsync(null, Texts.FormExpired);
        }

        var (login, _) = await LoadAsync();
        DeleteLoginCookie();
        string? state = null;
        if (login is not null)
        {
            try
            {
                await _store.RemoveAsync(login.Id, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.StoreError(Logger, ex);
            }

            await CancelUpstreamAsync(login);
            Log.LoginCancelled(Logger, LogId(login.Id));
            state = ProtectStateOrNull(ReadProperties(login));
        }
        else if (ReturnUrlFromReference() is { } returnUrl)
        {
            state = ProtectStateOrNull(new AuthenticationProperties { RedirectUri = returnUrl });
        }

        Response.StatusCode = StatusCodes.Status303SeeOther;
        Response.Headers.Location = LoginUrl(state) + (state is null ? "?" : "&") + "notice=cancelled";
        return true;
    }

    private async Task<bool> HandleFinishAsync()
    {
        using var activity = IcelandicEidMetrics.ActivitySource.StartActivity("IcelandicEid.Finish");
        var (login, problem) = await LoadAsync();
        if (login is null)
        {
            return await RenderLoadProblemAsync(problem);
        }

        if (!login.IsCompleted)
        {
            login = await PollIfDueAsync(login);
            if (!login.IsCompleted)
            {
                Response.StatusCode = StatusCodes.Status303SeeOther;
                Response.Headers.Location = HandlerUrl(IcelandicEidDefaults.VerifySubPath);
                return true;
            }
        }

        var contested = false;
        EidLoginState? consumed;
        try
        {
            // The contest rule, checked where it counts: a login another browser superseded never signs anyone in.
            contested = login.Status == EidLoginStatus.Succeeded
                && !await Rules.IsCurrentAsync(login.Identifier, login.Id, CancellationToken.None);
            consumed = await _store.TryConsumeAsync(login.Id, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Nothing was consumed and the login cookie stays: the same finish works once the store answers again.
            Log.StoreError(Logger, ex);
            return await RenderStatusPageAsync(StatusCodes.Status503ServiceUnavailable, Texts.FailureUnavailable, EidFailureReason.Unavailable);
        }

        DeleteLoginCookie();
        if (consumed is null)
        {
            Log.StateGone(Logger, LogId(login.Id));
            return await RenderExpiredAsync(null);
        }

        var properties = ReadProperties(consumed);
        if (contested && consumed.Status == EidLoginStatus.Succeeded)
        {
            Log.LoginSuperseded(Logger, LogId(consumed.Id));
            _metrics.Failed(consumed.Provider, consumed.Method, EidFailureReason.Contested);
            consumed = consumed with { Status = EidLoginStatus.Failed, FailureReason = EidFailureReason.Contested, Person = null };
        }

        if (consumed.Status != EidLoginStatus.Succeeded || consumed.Person is null)
        {
            return await HandleFailureAsync(consumed, consumed.FailureReason ?? EidFailureReason.Other, properties, null);
        }

        ClaimsIdentity identity;
        try
        {
            identity = EidClaimsFactory.CreateIdentity(
                consumed.Person,
                consumed.Method,
                consumed.Identifier,
                consumed.Provider,
                consumed.CompletedAt ?? TimeProvider.GetUtcNow(),
                Scheme.Name,
                ClaimsIssuer);
        }
        catch (EidProviderException ex)
        {
            Log.BadIdentity(Logger, LogId(consumed.Id), ex.Message);
            return await HandleFailureAsync(consumed, EidFailureReason.UpstreamError, properties, null);
        }

        var creating = new IcelandicEidCreatingTicketContext(
            Context, Scheme, Options, new ClaimsPrincipal(identity), properties, consumed.Person, consumed.Method, consumed.Provider);
        await Events.CreatingTicket(creating);
        if (creating is { Result.Succeeded: false } || creating.Principal?.Identity is not { IsAuthenticated: true })
        {
            var reason = creating is { Result: { } refused } ? refused.Failure : null;
            Log.TicketRefused(Logger, LogId(consumed.Id), reason);
            _metrics.Failed(consumed.Provider, consumed.Method, EidFailureReason.Other);
            return await HandleFailureAsync(consumed, EidFailureReason.Other, properties, null, reason);
        }

        var principal = creating.Principal ?? new ClaimsPrincipal(identity);
        var ticket = new AuthenticationTicket(principal, creating.Properties ?? properties, Scheme.Name);
        var received = new TicketReceivedContext(Context, Scheme, Options, ticket)
        {
            ReturnUri = ticket.Properties.RedirectUri,
        };
        await Events.TicketReceived(received);
        if (EventDecided(received) is { } decided)
        {
            return decided;
        }

        var signInProperties = received.Properties ?? ticket.Properties;
        signInProperties.RedirectUri = null;
        signInProperties.Items[AuthSchemeKey] = Scheme.Name;
        await Context.SignInAsync(SignInScheme, received.Principal ?? principal, signInProperties);
        Log.LoginSignedIn(Logger, LogId(consumed.Id));
        _metrics.Succeeded(consumed.Provider, consumed.Method);
        activity?.SetTag("icelandic_eid.outcome", "signed-in");
        await RememberBrowserAsync(consumed.Identifier);

        // Nothing after the approval may throw: the return URL is resolved and percent-encoded, or replaced.
        var returnUrl = ReturnUrls.Normalize(received.ReturnUri);
        if (returnUrl is null)
        {
            if (!string.IsNullOrEmpty(received.ReturnUri))
            {
                Log.ReturnUrlRefused(Logger);
            }

            returnUrl = Options.DefaultReturnUrl;
        }

        Response.Redirect(returnUrl.StartsWith(OriginalPathBase.Value ?? string.Empty, StringComparison.Ordinal) || !OriginalPathBase.HasValue
            ? returnUrl
            : OriginalPathBase + returnUrl);
        return true;
    }

    private async Task<bool> HandleFailureAsync(
        EidLoginState? login,
        EidFailureReason reason,
        AuthenticationProperties properties,
        string? protectedState,
        Exception? inner = null)
    {
        var failure = new IcelandicEidLoginFailedException(reason, inner);
        var context = new RemoteFailureContext(Context, Scheme, Options, failure) { Properties = properties };
        await Events.RemoteFailure(context);
        if (EventDecided(context) is { } decided)
        {
            return decided;
        }

        if (login is not null)
        {
            DeleteLoginCookie();
        }

        SetPageHeaders();
        await _renderer.RenderAsync(Context, Scheme, FailurePage(
            reason switch
            {
                EidFailureReason.Unavailable => StatusCodes.Status503ServiceUnavailable,
                EidFailureReason.UpstreamError => StatusCodes.Status502BadGateway,
                _ => StatusCodes.Status200OK,
            },
            Texts.ForFailure(reason),
            reason,
            protectedState ?? Options.StateDataFormat.Protect(properties)));
        return true;
    }

    private Task<bool> RenderLoadProblemAsync(LoadProblem problem)
    {
        if (problem == LoadProblem.StoreFailed)
        {
            return RenderStatusPageAsync(StatusCodes.Status503ServiceUnavailable, Texts.FailureUnavailable, EidFailureReason.Unavailable);
        }

        return RenderExpiredAsync(null);
    }

    private async Task<bool> RenderStatusPageAsync(int statusCode, string message, EidFailureReason? reason, string? protectedState = null)
    {
        SetPageHeaders();
        if (statusCode == StatusCodes.Status503ServiceUnavailable)
        {
            Response.Headers.RetryAfter = "5";
        }

        await _renderer.RenderAsync(Context, Scheme, FailurePage(statusCode, message, reason, protectedState));
        return true;
    }

    /// <summary>A refusal that lasts a known time: the wait in the text and in <c>Retry-After</c>.</summary>
    private async Task<bool> RenderWaitPageAsync(int statusCode, string message, TimeSpan wait, string? protectedState)
    {
        Response.Headers.RetryAfter = ((int)Math.Ceiling(Math.Max(1, wait.TotalSeconds))).ToString(CultureInfo.InvariantCulture);
        SetPageHeaders();
        await _renderer.RenderAsync(Context, Scheme, FailurePage(statusCode, string.Format(CultureInfo.InvariantCulture, message, Texts.FormatWait(wait)), null, protectedState));
        return true;
    }

    private async Task<bool> RenderExpiredAsync(string? protectedState, string? message = null)
    {
        if (protectedState is null && ReturnUrlFromReference() is { } returnUrl)
        {
            // The login is gone, but its cookie still says where the person was going: the retry keeps it.
            protectedState = ProtectStateOrNull(new AuthenticationProperties { RedirectUri = returnUrl });
        }

        SetPageHeaders();
        await _renderer.RenderAsync(Context, Scheme, FailurePage(StatusCodes.Status400BadRequest, message ?? Texts.FailureExpired, null, protectedState));
        return true;
    }

    /// <summary>What every page has: the words, the script and the stylesheets.</summary>
    private IcelandicEidPageModel Page(IcelandicEidPageKind kind) => new()
    {
        Kind = kind,
        Texts = Texts,
        DisplayName = Scheme.DisplayName,
        ScriptUrl = HandlerUrl(IcelandicEidDefaults.AssetsSubPath + "/eid.js"),
        StylesheetUrl = HandlerUrl(IcelandicEidDefaults.AssetsSubPath + "/eid.css"),
        ExtraStylesheetUrl = ExtraStylesheet(),
    };

    private IcelandicEidPageModel PageWithAntiforgery(IcelandicEidPageKind kind)
    {
        var tokens = _antiforgery.GetAndStoreTokens(Context);
        return Page(kind) with { AntiforgeryFieldName = tokens.FormFieldName, AntiforgeryToken = tokens.RequestToken };
    }

    private IcelandicEidPageModel FailurePage(int statusCode, string message, EidFailureReason? reason, string? protectedState) => Page(IcelandicEidPageKind.Failure) with
    {
        StatusCode = statusCode,
        FailureReason = reason,
        Message = message,
        RetryUrl = LoginUrl(protectedState),
    };

    private async Task RenderLoginAsync(int statusCode, string? protectedState, EidMethod? errorMethod, string? entered, string? error, string? notice = null)
    {
        SetPageHeaders(antiforgery: true);
        await _renderer.RenderAsync(Context, Scheme, PageWithAntiforgery(IcelandicEidPageKind.Login) with
        {
            StatusCode = statusCode,
            StartUrl = HandlerUrl(IcelandicEidDefaults.StartSubPath),
            State = protectedState ?? Options.StateDataFormat.Protect(new AuthenticationProperties { RedirectUri = Options.DefaultReturnUrl }),
            SimEnabled = Options.EnableSim,
            AppEnabled = Options.EnableApp,
            ErrorMethod = errorMethod,
            EnteredValue = entered,
            ErrorMessage = error,
            Notice = notice,
        });
    }

    /// <summary>Polls the upstream if the interval allows and this caller wins the store's poll lease.</summary>
    private async Task<EidLoginState> PollIfDueAsync(EidLoginState login)
    {
        var now = TimeProvider.GetUtcNow();
        if (login.IsCompleted || now < login.NextPollAt)
        {
            return login;
        }

        try
        {
            // The lease covers the whole poll, retries included, so no other instance polls meanwhile.
            if (!await _store.TryBeginPollAsync(login.Id, now, now + login.PollInterval + Options.BackchannelTimeout, CancellationToken.None))
            {
                return login;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreError(Logger, ex);
            return login;
        }

        return await PollWithLeaseAsync(login, now);
    }

    /// <summary>Polls the upstream once; the caller holds the poll lease.</summary>
    private async Task<EidLoginState> PollWithLeaseAsync(EidLoginState login, DateTimeOffset now)
    {
        EidLoginState updated;
        using var activity = IcelandicEidMetrics.ActivitySource.StartActivity("IcelandicEid.Poll");
        activity?.SetTag("icelandic_eid.provider", login.Provider);
        activity?.SetTag("icelandic_eid.method", login.Method.ToString().ToLowerInvariant());
        var started = TimeProvider.GetTimestamp();
        using (var timeout = new CancellationTokenSource(Options.BackchannelTimeout, TimeProvider))
        {
            try
            {
                var result = await Provider.PollAsync(new EidPollRequest(login.Method, login.Reference) { PollInterval = login.PollInterval }, timeout.Token);
                _metrics.UpstreamCall(login.Provider, "poll", result.Status.ToString().ToLowerInvariant(), TimeProvider.GetElapsedTime(started));
                activity?.SetTag("icelandic_eid.outcome", result.Status.ToString().ToLowerInvariant());
                updated = result.Status switch
                {
                    EidPollStatus.Succeeded when result.Person is not null => login with
                    {
                        Status = EidLoginStatus.Succeeded,
                        Person = result.Person,
                        CompletedAt = TimeProvider.GetUtcNow(),
                        ConsecutivePollErrors = 0,
                    },
                    EidPollStatus.Failed or EidPollStatus.Succeeded => login with
                    {
                        Status = EidLoginStatus.Failed,
                        FailureReason = result.Failure?.Reason ?? EidFailureReason.UpstreamError,
                        ConsecutivePollErrors = 0,
                    },
                    _ => login with { ConsecutivePollErrors = 0 },
                };

                updated = await ApplyIdentityRulesAsync(login, updated);

                if (updated.Status == EidLoginStatus.Succeeded)
                {
                    Log.LoginApproved(Logger, LogId(login.Id), login.Provider);
                }
                else if (updated.Status == EidLoginStatus.Failed)
                {
                    Log.LoginFailed(Logger, LogId(login.Id), login.Provider, updated.FailureReason!.Value, PersonalData.Redact(result.Failure?.Detail) ?? "no person");
                    _metrics.Failed(login.Provider, login.Method, updated.FailureReason!.Value);
                }
            }
            catch (Exception ex)
            {
                var errors = login.ConsecutivePollErrors + 1;
                _metrics.UpstreamCall(login.Provider, "poll", "error", TimeProvider.GetElapsedTime(started));
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, ex.GetType().Name);
                Log.PollError(Logger, LogId(login.Id), login.Provider, errors, ex);
                if (errors >= Options.MaxConsecutivePollErrors)
                {
                    _metrics.Failed(login.Provider, login.Method, EidFailureReason.Unavailable);
                }

                updated = errors >= Options.MaxConsecutivePollErrors
                    ? login with { Status = EidLoginStatus.Failed, FailureReason = EidFailureReason.Unavailable, ConsecutivePollErrors = errors }
                    : login with { ConsecutivePollErrors = errors };
            }
        }

        // The next poll may come one interval after this one ended (its last attempt, if it retried).
        updated = updated with { NextPollAt = TimeProvider.GetUtcNow() + login.PollInterval };

        try
        {
            if (updated with { NextPollAt = login.NextPollAt } == login)
            {
                // Still pending and nothing else changed (the common case): only the next poll time moves.
                await _store.SetNextPollAsync(login.Id, updated.NextPollAt, CancellationToken.None);
            }
            else
            {
                await _store.UpdateAsync(updated, CancellationToken.None);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreError(Logger, ex);
        }

        return updated;
    }

    private enum LoadProblem
    {
        None,
        Missing,
        Forged,
        Gone,
        StoreFailed,
    }

    /// <summary>What a poll result may not say on its own: an app login approved by another person's ID fails; a login
    /// another browser has contested fails (and is withdrawn upstream where the API allows), even if approved.</summary>
    private async Task<EidLoginState> ApplyIdentityRulesAsync(EidLoginState login, EidLoginState updated)
    {
        if (updated.Status == EidLoginStatus.Succeeded && login.Method == EidMethod.App
            && !string.Equals(updated.Person?.NationalId, login.Identifier, StringComparison.Ordinal))
        {
            Log.IdentityMismatch(Logger, LogId(login.Id), login.Provider);
            _metrics.Failed(login.Provider, login.Method, EidFailureReason.IdentityMismatch);
            return updated with { Status = EidLoginStatus.Failed, FailureReason = EidFailureReason.IdentityMismatch, Person = null, CompletedAt = null };
        }

        if (updated.IsCompleted && updated.Status != EidLoginStatus.Succeeded)
        {
            return updated;
        }

        bool current;
        try
        {
            current = await Rules.IsCurrentAsync(login.Identifier, login.Id, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Checked again, authoritatively, at the finish.
            Log.StoreError(Logger, ex);
            return updated;
        }

        if (current)
        {
            return updated;
        }

        Log.LoginSuperseded(Logger, LogId(login.Id));
        _metrics.Failed(login.Provider, login.Method, EidFailureReason.Contested);
        if (updated.Status == EidLoginStatus.Pending)
        {
            await CancelUpstreamAsync(login);
        }

        return updated with { Status = EidLoginStatus.Failed, FailureReason = EidFailureReason.Contested, Person = null, CompletedAt = null };
    }

    /// <summary>Withdraws the request on the phone where the upstream has a way to; best effort, bounded in time.</summary>
    private async Task CancelUpstreamAsync(EidLoginState login)
    {
        if (Provider is not IEidProviderCancellation cancellation)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(Options.BackchannelTimeout, TimeProvider);
        try
        {
            await cancellation.CancelAsync(new EidPollRequest(login.Method, login.Reference) { PollInterval = login.PollInterval }, timeout.Token);
        }
        catch (Exception ex)
        {
            Log.UpstreamCancelFailed(Logger, LogId(login.Id), login.Provider, ex);
        }
    }

    private async Task RememberBrowserAsync(string identifier)
    {
        if (Options.Limits.KnownBrowserLifetime <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            var browser = BrowserCookie.Read(Context, BrowserProtector(), BrowserCookieName);
            WriteBrowserCookie(browser.WithKnown(await Rules.HashAsync(identifier, CancellationToken.None)));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Only the browser's own budget is lost; the sign-in stands.
            Log.StoreError(Logger, ex);
        }
    }

    private LoadProblem TryReadReference(out string? id, bool quiet = false)
    {
        id = null;
        var cookie = Request.Cookies[LoginCookieName];
        if (string.IsNullOrEmpty(cookie))
        {
            if (!quiet)
            {
                Log.BadReference(Logger, "missing");
            }

            return LoadProblem.Missing;
        }

        if (!_references.TryGet(Scheme.Name, cookie, out var cachedId, out var expires))
        {
            try
            {
                if (!TryUnprotectReference(cookie, out cachedId, out expires, out _))
                {
                    Log.BadReference(Logger, "forged");
                    return LoadProblem.Forged;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The key ring could not be read: the store behind it is down.
                Log.StoreError(Logger, ex);
                return LoadProblem.StoreFailed;
            }

            _references.Add(Scheme.Name, cookie, cachedId, expires);
        }

        if (TimeProvider.GetUtcNow().ToUnixTimeSeconds() >= expires)
        {
            Log.BadReference(Logger, "expired");
            return LoadProblem.Gone;
        }

        id = cachedId;
        return LoadProblem.None;
    }

    /// <summary>Reads a login cookie value: <c>v2|id|expiry|return URL</c>, protected. False when forged or
    /// malformed; throws when the key ring cannot be read.</summary>
    private bool TryUnprotectReference(string cookie, out string id, out long expires, out string? returnUrl)
    {
        id = string.Empty;
        expires = 0;
        returnUrl = null;
        string payload;
        try
        {
            payload = ReferenceProtector().Unprotect(cookie);
        }
        catch (CryptographicException)
        {
            return false;
        }

        var parts = payload.Split('|', 4);
        if (parts.Length != 4 || parts[0] != "v2" || parts[1].Length == 0
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out expires))
        {
            return false;
        }

        id = parts[1];
        returnUrl = ReturnUrls.Normalize(parts[3]);
        return true;
    }

    private string ProtectReference(EidLoginState login, string? returnUrl)
        => ReferenceProtector().Protect(string.Create(
            CultureInfo.InvariantCulture,
            $"v2|{login.Id}|{login.ExpiresAt.ToUnixTimeSeconds()}|{ReturnUrls.Normalize(returnUrl) ?? string.Empty}"));

    /// <summary>Where the login in this browser's cookie was going, even when the login itself is gone.</summary>
    private string? ReturnUrlFromReference()
    {
        var cookie = Request.Cookies[LoginCookieName];
        try
        {
            return !string.IsNullOrEmpty(cookie) && TryUnprotectReference(cookie, out _, out _, out var returnUrl) ? returnUrl : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreError(Logger, ex);
            return null;
        }
    }

    private string? ProtectStateOrNull(AuthenticationProperties properties)
    {
        try
        {
            return Options.StateDataFormat.Protect(properties);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreError(Logger, ex);
            return null;
        }
    }

    private async Task<(EidLoginState? Login, LoadProblem Problem)> LoadAsync(bool quiet = false)
    {
        var problem = TryReadReference(out var id, quiet);
        if (problem != LoadProblem.None)
        {
            return (null, problem);
        }

        try
        {
            var login = await _store.GetAsync(id!, CancellationToken.None);
            if (login is null)
            {
                Log.StateGone(Logger, LogId(id!));
                return (null, LoadProblem.Gone);
            }

            return (login, LoadProblem.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreError(Logger, ex);
            return (null, LoadProblem.StoreFailed);
        }
    }

    private CookieOptions LoginCookieOptions(DateTimeOffset expires)
    {
        var options = Options.LoginCookie.Build(Context, TimeProvider.GetUtcNow());
        options.Expires = expires;
        return HostOnly(options);
    }

    private void DeleteLoginCookie()
        => Response.Cookies.Delete(LoginCookieName, HostOnly(Options.LoginCookie.Build(Context, TimeProvider.GetUtcNow())));

    private void WriteBrowserCookie(BrowserCookie browser)
    {
        var lifetime = Options.Limits.KnownBrowserLifetime;
        var options = new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = Request.IsHttps,
            IsEssential = true,
            Path = "/",
            Expires = lifetime > TimeSpan.Zero ? TimeProvider.GetUtcNow() + lifetime : null,
        };
        browser.Write(Context, BrowserProtector(), BrowserCookieName, options);
    }

    /// <summary>Over HTTPS the cookies carry the <c>__Host-</c> prefix, which needs Secure, path / and no domain.</summary>
    private CookieOptions HostOnly(CookieOptions options)
    {
        if (Request.IsHttps)
        {
            options.Secure = true;
            options.Path = "/";
            options.Domain = null;
        }

        return options;
    }

    private IDataProtector ReferenceProtector()
        => _referenceProtector ??= Options.DataProtectionProvider!.CreateProtector("IcelandicEid.LoginReference", Scheme.Name, "v2");

    private IDataProtector BrowserProtector()
        => _browserProtector ??= Options.DataProtectionProvider!.CreateProtector("IcelandicEid.Browser", Scheme.Name, "v1");

    private async Task<bool> IsAntiforgeryValidAsync()
    {
        try
        {
            await _antiforgery.ValidateRequestAsync(Context);
            return true;
        }
        catch (AntiforgeryValidationException ex)
        {
            Log.AntiforgeryFailed(Logger, ex);
            return false;
        }
    }

    private bool TryValidateIdentifier(EidMethod method, string entered, out string identifier, out string masked, out string? error)
    {
        identifier = string.Empty;
        masked = string.Empty;
        error = null;
        var t = Texts;
        if (method == EidMethod.Sim)
        {
            if (!IcelandicMobileNumber.TryParse(entered, out var phone, out var phoneError))
            {
                error = phoneError switch
                {
                    MobileNumberError.Empty => t.PhoneEmpty,
                    MobileNumberError.NotMobile => t.PhoneNotMobile,
                    MobileNumberError.ForeignNumber => t.PhoneForeign,
                    _ => t.PhoneInvalid,
                };
                Log.InvalidInput(Logger, "phone", phoneError.ToString());
                return false;
            }

            identifier = phone.Value;
            masked = phone.Masked;
            return true;
        }

        if (!Kennitala.TryParse(entered, out var kennitala, out var ktError))
        {
            error = ktError switch
            {
                KennitalaError.Empty => t.KennitalaEmpty,
                KennitalaError.Date => t.KennitalaDate,
                _ => t.KennitalaInvalid,
            };
            Log.InvalidInput(Logger, "kennitala", ktError.ToString());
            return false;
        }

        if (kennitala.IsLegalEntity)
        {
            error = t.KennitalaLegalEntity;
            Log.InvalidInput(Logger, "kennitala", "LegalEntity");
            return false;
        }

        if (kennitala.DateOfBirth > DateOnly.FromDateTime(TimeProvider.GetUtcNow().UtcDateTime))
        {
            error = t.KennitalaDate;
            Log.InvalidInput(Logger, "kennitala", "FutureDate");
            return false;
        }

        identifier = kennitala.Value;
        masked = kennitala.Masked;
        return true;
    }

    private AuthenticationProperties ReadProperties(EidLoginState login)
    {
        if (login.Properties is not null)
        {
            try
            {
                if (PropertiesSerializer.Default.Deserialize(Convert.FromBase64String(login.Properties)) is { } properties)
                {
                    return properties;
                }
            }
            catch (FormatException)
            {
            }
        }

        return new AuthenticationProperties { RedirectUri = Options.DefaultReturnUrl };
    }

    private async Task<bool> ServeAssetAsync(string name, string contentType)
    {
        var bytes = Assets.Get(name);
        Response.ContentType = contentType;
        Response.Headers.CacheControl = "public, max-age=3600";
        Response.Headers.XContentTypeOptions = "nosniff";
        Response.ContentLength = bytes.Length;
        if (!HttpMethods.IsHead(Request.Method))
        {
            await Response.Body.WriteAsync(bytes, Context.RequestAborted);
        }

        return true;
    }

    private bool MethodNotAllowed(string allow)
    {
        Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        Response.Headers.Allow = allow;
        return true;
    }

    private void SetPageHeaders(bool antiforgery = false)
    {
        if (!antiforgery)
        {
            // Pages with an anti-forgery token get no-cache, no-store from the antiforgery system itself.
            Response.Headers.CacheControl = "no-store";
        }

        Response.Headers.XContentTypeOptions = "nosniff";
        Response.Headers["Referrer-Policy"] = "same-origin";
        Response.Headers.XFrameOptions = "DENY";
        if (!string.IsNullOrEmpty(Options.ContentSecurityPolicy))
        {
            Response.Headers.ContentSecurityPolicy = Options.ContentSecurityPolicy;
        }
    }

    private string HandlerUrl(string subPath) => OriginalPathBase + Options.BasePath + subPath;

    private string LoginUrl(string? protectedState)
        => protectedState is null
            ? HandlerUrl(IcelandicEidDefaults.LoginSubPath)
            : HandlerUrl(IcelandicEidDefaults.LoginSubPath) + "?state=" + Uri.EscapeDataString(protectedState);

    private string? ExtraStylesheet() => Options.StylesheetPath is null ? null : OriginalPathBase + Options.StylesheetPath;

    private int SecondsLeft(EidLoginState login) => SecondsLeft(login.ExpiresAt);

    private int SecondsLeft(EidLoginSummary login) => SecondsLeft(login.ExpiresAt);

    private int SecondsLeft(DateTimeOffset expiresAt)
        => (int)Math.Max(0, Math.Ceiling((expiresAt - TimeProvider.GetUtcNow()).TotalSeconds));

    private bool IsAjaxRequest()
        => string.Equals(Request.Headers.XRequestedWith, "XMLHttpRequest", StringComparison.Ordinal);

    /// <summary>True when an event handled the response, false when it skipped to the next middleware, null otherwise.</summary>
    private static bool? EventDecided(HandleRequestContext<RemoteAuthenticationOptions> context)
        => context is { Result: { } result } ? result.Handled ? true : result.Skipped ? false : null : null;

    private static string ReasonCode(EidFailureReason reason) => reason switch
    {
        EidFailureReason.Cancelled => "cancelled",
        EidFailureReason.TimedOut => "timed-out",
        EidFailureReason.Unavailable => "unavailable",
        EidFailureReason.UpstreamError => "upstream-error",
        EidFailureReason.Contested => "contested",
        EidFailureReason.IdentityMismatch => "identity-mismatch",
        EidFailureReason.AlreadyInProgress => "already-in-progress",

        // Not found, blocked and other share one code so the API reveals no more than the page.
        _ => "failed",
    };

    internal static string LogId(string id)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)), 0, 4);

    private static string Base64UrlEncode(byte[] bytes)
        => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>A login that ended without success; passed to <c>OnRemoteFailure</c>.</summary>
public class IcelandicEidLoginFailedException : AuthenticationFailureException
{
    /// <summary>Creates the exception.</summary>
    public IcelandicEidLoginFailedException(EidFailureReason reason, Exception? innerException = null)
        : base("The Icelandic eID login did not succeed: " + reason + ".", innerException) => Reason = reason;

    /// <summary>Why.</summary>
    public EidFailureReason Reason { get; }
}

internal static class Assets
{
    private static readonly Dictionary<string, byte[]> s_cache = Load();

    public static byte[] Get(string name) => s_cache[name];

    private static Dictionary<string, byte[]> Load()
    {
        var assembly = typeof(Assets).Assembly;
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in new[] { "eid.js", "eid.css" })
        {
            using var stream = assembly.GetManifestResourceStream("IcelandicEid.Assets." + name)
                ?? throw new InvalidOperationException("Missing embedded asset " + name);
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            result[name] = memory.ToArray();
        }

        return result;
    }
}
