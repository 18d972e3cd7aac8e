using System.Globalization;
using IcelandicEid.AspNetCore.Flow;
using IcelandicEid.AspNetCore.State;
using IcelandicEid.AspNetCore.Ui;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Http;

/// <summary>
/// One request to the handler's endpoints, with what they share: the words, the URLs, the cookies, the antiforgery
/// check and reading the browser's login. Built by the handler, and by the default failure page from its event.
/// </summary>
internal sealed class EidRequest
{
    private IDataProtector? _browserProtector;
    private IDataProtector? _enteredProtector;
    private LoginReference? _reference;
    private IcelandicEidTexts? _texts;

    public EidRequest(HttpContext context, AuthenticationScheme scheme, IcelandicEidOptions options, ILogger logger)
    {
        Context = context;
        Scheme = scheme;
        Options = options;
        Logger = logger;
        Time = options.TimeProvider ?? TimeProvider.System;
        PathBase = context.Features.Get<IAuthenticationFeature>()?.OriginalPathBase ?? context.Request.PathBase;
    }

    public HttpContext Context { get; }

    public HttpRequest Request => Context.Request;

    public HttpResponse Response => Context.Response;

    public AuthenticationScheme Scheme { get; }

    public IcelandicEidOptions Options { get; }

    public ILogger Logger { get; }

    public TimeProvider Time { get; }

    public PathString PathBase { get; }

    /// <summary>The words for this person's language, from the texts service the pages and the JSON API share.</summary>
    public IcelandicEidTexts Texts => _texts ??= (Context.RequestServices?.GetService<IIcelandicEidTextProvider>() ?? s_defaultTexts).GetTexts(Preferences.Language(Request));

    private static readonly DefaultIcelandicEidTextProvider s_defaultTexts = new();

    /// <summary>Protects what was entered, for the form to come back filled in after a cancel or failure.</summary>
    public IDataProtector EnteredProtector
        => _enteredProtector ??= Options.DataProtectionProvider!.CreateProtector("IcelandicEid.Entered", Scheme.Name, "v1");

    /// <summary>This handler page in the other language: the same GET address with <c>lang</c> replaced.</summary>
    public string LanguageSwitch(string url)
    {
        var query = url.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? url : url[..query];
        var pairs = query < 0 ? [] : url[(query + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !p.StartsWith("lang=", StringComparison.Ordinal) && !p.StartsWith("ui-culture=", StringComparison.Ordinal) && !p.StartsWith("culture=", StringComparison.Ordinal) && !p.StartsWith("notice=", StringComparison.Ordinal));
        return path + "?" + string.Join('&', pairs.Append("lang=" + Texts.OtherLanguage));
    }

    /// <summary>Whether this browser's login cookie names a login whose time ran out (the cookie outlives the login a
    /// little, so that the page at 0:00 can say "timed out" and keep where the person was going).</summary>
    public bool ReferenceTimedOut()
    {
        var cookie = Request.Cookies[LoginCookieName];
        return !string.IsNullOrEmpty(cookie)
            && Reference.TryUnprotect(cookie, out var value) == ReferenceProblem.None
            && Time.GetUtcNow().ToUnixTimeSeconds() >= value.ExpiresUnixSeconds;
    }

    /// <summary>Whether the person is already signed in to the app (the scheme this handler signs in with).</summary>
    public async Task<bool> IsSignedInAsync()
    {
        try
        {
            var result = await Context.AuthenticateAsync(Options.SignInScheme);
            return result.Succeeded;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreError(Logger, ex);
            return false;
        }
    }

    public string LoginCookieName => CookieNames.For(Request, Options.LoginCookie.Name!);

    public string BrowserCookieName => CookieNames.For(Request, IcelandicEidDefaults.BrowserCookieName);

    public LoginReference Reference => _reference ??= CreateReference();

    public string HandlerUrl(string subPath) => PathBase + Options.BasePath + subPath;

    public string FinishUrl => PathBase + Options.CallbackPath;

    public string LoginUrl(string? protectedState)
        => protectedState is null
            ? HandlerUrl(IcelandicEidDefaults.LoginSubPath)
            : HandlerUrl(IcelandicEidDefaults.LoginSubPath) + "?state=" + Uri.EscapeDataString(protectedState);

    public int SecondsLeft(DateTimeOffset expiresAt)
        => (int)Math.Max(0, Math.Ceiling((expiresAt - Time.GetUtcNow()).TotalSeconds));

    /// <summary>Reads the login this browser's cookie names: typed problems, never an exception.</summary>
    public async Task<(EidLoginState? Login, ReferenceProblem Problem)> LoadLoginAsync(LoginFlow flow, bool quiet = false)
    {
        if (ReadReference(out var id, quiet) is var problem && problem != ReferenceProblem.None)
        {
            return (null, problem);
        }

        return await flow.LoadAsync(id) switch
        {
            LoadOutcome.Found found => (found.Login, ReferenceProblem.None),
            LoadOutcome.Gone => (null, ReferenceProblem.Gone),
            _ => (null, ReferenceProblem.StoreFailed),
        };
    }

    /// <summary>The login id in this browser's cookie, logging what was wrong with it.</summary>
    public ReferenceProblem ReadReference(out EidLoginId id, bool quiet = false)
    {
        var problem = Reference.TryReadId(Request.Cookies[LoginCookieName], out var read);
        id = problem == ReferenceProblem.None && !string.IsNullOrEmpty(read) ? EidLoginId.From(read) : default;
        switch (problem)
        {
            case ReferenceProblem.Missing when !quiet:
                Log.BadReference(Logger, "missing");
                break;
            case ReferenceProblem.Forged:
                Log.BadReference(Logger, "forged");
                break;
            case ReferenceProblem.Gone:
                Log.BadReference(Logger, "expired");
                break;
            case ReferenceProblem.StoreFailed:
                Log.StoreError(Logger, new InvalidOperationException("The data-protection key ring could not be read."));
                break;
        }

        return problem;
    }

    /// <summary>Where the login in this browser's cookie was going, even when the login itself is gone.</summary>
    public string? ReturnUrlFromReference() => Reference.ReturnUrl(Request.Cookies[LoginCookieName]);

    public void WriteLoginCookie(EidLoginState login, string? returnUrl)
    {
        var options = Options.LoginCookie.Build(Context, Time.GetUtcNow());
        // A little longer than the login: at 0:00 the page still knows where the person was going and that time ran out.
        options.Expires = login.ExpiresAt + TimeSpan.FromMinutes(10);
        Response.Cookies.Append(LoginCookieName, Reference.Protect(login.Id, login.ExpiresAt, returnUrl), HostOnly(options));
    }

    public void DeleteLoginCookie()
        => Response.Cookies.Delete(LoginCookieName, HostOnly(Options.LoginCookie.Build(Context, Time.GetUtcNow())));

    public BrowserIdentity ReadBrowser() => BrowserCookie.Read(Context, BrowserProtector, BrowserCookieName);

    public void WriteBrowser(BrowserIdentity browser)
    {
        var lifetime = Options.Limits.KnownBrowserLifetime;
        BrowserCookie.Write(Context, BrowserProtector, BrowserCookieName, browser, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = Request.IsHttps,
            IsEssential = true,
            Path = "/",
            Expires = lifetime > TimeSpan.Zero ? Time.GetUtcNow() + lifetime : null,
        });
    }

    /// <summary>The challenge state protected for a form or link; null when the key ring cannot be read.</summary>
    public string? ProtectStateOrNull(AuthenticationProperties properties)
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

    public AuthenticationProperties DefaultProperties() => new() { RedirectUri = Options.DefaultReturnUrl };

    public async Task<bool> IsAntiforgeryValidAsync()
    {
        try
        {
            await Context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(Context);
            return true;
        }
        catch (AntiforgeryValidationException ex)
        {
            Log.AntiforgeryFailed(Logger, ex);
            return false;
        }
    }

    public bool SeeOther(string location)
    {
        Response.StatusCode = StatusCodes.Status303SeeOther;
        Response.Headers.Location = location;
        return true;
    }

    /// <summary>A request for nothing of the handler's: the app's pipeline goes on.</summary>
    public static readonly Task<bool> NotHandled = Task.FromResult(false);

    private static readonly Task<bool> s_handled = Task.FromResult(true);

    /// <summary><see cref="MethodNotAllowed"/> as the router's answer.</summary>
    public Task<bool> RefuseMethod(string allow) => MethodNotAllowed(allow) ? s_handled : NotHandled;

    public bool MethodNotAllowed(string allow)
    {
        Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        Response.Headers.Allow = allow;
        return true;
    }

    private LoginReference CreateReference()
    {
        var cache = Context.RequestServices.GetRequiredService<LoginReferenceCache>();
        return new LoginReference(cache.Protector(Options.DataProtectionProvider!, Scheme.Name, LoginReference.CreateProtector), cache, Scheme.Name, Time);
    }

    private IDataProtector BrowserProtector
        => _browserProtector ??= Options.DataProtectionProvider!.CreateProtector("IcelandicEid.Browser", Scheme.Name, "v1");

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
}
