using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace IcelandicEid.AspNetCore.Ui;

/// <summary>
/// The built-in pages: accessible HTML5 with no inline script or style, so a strict Content-Security-Policy holds, and
/// a look themable through CSS custom properties (<c>--eid-accent</c>, <c>--eid-bg</c>, <c>--eid-fg</c>, …). Every
/// page says who is asking, offers the other language, a way back to the site and help. Override
/// <see cref="RenderLayout"/> to put the pages inside the host app's own layout.
/// </summary>
public class DefaultIcelandicEidPageRenderer : IIcelandicEidPageRenderer
{
    private static readonly HtmlEncoder s_html = HtmlEncoder.Create(UnicodeRanges.All);

    /// <inheritdoc />
    public virtual async Task RenderAsync(HttpContext context, AuthenticationScheme scheme, IcelandicEidPageModel page)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(page);

        var body = new StringBuilder(4096);
        string title;
        switch (page.Kind)
        {
            case IcelandicEidPageKind.Login:
                title = LoginHtml.Heading(page);
                LoginHtml.Write(body, page, title);
                break;
            case IcelandicEidPageKind.SignedIn:
                title = page.Texts.TitleSignedIn;
                WriteSignedIn(body, page, title);
                break;
            case IcelandicEidPageKind.Verify:
                title = page.Texts.VerifyTitle;
                VerifyHtml.Write(body, page);
                break;
            default:
                title = page.Title ?? page.Texts.TitleFor(page.FailureReason);
                WriteFailure(body, page, title);
                break;
        }

        var html = RenderLayout(page, title, body.ToString());
        context.Response.StatusCode = page.StatusCode;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(html, Encoding.UTF8, context.RequestAborted);
    }

    /// <summary>Wraps a page body in a whole HTML document. Override to use the host app's layout; keep the
    /// <paramref name="page"/>'s script and stylesheet links.</summary>
    /// <param name="page">The page.</param>
    /// <param name="title">The page's title (also its heading).</param>
    /// <param name="bodyHtml">The page's own part, already encoded.</param>
    /// <returns>The whole document.</returns>
    protected virtual string RenderLayout(IcelandicEidPageModel page, string title, string bodyHtml)
    {
        ArgumentNullException.ThrowIfNull(page);
        var t = page.Texts;
        var service = string.IsNullOrWhiteSpace(page.ServiceName) ? null : page.ServiceName;
        var sb = new StringBuilder(bodyHtml.Length + 2048);
        sb.Append("<!DOCTYPE html>\n<html lang=\"").Append(E(t.Language)).Append("\">\n<head>\n")
          .Append("<meta charset=\"utf-8\">\n")
          .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
          .Append("<meta name=\"referrer\" content=\"same-origin\">\n")
          .Append("<meta name=\"color-scheme\" content=\"light dark\">\n")
          .Append("<title>").Append(E(title)).Append(service is null || title.Contains(service, StringComparison.Ordinal) ? string.Empty : " – " + E(service)).Append("</title>\n")
          .Append("<link rel=\"stylesheet\" href=\"").Append(E(page.StylesheetUrl)).Append("\">\n");
        if (page.ExtraStylesheetUrl is not null)
        {
            sb.Append("<link rel=\"stylesheet\" href=\"").Append(E(page.ExtraStylesheetUrl)).Append("\">\n");
        }

        if (page.Kind == IcelandicEidPageKind.Verify)
        {
            var seconds = Math.Max(2, page.RefreshMilliseconds / 1000 * 3);
            sb.Append("<noscript><meta http-equiv=\"refresh\" content=\"").Append(seconds.ToString(CultureInfo.InvariantCulture)).Append("\"></noscript>\n");
        }

        sb.Append("<script src=\"").Append(E(page.ScriptUrl)).Append("\" defer></script>\n")
          .Append("</head>\n<body class=\"eid-body\">\n<header class=\"eid-bar\">\n<p class=\"eid-service\">");
        if (page.LogoUrl is not null)
        {
            sb.Append("<img class=\"eid-logo\" src=\"").Append(E(page.LogoUrl)).Append("\" alt=\"\">");
        }

        sb.Append("<span>").Append(E(service ?? page.DisplayName)).Append("</span></p>\n</header>\n<main class=\"eid\" id=\"eid-main\">\n<div class=\"eid-card\">\n");

        // The language switch comes right after the heading (which gets the focus), so that forward Tab reaches it first.
        var headingEnd = bodyHtml.IndexOf("</h1>\n", StringComparison.Ordinal);
        if (page.LanguageSwitchUrl is not null && headingEnd >= 0)
        {
            headingEnd += "</h1>\n".Length;
            sb.Append(bodyHtml, 0, headingEnd)
              .Append("<p class=\"eid-lang-row\"><a class=\"eid-lang\" href=\"").Append(E(page.LanguageSwitchUrl)).Append("\" lang=\"").Append(E(t.OtherLanguage))
              .Append("\" hreflang=\"").Append(E(t.OtherLanguage)).Append("\">").Append(E(t.OtherLanguageName)).Append("</a></p>\n")
              .Append(bodyHtml, headingEnd, bodyHtml.Length - headingEnd);
        }
        else
        {
            sb.Append(bodyHtml);
        }

        sb.Append("</div>\n</main>\n<footer class=\"eid-foot\">\n");
        if (page.HomeUrl is not null)
        {
            sb.Append("<p><a href=\"").Append(E(page.HomeUrl)).Append("\">")
              .Append(E(string.Format(CultureInfo.InvariantCulture, t.BackToSite, service ?? page.HomeUrl))).Append("</a></p>\n");
        }

        if (page.HelpUrl is not null)
        {
            sb.Append("<p>").Append(E(t.HelpLead)).Append(" <a href=\"").Append(E(page.HelpUrl)).Append("\" rel=\"noopener\">")
              .Append(E(t.HelpLink)).Append("</a>, ").Append(E(t.HelpPhoneLead)).Append(" <a href=\"tel:").Append(E(t.HelpPhoneNumber)).Append("\">")
              .Append(E(t.HelpPhone)).Append("</a></p>\n");
        }

        sb.Append("</footer>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static void WriteFailure(StringBuilder sb, IcelandicEidPageModel page, string title)
    {
        // A person's own cancel, a wait they can sit out, a login that goes on elsewhere are not errors: no alert, no red.
        sb.Append("<h1 tabindex=\"-1\">").Append(E(title)).Append("</h1>\n")
          .Append("<p class=\"eid-message ").Append(page.IsError ? "eid-message-error\" role=\"alert\">" : "eid-message-info\" role=\"status\">")
          .Append(E(page.Message)).Append("</p>\n");
        if (page.RetryUrl is not null)
        {
            sb.Append("<p><a class=\"eid-button eid-retry\" href=\"").Append(E(page.RetryUrl)).Append("\">").Append(E(page.RetryText ?? page.Texts.TryAgain)).Append("</a></p>\n");
        }
    }

    private static void WriteSignedIn(StringBuilder sb, IcelandicEidPageModel page, string title)
    {
        var t = page.Texts;
        var service = string.IsNullOrWhiteSpace(page.ServiceName) ? page.DisplayName : page.ServiceName;
        sb.Append("<h1 tabindex=\"-1\">").Append(E(title)).Append("</h1>\n")
          .Append("<p class=\"eid-message eid-message-info\" role=\"status\">").Append(E(t.SignedInMessage)).Append("</p>\n")
          .Append("<p><a class=\"eid-button eid-continue\" href=\"").Append(E(page.ContinueUrl)).Append("\">")
          .Append(E(string.Format(CultureInfo.InvariantCulture, t.ContinueTo, service))).Append("</a></p>\n");
        if (page.RetryUrl is not null)
        {
            sb.Append("<p><a class=\"eid-again\" href=\"").Append(E(page.RetryUrl)).Append("\">").Append(E(t.LogInAgain)).Append("</a></p>\n");
        }
    }

    internal static string E(string? value) => value is null ? string.Empty : s_html.Encode(value);
}
