using System.Globalization;
using IcelandicEid.AspNetCore.Ui;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using IcelandicEid.AspNetCore.Http;
using IcelandicEid.AspNetCore.Flow;

namespace IcelandicEid.AspNetCore.Endpoints;

/// <summary>Renders the handler's pages through the app's <see cref="IIcelandicEidPageRenderer"/>, with their headers.</summary>
internal static class Pages
{
    /// <summary>What every page has: the words, the script and the stylesheets.</summary>
    public static IcelandicEidPageModel Page(EidRequest r, IcelandicEidPageKind kind) => new()
    {
        Kind = kind,
        Texts = r.Texts,
        DisplayName = r.Scheme.DisplayName,
        ScriptUrl = r.HandlerUrl(Assets.PathOf(Assets.Script)),
        StylesheetUrl = r.HandlerUrl(Assets.PathOf(Assets.Stylesheet)),
        ExtraStylesheetUrl = r.Options.StylesheetPath is null ? null : r.PathBase + r.Options.StylesheetPath,
        // Who is asking: the configured name, else the site's own host name, never an assembly name.
        ServiceName = string.IsNullOrWhiteSpace(r.Options.ServiceName) ? r.Request.Host.Host : r.Options.ServiceName,
        LogoUrl = r.Options.LogoUrl is { } logo && logo.StartsWith('/') ? r.PathBase + logo : r.Options.LogoUrl,
        HomeUrl = r.PathBase + r.Options.HomeUrl,
        HelpUrl = r.Options.HelpUrl,
        LanguageSwitchUrl = HttpMethods.IsGet(r.Request.Method) && kind != IcelandicEidPageKind.Failure
            ? r.LanguageSwitch(r.PathBase + r.Request.Path + r.Request.QueryString)
            : r.LanguageSwitch(r.HandlerUrl(IcelandicEidDefaults.LoginSubPath)),
    };

    public static IcelandicEidPageModel WithAntiforgery(EidRequest r, IcelandicEidPageKind kind)
    {
        var tokens = r.Context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(r.Context);
        return Page(r, kind) with { AntiforgeryFieldName = tokens.FormFieldName, AntiforgeryToken = tokens.RequestToken };
    }

    public static Task RenderAsync(EidRequest r, IcelandicEidPageModel page, bool antiforgery = false)
    {
        SetHeaders(r, antiforgery);
        if (Preferences.FromQuery(r.Request) is { } language)
        {
            // Chosen on the page: kept for the form posts and pages that follow.
            Preferences.RememberLanguage(r.Context, language);
        }

        return r.Context.RequestServices.GetRequiredService<IIcelandicEidPageRenderer>().RenderAsync(r.Context, r.Scheme, page);
    }

    public static async Task<bool> LoginAsync(EidRequest r, int statusCode, string? protectedState, EidMethod? errorMethod = null, string? entered = null, string? error = null, string? notice = null)
    {
        var remembered = errorMethod is null ? Preferences.Entered(r.Request, r.EnteredProtector) : null;
        await RenderAsync(r, WithAntiforgery(r, IcelandicEidPageKind.Login) with
        {
            StatusCode = statusCode,
            StartUrl = r.HandlerUrl(IcelandicEidDefaults.StartSubPath),
            State = protectedState ?? r.Options.StateDataFormat.Protect(r.DefaultProperties()),
            Attempt = StartAttempt.New(),
            SimEnabled = r.Options.EnableSim,
            AppEnabled = r.Options.EnableApp,
            ErrorMethod = errorMethod,
            EnteredValue = entered ?? remembered?.Shown,
            PreferredMethod = remembered?.Method ?? Preferences.LastMethod(r.Request),
            ErrorMessage = error,
            Notice = notice,
        }, antiforgery: true);
        return true;
    }

    /// <summary>A failure page: its own title and words for <paramref name="view"/>, "try again" when it can work (keeping
    /// where the person was going), and a language switch that shows the same page in the other language.</summary>
    public static async Task<bool> FailureAsync(EidRequest r, int statusCode, FailureView view, string? protectedState)
    {
        if (statusCode == StatusCodes.Status503ServiceUnavailable)
        {
            r.Response.Headers.RetryAfter = "5";
        }

        var now = r.Time.GetUtcNow();
        var (title, message, error, canRetry) = view.Describe(r.Texts, now);
        var contested = view.Reason == EidFailureReason.Contested;
        var retry = canRetry ? r.LoginUrl(protectedState) : null;
        if (retry is not null && contested)
        {
            // From the contested page the form first says what starting here does to the other browser.
            retry += (retry.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "notice=contested";
        }

        string? languageSwitch = null;
        if (view != FailureView.NotSecure)
        {
            try
            {
                languageSwitch = r.LanguageSwitch(r.HandlerUrl(IcelandicEidDefaults.FailedSubPath) + "?f=" + Uri.EscapeDataString(view.Protect(r.Options.DataProtectionProvider!, r.Scheme.Name, protectedState, now)));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The key ring cannot be used (its store is down, as on the "unavailable" page itself): the switch leads to
                // the form in the other language, and the page is still shown, never a 500.
                Log.StoreError(r.Logger, ex);
                languageSwitch = r.LanguageSwitch(r.LoginUrl(protectedState));
            }
        }

        await RenderAsync(r, Page(r, IcelandicEidPageKind.Failure) with
        {
            StatusCode = statusCode,
            FailureReason = view.Reason,
            Title = title,
            Message = message,
            IsError = error,
            RetryUrl = retry,
            RetryText = contested ? r.Texts.StartHere : null,
            LanguageSwitchUrl = languageSwitch,
        });
        return true;
    }

    /// <summary>The failure page the language switch of another failure page leads to; a switch that is forged or too old
    /// leads to the form.</summary>
    public static Task<bool> FailedAsync(EidRequest r)
    {
        var value = r.Request.Query["f"].ToString();
        return value.Length > 0 && value.Length < 4096 && FailureView.Unprotect(r.Options.DataProtectionProvider!, r.Scheme.Name, value, r.Time.GetUtcNow()) is var (view, state)
            ? FailureAsync(r, StatusCodes.Status200OK, view, state)
            : Task.FromResult(r.SeeOther(r.LoginUrl(null)));
    }

    /// <summary>"Try again shortly": the store, the key ring or the upstream cannot be used now.</summary>
    public static Task<bool> UnavailableAsync(EidRequest r, string? protectedState = null)
        => FailureAsync(r, StatusCodes.Status503ServiceUnavailable, FailureView.Of(EidFailureReason.Unavailable), protectedState);

    /// <summary>A refusal that lasts a known time: the wait in the text and in <c>Retry-After</c>.</summary>
    public static Task<bool> WaitAsync(EidRequest r, int statusCode, FailureView view, TimeSpan wait, string? protectedState)
    {
        r.Response.Headers.RetryAfter = ((int)Math.Ceiling(Math.Max(1, wait.TotalSeconds))).ToString(CultureInfo.InvariantCulture);
        return FailureAsync(r, statusCode, view, protectedState);
    }

    /// <summary>
    /// A page of a login that is no longer there: a history entry (Back after signing in, after cancelling, a second
    /// tab) or the finish at 0:00. Never a false failure: a signed-in person goes on to where they were going, a login
    /// whose time ran out says so with a retry that keeps the return URL, anything else is the form again.
    /// </summary>
    public static async Task<bool> NoLoginAsync(EidRequest r)
    {
        var returnUrl = r.ReturnUrlFromReference();
        if (await r.IsSignedInAsync())
        {
            return r.SeeOther(returnUrl ?? r.PathBase + r.Options.DefaultReturnUrl);
        }

        var state = r.ProtectStateOrNull(new AuthenticationProperties { RedirectUri = returnUrl ?? r.Options.DefaultReturnUrl });
        if (r.ReferenceTimedOut())
        {
            return await FailureAsync(r, StatusCodes.Status200OK, FailureView.Of(EidFailureReason.TimedOut), state);
        }

        return r.SeeOther(r.LoginUrl(state));
    }

    /// <summary>No login to go on with; the retry keeps where the person was going when the cookie still says it.</summary>
    public static Task<bool> ExpiredAsync(EidRequest r, FailureView? view = null)
    {
        var returnUrl = r.ReturnUrlFromReference();
        var state = returnUrl is null ? null : r.ProtectStateOrNull(new AuthenticationProperties { RedirectUri = returnUrl });
        return FailureAsync(r, StatusCodes.Status400BadRequest, view ?? FailureView.Expired, state);
    }

    /// <summary>The login address asked for by a person who is already logged in: on to where they were going, or the
    /// form again to log in with another ID. Never the bare form, as if the login had not happened.</summary>
    public static Task SignedInAsync(EidRequest r, string returnUrl, string protectedState)
        => RenderAsync(r, Page(r, IcelandicEidPageKind.SignedIn) with
        {
            ContinueUrl = returnUrl,
            RetryUrl = r.LoginUrl(protectedState) + "&again=1",
        });

    public static void SetHeaders(EidRequest r, bool antiforgery = false)
    {
        var headers = r.Response.Headers;
        if (!antiforgery)
        {
            // Pages with an anti-forgery token get no-cache, no-store from the antiforgery system itself.
            headers.CacheControl = "no-store";
        }

        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "same-origin";
        headers.XFrameOptions = "DENY";
        if (!string.IsNullOrEmpty(r.Options.ContentSecurityPolicy))
        {
            headers.ContentSecurityPolicy = r.Options.ContentSecurityPolicy;
        }
    }
}
