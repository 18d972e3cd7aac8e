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
                : MethodNotAllowed();
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
                return get ? await HandleLoginPageAsync() : MethodNotAllowed();
            case IcelandicEidDefaults.StartSubPath:
                return post ? await HandleStartAsync() : MethodNotAllowed();
            case IcelandicEidDefaults.VerifySubPath:
                return get ? await HandleVerifyPageAsync() : MethodNotAllowed();
            case IcelandicEidDefaults.StatusSubPath:
                return get ? await HandleStatusAsync() : MethodNotAllowed();
            case IcelandicEidDefaults.CancelSubPath:
                return post ? await HandleCancelAsync() : MethodNotAllowed();
            case IcelandicEidDefaults.AssetsSubPath + "/eid.js":
                return await ServeAssetAsync("eid.js", "text/javascript; charset=utf-8");
            case IcelandicEidDefaults.AssetsSubPath + "/eid.css":
                return await ServeAssetAsync("eid.css", "text/css; charset=utf-8");
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

        var loginUrl = LoginUrl(Options.StateDataFormat.Protect(properties));
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
        if (state.Length == 0 || Options.StateDataFormat.Unprotect(state) is null)
        {
            if (state.Length > 0)
            {
                Log.BadChallengeState(Logger);
            }

            var returnUrl = Request.Query[Options.ReturnUrlParameter].ToString();
            if (returnUrl.Length > 0 && !ReturnUrls.IsLocal(returnUrl))
            {
                Log.ReturnUrlRefused(Logger);
                returnUrl = string.Empty;
            }

            state = Options.StateDataFormat.Protect(new AuthenticationProperties
            {
                RedirectUri = returnUrl.Length > 0 ? returnUrl : Options.DefaultReturnUrl,
            });
        }

        await RenderLoginAsync(StatusCodes.Status200OK, state, null, null, null);
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
        var properties = stateField.Length > 0 ? Options.StateDataFormat.Unprotect(stateField) : null;
        if (properties is null)
        {
            if (stateField.Length > 0)
            {
                Log.BadChallengeState(Logger);
            }

            properties = new AuthenticationProperties { RedirectUri = Options.DefaultReturnUrl };
            stateField = Options.StateDataFormat.Protect(properties);
        }

        if (!await IsAntiforgeryValidAsync())
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
        string? lockKey;
        try
        {
            var (verdict, retryAfter, key) = await CheckLimitsAsync(identifier, loginId);
            lockKey = key;
            switch (verdict)
            {
                case LimitVerdict.AlreadyPendingHere:
                    Response.StatusCode = StatusCodes.Status303SeeOther;
                    Response.Headers.Location = HandlerUrl(IcelandicEidDefaults.VerifySubPath);
                    return true;
                case LimitVerdict.AlreadyPending:
                case LimitVerdict.TooMany:
                    Log.StartLimited(Logger, verdict.ToString(), method, masked);
                    _metrics.Limited(verdict.ToString());
                    Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                    SetPageHeaders();
                    await _renderer.RenderAsync(Context, Scheme, FailurePage(
                        StatusCodes.Status429TooManyRequests,
                        verdict == LimitVerdict.AlreadyPending ? Texts.FailureLoginPending : Texts.FailureTooManyRequests,
                        null,
                        stateField));
                    return true;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreError(Logger, ex);
            return await RenderStatusPageAsync(StatusCodes.Status503ServiceUnavailable, Texts.FailureUnavailable, EidFailureReason.Unavailable);
        }

        EidStartResult result;
        using var activity = IcelandicEidMetrics.ActivitySource.StartActivity("IcelandicEid.Start");
        activity?.SetTag("icelandic_eid.provider", Provider.Name);
        activity?.SetTag("icelandic_eid.method", method.ToString().ToLowerInvariant());
        var started = TimeProvider.GetTimestamp();
        try
        {
            result = await Provider.StartAsync(new EidStartRequest(method, identifier) { Language = Texts.Language }, Context.RequestAborted);
            _metrics.UpstreamCall(Provider.Name, "start", result.Succeeded ? "started" : "refused", TimeProvider.GetElapsedTime(started));
        }
        catch (OperationCanceledException) when (Context.RequestAborted.IsCancellationRequested)
        {
            await ReleaseLockAsync(lockKey, loginId);
            return true;
        }
        catch (Exception ex)
        {
            var reason = ex is EidProviderException pe ? pe.Reason : EidFailureReason.Unavailable;
            _metrics.UpstreamCall(Provider.Name, "start", "error", TimeProvider.GetElapsedTime(started));
            _metrics.Failed(Provider.Name, method, reason);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, reason.ToString());
            Log.StartError(Logger, Provider.Name, reason, ex);
            await ReleaseLockAsync(lockKey, loginId);
            return await HandleFailureAsync(null, reason, properties, stateField);
        }

        if (!result.Succeeded)
        {
            var failure = result.Failure ?? new EidFailure(EidFailureReason.UpstreamError, "no reference");
            Log.StartRefused(Logger, Provider.Name, method, masked, failure.Reason, PersonalData.Redact(failure.Detail));
            _metrics.Failed(Provider.Name, method, failure.Reason);
            activity?.SetTag("icelandic_eid.outcome", failure.Reason.ToString());
            await ReleaseLockAsync(lockKey, loginId);
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

        try
        {
            await _store.CreateAsync(login, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreError(Logger, ex);
            await ReleaseLockAsync(lockKey, loginId);
            return await HandleFailureAsync(null, EidFailureReason.Unavailable, properties, stateField);
        }

        Log.LoginStarted(Logger, LogId(login.Id), Provider.Name, method, masked);
        _metrics.Started(Provider.Name, method);
        activity?.SetTag("icelandic_eid.outcome", "started");
        AppendLoginCookie(login);
        await Events.LoginStarted(new IcelandicEidLoginStartedContext(Context, Scheme, Options, properties, method, Provider.Name));
        Response.StatusCode = StatusCodes.Status303SeeOther;
        Response.Headers.Location = HandlerUrl(IcelandicEidDefaults.VerifySubPath);
        return true;
    }

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

            await ReleaseLockAsync(await PendingLockKeyAsync(login.Identifier), login.Id);
            Log.LoginCancelled(Logger, LogId(login.Id));
            var properties = ReadProperties(login);
            state = Options.StateDataFormat.Protect(properties);
        }

        Response.StatusCode = StatusCodes.Status303SeeOther;
        Response.Headers.Location = LoginUrl(state);
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

        EidLoginState? consumed;
        try
        {
            consumed = await _store.TryConsumeAsync(login.Id, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreError(Logger, ex);
            return await HandleFailureAsync(login, EidFailureReason.Unavailable, ReadProperties(login), null);
        }

        DeleteLoginCookie();
        if (consumed is null)
        {
            Log.StateGone(Logger, LogId(login.Id));
            return await RenderExpiredAsync(null);
        }

        var properties = ReadProperties(consumed);
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

        var returnUrl = received.ReturnUri;
        if (!ReturnUrls.IsLocal(returnUrl))
        {
            if (!string.IsNullOrEmpty(returnUrl))
            {
                Log.ReturnUrlRefused(Logger);
            }

            returnUrl = Options.DefaultReturnUrl;
        }

        Response.Redirect(returnUrl!.StartsWith(OriginalPathBase.Value ?? string.Empty, StringComparison.Ordinal) || !OriginalPathBase.HasValue
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

    private async Task<bool> RenderStatusPageAsync(int statusCode, string message, EidFailureReason? reason)
    {
        SetPageHeaders();
        await _renderer.RenderAsync(Context, Scheme, FailurePage(statusCode, message, reason, null));
        return true;
    }

    private async Task<bool> RenderExpiredAsync(string? protectedState, string? message = null)
    {
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

    private async Task RenderLoginAsync(int statusCode, string? protectedState, EidMethod? errorMethod, string? entered, string? error)
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
        if (updated.IsCompleted)
        {
            // No longer pending upstream: the identifier may start a new login.
            await ReleaseLockAsync(await PendingLockKeyAsync(login.Identifier), login.Id);
        }

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

    private enum LimitVerdict
    {
        Allowed,
        AlreadyPendingHere,
        AlreadyPending,
        TooMany,
    }

    private async Task<(LimitVerdict Verdict, TimeSpan RetryAfter, string? LockKey)> CheckLimitsAsync(string identifier, string loginId)
    {
        var limits = Options.Limits;
        var ct = CancellationToken.None;
        if (limits.StartsPerClientAddress > 0 && Context.Connection.RemoteIpAddress is { } address)
        {
            // Addresses are personal data too: hashed like identifiers before they become keys.
            var (count, resetsIn) = await _limiter.HitAsync("a:" + await IdentifierHashAsync(address.ToString()), limits.Window, ct);
            if (count > limits.StartsPerClientAddress)
            {
                return (LimitVerdict.TooMany, resetsIn, null);
            }
        }

        var hash = await IdentifierHashAsync(identifier);
        if (limits.StartsPerIdentifier > 0)
        {
            var (count, resetsIn) = await _limiter.HitAsync("s:" + hash, limits.Window, ct);
            if (count > limits.StartsPerIdentifier)
            {
                return (LimitVerdict.TooMany, resetsIn, null);
            }
        }

        if (!limits.OnePendingLoginPerIdentifier)
        {
            return (LimitVerdict.Allowed, TimeSpan.Zero, null);
        }

        var lockKey = "p:" + hash;
        var holder = await _limiter.TryLockAsync(lockKey, LockOwner(loginId), Options.LoginTimeout, ct);
        if (holder is null)
        {
            return (LimitVerdict.Allowed, TimeSpan.Zero, lockKey);
        }

        // The same browser asking again (a reload, a second tab) goes back to its own pending login.
        var (mine, _) = await LoadAsync(quiet: true);
        if (mine is { IsCompleted: false } && LockOwner(mine.Id) == holder)
        {
            return (LimitVerdict.AlreadyPendingHere, TimeSpan.Zero, null);
        }

        return (LimitVerdict.AlreadyPending, mine?.PollInterval ?? Options.DefaultPollInterval, null);
    }

    private async Task<string?> PendingLockKeyAsync(string identifier)
    {
        if (!Options.Limits.OnePendingLoginPerIdentifier)
        {
            return null;
        }

        try
        {
            return "p:" + await IdentifierHashAsync(identifier);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreError(Logger, ex);
            return null;
        }
    }

    private async Task<string> IdentifierHashAsync(string identifier)
    {
        var key = await _limiter.GetHashKeyAsync(CancellationToken.None);
        return Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(identifier)), 0, 12);
    }

    /// <summary>A short stand-in for a login id as a lock's owner (keeps the id itself out of the limiter).</summary>
    private static string LockOwner(string loginId) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(loginId)), 0, 12);

    private async Task ReleaseLockAsync(string? lockKey, string owner)
    {
        if (lockKey is null)
        {
            return;
        }

        try
        {
            await _limiter.ReleaseAsync(lockKey, LockOwner(owner), CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The lock expires with the login anyway.
            Log.StoreError(Logger, ex);
        }
    }

    private LoadProblem TryReadReference(out string? id, bool quiet = false)
    {
        id = null;
        var cookie = Request.Cookies[Options.LoginCookie.Name!];
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
            string payload;
            try
            {
                payload = ReferenceProtector().Unprotect(cookie);
            }
            catch (CryptographicException)
            {
                Log.BadReference(Logger, "forged");
                return LoadProblem.Forged;
            }

            var parts = payload.Split('|');
            if (parts.Length != 3 || parts[0] != "v1"
                || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out expires))
            {
                Log.BadReference(Logger, "malformed");
                return LoadProblem.Forged;
            }

            cachedId = parts[1];
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

    private void AppendLoginCookie(EidLoginState login)
    {
        var payload = string.Create(CultureInfo.InvariantCulture, $"v1|{login.Id}|{login.ExpiresAt.ToUnixTimeSeconds()}");
        var options = Options.LoginCookie.Build(Context, TimeProvider.GetUtcNow());
        options.Expires = login.ExpiresAt;
        Response.Cookies.Append(Options.LoginCookie.Name!, ReferenceProtector().Protect(payload), options);
    }

    private void DeleteLoginCookie()
    {
        var options = Options.LoginCookie.Build(Context, TimeProvider.GetUtcNow());
        Response.Cookies.Delete(Options.LoginCookie.Name!, options);
    }

    private IDataProtector ReferenceProtector()
        => _referenceProtector ??= Options.DataProtectionProvider!.CreateProtector("IcelandicEid.LoginReference", Scheme.Name, "v1");

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

    private bool MethodNotAllowed()
    {
        Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
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
