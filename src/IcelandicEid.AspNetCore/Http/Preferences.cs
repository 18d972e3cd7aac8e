using IcelandicEid.AspNetCore.Flow;
using IcelandicEid.AspNetCore.State;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using IcelandicEid.State;
using IcelandicEid.AspNetCore.Http;

namespace IcelandicEid.AspNetCore.Http;

/// <summary>
/// What the pages remember about a browser, none of it identifying anyone unless protected: the language (chosen on
/// a page with <c>?lang=en</c>, <c>?ui-culture=en</c> or the switch, and kept in a cookie so form posts keep it), the
/// last method used, and, encrypted and only for as long as a login may last, what was entered, so that Cancel and
/// "try again" bring the form back filled in.
/// </summary>
internal static class Preferences
{
    public const string LanguageCookie = ".IcelandicEid.Lang";
    public const string MethodCookie = ".IcelandicEid.Method";
    public const string EnteredCookie = ".IcelandicEid.Entered";
    private static readonly string[] s_queryNames = ["lang", "ui-culture", "culture"];

    /// <summary>The language asked for in this request's query, if any (is or en).</summary>
    public static string? FromQuery(HttpRequest request)
    {
        if (!request.QueryString.HasValue)
        {
            return null;
        }

        foreach (var name in s_queryNames)
        {
            if (Supported(request.Query[name].ToString()) is { } language)
            {
                return language;
            }
        }

        return null;
    }

    /// <summary>The language the person chose: this request's query, else the choice remembered from a language switch.</summary>
    public static string? Chosen(HttpRequest request)
        => FromQuery(request) ?? Supported(request.Cookies[CookieNames.For(request, LanguageCookie)]);

    /// <summary>The page language: the query, the remembered choice, the app's own explicit choice, the browser's
    /// languages (Icelandic or English where listed; English for a browser that lists only others), Icelandic.</summary>
    public static string Language(HttpRequest request)
    {
        if (Chosen(request) is { } chosen)
        {
            return chosen;
        }

        if (request.HttpContext.Features.Get<IRequestCultureFeature>() is { Provider: not null } feature
            && Supported(feature.RequestCulture.UICulture.TwoLetterISOLanguageName) is { } app)
        {
            return app;
        }

        if (request.Headers.AcceptLanguage.Count == 0)
        {
            return "is";
        }

        var listed = request.GetTypedHeaders().AcceptLanguage;
        if (listed.Count == 0)
        {
            return "is";
        }

        foreach (var entry in listed.OrderByDescending(l => l.Quality ?? 1))
        {
            if (Supported(entry.Value.Value) is { } language)
            {
                return language;
            }
        }

        return "en";
    }

    public static void RememberLanguage(HttpContext context, string language)
        => context.Response.Cookies.Append(CookieNames.For(context.Request, LanguageCookie), language, Options(context, TimeSpan.FromDays(365)));

    public static EidMethod? LastMethod(HttpRequest request)
        => EidNames.TryParseMethod(request.Cookies[CookieNames.For(request, MethodCookie)] ?? string.Empty, out var method) ? method : null;

    public static void RememberMethod(HttpContext context, EidMethod method)
        => context.Response.Cookies.Append(CookieNames.For(context.Request, MethodCookie), EidNames.Of(method), Options(context, TimeSpan.FromDays(365)));

    /// <summary>What was entered, encrypted, for at most <paramref name="lifetime"/>.</summary>
    public static void RememberEntered(HttpContext context, IDataProtector protector, EidMethod method, string identifier, TimeSpan lifetime)
        => context.Response.Cookies.Append(
            CookieNames.For(context.Request, EnteredCookie),
            protector.Protect(EidNames.Of(method) + "|" + identifier),
            Options(context, lifetime));

    /// <summary>What was entered, as the person would type it (888 1234, 241080-3079), or null.</summary>
    public static (EidMethod Method, string Shown)? Entered(HttpRequest request, IDataProtector protector)
    {
        var value = request.Cookies[CookieNames.For(request, EnteredCookie)];
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        try
        {
            var parts = protector.Unprotect(value).Split('|', 2);
            if (parts.Length == 2 && EidNames.TryParseMethod(parts[0], out var method))
            {
                var id = parts[1];
                return (method, method == EidMethod.Sim && id.Length == 7 ? id[..3] + " " + id[3..]
                    : method == EidMethod.App && id.Length == 10 ? id[..6] + "-" + id[6..] : id);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Forged, or from a key ring this instance cannot read: as if nothing was remembered.
        }

        return null;
    }

    public static void ForgetEntered(HttpContext context)
        => context.Response.Cookies.Delete(CookieNames.For(context.Request, EnteredCookie), Options(context, TimeSpan.Zero));

    /// <summary>Where a request went, masked for the page: 888 ••34, ••••••-••79.</summary>
    public static string Masked(EidMethod method, string identifier)
        => method == EidMethod.Sim && identifier.Length == 7 ? identifier[..3] + " ••" + identifier[5..]
            : identifier.Length == 10 ? "••••••-••" + identifier[8..] : "••";

    /// <summary>"is" or "en" when the value names Icelandic or English (is, IS, is-IS, en_GB…), else null.</summary>
    private static string? Supported(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 35)
        {
            return null;
        }

        var end = value.AsSpan().IndexOfAny('-', '_');
        var language = end < 0 ? value.AsSpan() : value.AsSpan(0, end);
        return language.Equals("is", StringComparison.OrdinalIgnoreCase) ? "is"
            : language.Equals("en", StringComparison.OrdinalIgnoreCase) ? "en"
            : null;
    }

    private static CookieOptions Options(HttpContext context, TimeSpan lifetime) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Secure = context.Request.IsHttps,
        IsEssential = true,
        Path = "/",
        MaxAge = lifetime > TimeSpan.Zero ? lifetime : null,
    };
}
