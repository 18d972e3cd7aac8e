using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace IcelandicEid.AspNetCore.Ui;

/// <summary>
/// The built-in pages: plain, accessible HTML5 with no inline script or style, so a strict Content-Security-Policy
/// holds. Override <see cref="RenderLayout"/> to put the pages inside the host app's own layout.
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
                title = page.Texts.LoginTitle;
                WriteLogin(body, page);
                break;
            case IcelandicEidPageKind.Verify:
                title = page.Texts.VerifyTitle;
                WriteVerify(body, page);
                break;
            default:
                title = page.Texts.FailureTitle;
                WriteFailure(body, page);
                break;
        }

        var html = RenderLayout(page, title, body.ToString());
        context.Response.StatusCode = page.StatusCode;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(html, Encoding.UTF8, context.RequestAborted);
    }

    /// <summary>Wraps a page body in a whole HTML document. Override to use the host app's layout; keep the
    /// <paramref name="page"/>'s script and stylesheet links.</summary>
    protected virtual string RenderLayout(IcelandicEidPageModel page, string title, string bodyHtml)
    {
        ArgumentNullException.ThrowIfNull(page);
        var sb = new StringBuilder(bodyHtml.Length + 1024);
        sb.Append("<!DOCTYPE html>\n<html lang=\"").Append(E(page.Texts.Language)).Append("\">\n<head>\n")
          .Append("<meta charset=\"utf-8\">\n")
          .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
          .Append("<meta name=\"referrer\" content=\"same-origin\">\n")
          .Append("<title>").Append(E(title)).Append("</title>\n")
          .Append("<link rel=\"stylesheet\" href=\"").Append(E(page.StylesheetUrl)).Append("\">\n");
        if (page.ExtraStylesheetUrl is not null)
        {
            sb.Append("<link rel=\"stylesheet\" href=\"").Append(E(page.ExtraStylesheetUrl)).Append("\">\n");
        }

        if (page.Kind == IcelandicEidPageKind.Verify)
        {
            var seconds = Math.Max(2, page.RefreshMilliseconds / 1000 * 3);
            sb.Append("<noscript><meta http-equiv=\"refresh\" content=\"").Append(seconds.ToString(CultureInfo.InvariantCulture)).Append("\"></noscript>\n")
              .Append("<script src=\"").Append(E(page.ScriptUrl)).Append("\" defer></script>\n");
        }

        sb.Append("</head>\n<body>\n<main class=\"eid\">\n").Append(bodyHtml).Append("</main>\n</body>\n</html>\n");
        return sb.ToString();
    }

    private static void WriteLogin(StringBuilder sb, IcelandicEidPageModel page)
    {
        var t = page.Texts;
        sb.Append("<h1>").Append(E(t.LoginTitle)).Append("</h1>\n");
        if (page.Notice is not null)
        {
            sb.Append("<p class=\"eid-notice\" role=\"status\">").Append(E(page.Notice)).Append("</p>\n");
        }

        if (page.ErrorMessage is not null && page.ErrorMethod is null)
        {
            sb.Append("<p class=\"eid-error\" role=\"alert\">").Append(E(page.ErrorMessage)).Append("</p>\n");
        }

        sb.Append("<p>").Append(E(t.LoginIntro)).Append("</p>\n<div class=\"eid-methods\">\n");
        if (page.SimEnabled)
        {
            WriteMethodForm(sb, page, EidMethod.Sim, t.SimLegend, t.SimLabel, t.SimHint, "tel", "tel-national");
        }

        if (page.AppEnabled)
        {
            WriteMethodForm(sb, page, EidMethod.App, t.AppLegend, t.AppLabel, t.AppHint, "numeric", "off");
        }

        sb.Append("</div>\n");
    }

    private static void WriteMethodForm(
        StringBuilder sb, IcelandicEidPageModel page, EidMethod method, string legend, string label, string hint, string inputMode, string autocomplete)
    {
        var m = method == EidMethod.Sim ? "sim" : "app";
        var id = "eid-" + m;
        var hasError = page.ErrorMethod == method && page.ErrorMessage is not null;
        sb.Append("<form class=\"eid-method\" method=\"post\" action=\"").Append(E(page.StartUrl)).Append("\" novalidate>\n")
          .Append("<fieldset>\n<legend>").Append(E(legend)).Append("</legend>\n")
          .Append("<input type=\"hidden\" name=\"method\" value=\"").Append(m).Append("\">\n");
        if (page.State is not null)
        {
            sb.Append("<input type=\"hidden\" name=\"state\" value=\"").Append(E(page.State)).Append("\">\n");
        }

        if (page.AntiforgeryFieldName is not null)
        {
            sb.Append("<input type=\"hidden\" name=\"").Append(E(page.AntiforgeryFieldName)).Append("\" value=\"").Append(E(page.AntiforgeryToken)).Append("\">\n");
        }

        sb.Append("<label for=\"").Append(id).Append("\">").Append(E(label)).Append("</label>\n")
          .Append("<p class=\"eid-hint\" id=\"").Append(id).Append("-hint\">").Append(E(hint)).Append("</p>\n");
        if (hasError)
        {
            sb.Append("<p class=\"eid-error\" id=\"").Append(id).Append("-error\" role=\"alert\">").Append(E(page.ErrorMessage)).Append("</p>\n");
        }

        sb.Append("<input id=\"").Append(id).Append("\" name=\"identifier\" type=\"text\" inputmode=\"").Append(inputMode)
          .Append("\" autocomplete=\"").Append(autocomplete).Append("\" spellcheck=\"false\" maxlength=\"32\" required")
          .Append(" aria-describedby=\"").Append(id).Append("-hint").Append(hasError ? " " + id + "-error\" aria-invalid=\"true\"" : "\"");
        if (hasError && page.EnteredValue is not null)
        {
            sb.Append(" value=\"").Append(E(page.EnteredValue)).Append('"');
        }

        sb.Append(">\n<button type=\"submit\">").Append(E(page.Texts.Submit)).Append("</button>\n</fieldset>\n</form>\n");
    }

    private static void WriteVerify(StringBuilder sb, IcelandicEidPageModel page)
    {
        var t = page.Texts;
        sb.Append("<h1>").Append(E(t.VerifyTitle)).Append("</h1>\n")
          .Append("<div class=\"eid-verify\" data-eid-status-url=\"").Append(E(page.StatusUrl))
          .Append("\" data-eid-finish-url=\"").Append(E(page.FinishUrl))
          .Append("\" data-eid-refresh-ms=\"").Append(page.RefreshMilliseconds.ToString(CultureInfo.InvariantCulture))
          .Append("\" data-eid-seconds-left=\"").Append(page.SecondsLeft.ToString(CultureInfo.InvariantCulture)).Append("\">\n")
          .Append("<p>").Append(E(page.Method == EidMethod.Sim ? t.VerifyIntroSim : t.VerifyIntroApp)).Append("</p>\n");
        if (!string.IsNullOrEmpty(page.VerificationCode))
        {
            sb.Append("<p class=\"eid-code-label\" id=\"eid-code-label\">").Append(E(t.CodeLabel)).Append("</p>\n")
              .Append("<p class=\"eid-code\" id=\"eid-code\" aria-labelledby=\"eid-code-label\">").Append(E(page.VerificationCode)).Append("</p>\n");
        }
        else
        {
            sb.Append("<p class=\"eid-code-missing\">").Append(E(t.NoCode)).Append("</p>\n");
        }

        sb.Append("<p class=\"eid-status\" id=\"eid-status\" role=\"status\" aria-live=\"polite\">").Append(E(t.StatusWaiting)).Append("</p>\n")
          .Append("<p class=\"eid-time\">").Append(E(t.TimeLeft)).Append(": <span id=\"eid-time-left\" role=\"timer\" aria-live=\"off\">")
          .Append(FormatSeconds(page.SecondsLeft)).Append("</span></p>\n")
          .Append("<form method=\"post\" action=\"").Append(E(page.CancelUrl)).Append("\">\n");
        if (page.AntiforgeryFieldName is not null)
        {
            sb.Append("<input type=\"hidden\" name=\"").Append(E(page.AntiforgeryFieldName)).Append("\" value=\"").Append(E(page.AntiforgeryToken)).Append("\">\n");
        }

        sb.Append("<button type=\"submit\" class=\"eid-cancel\">").Append(E(t.Cancel)).Append("</button>\n</form>\n</div>\n");
    }

    private static void WriteFailure(StringBuilder sb, IcelandicEidPageModel page)
    {
        sb.Append("<h1>").Append(E(page.Texts.FailureTitle)).Append("</h1>\n")
          .Append("<p class=\"eid-error\" role=\"alert\">").Append(E(page.Message)).Append("</p>\n");
        if (page.RetryUrl is not null)
        {
            sb.Append("<p><a class=\"eid-retry\" href=\"").Append(E(page.RetryUrl)).Append("\">").Append(E(page.Texts.TryAgain)).Append("</a></p>\n");
        }
    }

    private static string FormatSeconds(int seconds)
        => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}:{seconds % 60:D2}");

    private static string E(string? value) => value is null ? string.Empty : s_html.Encode(value);
}
