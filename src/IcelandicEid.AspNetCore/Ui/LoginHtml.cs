using System.Text;
using static IcelandicEid.AspNetCore.Ui.DefaultIcelandicEidPageRenderer;

namespace IcelandicEid.AspNetCore.Ui;

/// <summary>The login form: one choice of method, one field for it, one submit. Without JavaScript both fields show
/// and the chosen method's is used; with a browser that has <c>:has()</c> only the chosen one shows.</summary>
internal static class LoginHtml
{
    /// <summary>The heading: who is asking ("Innskráning á Mínar síður"); the generic title when no name is known.</summary>
    public static string Heading(IcelandicEidPageModel page)
    {
        var service = string.IsNullOrWhiteSpace(page.ServiceName) ? page.DisplayName : page.ServiceName;
        return string.IsNullOrWhiteSpace(service) ? page.Texts.LoginTitle : string.Format(System.Globalization.CultureInfo.InvariantCulture, page.Texts.LoginHeading, service);
    }

    public static void Write(StringBuilder sb, IcelandicEidPageModel page, string heading)
    {
        var t = page.Texts;
        sb.Append("<h1 tabindex=\"-1\">").Append(E(heading)).Append("</h1>\n");
        if (page.Notice is not null)
        {
            sb.Append("<p class=\"eid-message eid-message-info\" role=\"status\">").Append(E(page.Notice)).Append("</p>\n");
        }

        if (page.ErrorMessage is not null && page.ErrorMethod is null)
        {
            sb.Append("<p class=\"eid-message eid-message-error\" role=\"alert\">").Append(E(page.ErrorMessage)).Append("</p>\n");
        }

        var both = page.SimEnabled && page.AppEnabled;
        var chosen = !page.AppEnabled ? EidMethod.Sim : !page.SimEnabled ? EidMethod.App : page.ErrorMethod ?? page.PreferredMethod ?? EidMethod.Sim;
        sb.Append("<p>").Append(E(t.LoginIntro)).Append("</p>\n")
          .Append("<form class=\"eid-form\" method=\"post\" action=\"").Append(E(page.StartUrl)).Append("\" novalidate data-eid-login>\n");
        if (page.State is not null)
        {
            sb.Append("<input type=\"hidden\" name=\"state\" value=\"").Append(E(page.State)).Append("\">\n");
        }

        if (page.Attempt is not null)
        {
            sb.Append("<input type=\"hidden\" name=\"attempt\" value=\"").Append(E(page.Attempt)).Append("\">\n");
        }

        if (page.AntiforgeryFieldName is not null)
        {
            sb.Append("<input type=\"hidden\" name=\"").Append(E(page.AntiforgeryFieldName)).Append("\" value=\"").Append(E(page.AntiforgeryToken)).Append("\">\n");
        }

        if (both)
        {
            sb.Append("<fieldset class=\"eid-choice\">\n<legend>").Append(E(t.MethodLegend)).Append("</legend>\n");
            Option(sb, "sim", t.SimLegend, t.SimExplained, chosen == EidMethod.Sim);
            Option(sb, "app", t.AppLegend, t.AppExplained, chosen == EidMethod.App);
            sb.Append("</fieldset>\n");
        }
        else
        {
            sb.Append("<input type=\"hidden\" name=\"method\" value=\"").Append(chosen == EidMethod.Sim ? "sim" : "app").Append("\">\n")
              .Append("<p class=\"eid-explain\">").Append(E(chosen == EidMethod.Sim ? t.SimExplained : t.AppExplained)).Append("</p>\n");
        }

        if (page.SimEnabled)
        {
            Field(sb, page, EidMethod.Sim, "phone", t.SimLabel, t.SimHint, "tel", "tel-national");
        }

        if (page.AppEnabled)
        {
            Field(sb, page, EidMethod.App, "kennitala", t.AppLabel, t.AppHint, "numeric", "off");
        }

        sb.Append("<button type=\"submit\" class=\"eid-button eid-submit\" data-eid-sending=\"").Append(E(t.Sending)).Append("\">")
          .Append(E(t.Submit)).Append("</button>\n</form>\n");
    }

    private static void Option(StringBuilder sb, string m, string legend, string explained, bool chosen)
    {
        sb.Append("<div class=\"eid-option\">\n<input type=\"radio\" name=\"method\" value=\"").Append(m).Append("\" id=\"eid-m-").Append(m)
          .Append("\" aria-describedby=\"eid-m-").Append(m).Append("-explain\"").Append(chosen ? " checked" : string.Empty).Append(">\n")
          .Append("<label for=\"eid-m-").Append(m).Append("\">").Append(E(legend)).Append("</label>\n")
          .Append("<p class=\"eid-explain\" id=\"eid-m-").Append(m).Append("-explain\">").Append(E(explained)).Append("</p>\n</div>\n");
    }

    private static void Field(StringBuilder sb, IcelandicEidPageModel page, EidMethod method, string name, string label, string hint, string inputMode, string autocomplete)
    {
        var m = method == EidMethod.Sim ? "sim" : "app";
        var id = "eid-" + m;
        var hasError = page.ErrorMethod == method && page.ErrorMessage is not null;
        var value = page.ErrorMethod is null || page.ErrorMethod == method ? page.EnteredValue : null;
        if (page.ErrorMethod is null && page.PreferredMethod != method)
        {
            value = null;
        }

        sb.Append("<div class=\"eid-field eid-field-").Append(m).Append("\">\n")
          .Append("<label for=\"").Append(id).Append("\">").Append(E(label)).Append("</label>\n")
          .Append("<p class=\"eid-hint\" id=\"").Append(id).Append("-hint\">").Append(E(hint)).Append("</p>\n");
        if (hasError)
        {
            sb.Append("<p class=\"eid-field-error\" id=\"").Append(id).Append("-error\" role=\"alert\">").Append(E(page.ErrorMessage)).Append("</p>\n");
        }

        sb.Append("<input id=\"").Append(id).Append("\" name=\"").Append(name).Append("\" type=\"text\" inputmode=\"").Append(inputMode)
          .Append("\" autocomplete=\"").Append(autocomplete).Append("\" spellcheck=\"false\" autocapitalize=\"off\" maxlength=\"32\"")
          .Append(" aria-describedby=\"").Append(id).Append("-hint").Append(hasError ? " " + id + "-error\" aria-invalid=\"true\"" : "\"");
        if (value is not null)
        {
            sb.Append(" value=\"").Append(E(value)).Append('"');
        }

        sb.Append(">\n</div>\n");
    }
}
