using IcelandicEid.AspNetCore.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;

namespace IcelandicEid.AspNetCore;

/// <summary>
/// Lets the app's own pages follow the language the person chose on the login pages (their language switch, kept in
/// a cookie for a year): Icelandic or English. Add it first, so that the choice outranks the browser's languages:
/// <code>
/// app.UseRequestLocalization(o =>
/// {
///     o.SetDefaultCulture("is").AddSupportedCultures("is", "en").AddSupportedUICultures("is", "en");
///     o.RequestCultureProviders.Insert(0, new IcelandicEidRequestCultureProvider());
/// });
/// </code>
/// A <c>lang=is</c> or <c>lang=en</c> query counts for that request, as on the login pages;
/// <see cref="Remember"/> keeps a choice made on the app's own pages.
/// </summary>
public sealed class IcelandicEidRequestCultureProvider : RequestCultureProvider
{
    /// <inheritdoc />
    public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        return Task.FromResult(Preferences.Chosen(httpContext.Request) is { } language ? new ProviderCultureResult(language) : null);
    }

    /// <summary>Keeps <paramref name="language"/> (<c>is</c> or <c>en</c>) as the person's choice, for the login pages
    /// and the app's pages alike.</summary>
    /// <param name="context">The request whose response carries the choice.</param>
    /// <param name="language"><c>is</c> or <c>en</c>.</param>
    /// <returns>Whether the language is one the pages speak.</returns>
    public static bool Remember(HttpContext context, string language)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (language is not ("is" or "en"))
        {
            return false;
        }

        Preferences.RememberLanguage(context, language);
        return true;
    }
}
