using System.Globalization;
using System.Text;
using static IcelandicEid.AspNetCore.Ui.DefaultIcelandicEidPageRenderer;

namespace IcelandicEid.AspNetCore.Ui;

/// <summary>The verification page: the code (read digit by digit, emojis named), where the request went, the line
/// that says never to approve another code, a live status with a quiet indicator, late hints, a connection notice,
/// the time left, a "check now" button without JavaScript, and cancel.</summary>
internal static class VerifyHtml
{
    public static void Write(StringBuilder sb, IcelandicEidPageModel page)
    {
        var t = page.Texts;
        sb.Append("<h1 tabindex=\"-1\">").Append(E(t.VerifyTitle)).Append("</h1>\n")
          .Append("<div class=\"eid-verify\" data-eid-status-url=\"").Append(E(page.StatusUrl))
          .Append("\" data-eid-finish-url=\"").Append(E(page.FinishUrl))
          .Append("\" data-eid-refresh-ms=\"").Append(page.RefreshMilliseconds.ToString(CultureInfo.InvariantCulture))
          .Append("\" data-eid-seconds-left=\"").Append(page.SecondsLeft.ToString(CultureInfo.InvariantCulture)).Append("\">\n");

        // The code first: at large text sizes on a phone it must be on screen without scrolling.
        if (!string.IsNullOrEmpty(page.VerificationCode))
        {
            WriteCode(sb, t, page.VerificationCode);
            sb.Append("<p class=\"eid-never\">").Append(E(t.NeverApprove)).Append("</p>\n");
        }
        else
        {
            sb.Append("<p class=\"eid-code-missing\">").Append(E(t.NoCode)).Append("</p>\n");
        }

        sb.Append("<p>").Append(E(page.Method == EidMethod.Sim ? t.VerifyIntroSim : t.VerifyIntroApp)).Append("</p>\n");
        if (page.SentTo is not null)
        {
            // Seen masked; heard as "ending in 34" (the mask would be read as "bullet bullet").
            sb.Append("<p class=\"eid-sent\"").Append(page.SentToEnding is null ? ">" : " aria-hidden=\"true\">")
              .Append(E(string.Format(CultureInfo.InvariantCulture, t.SentTo, page.SentTo))).Append("</p>\n");
            if (page.SentToEnding is not null)
            {
                sb.Append("<p class=\"eid-sr\">").Append(E(string.Format(CultureInfo.InvariantCulture, page.Method == EidMethod.Sim ? t.SentToPhoneEnding : t.SentToKennitalaEnding, page.SentToEnding))).Append("</p>\n");
            }
        }

        // The hint after 20 seconds and the warning before the time runs out are written by the script into live
        // regions that are there from the start, so that screen readers announce them.
        sb.Append("<p class=\"eid-status\" id=\"eid-status\" role=\"status\" aria-live=\"polite\"><span class=\"eid-spinner\" aria-hidden=\"true\"></span>")
          .Append("<span id=\"eid-status-text\">").Append(E(t.StatusWaiting)).Append("</span></p>\n")
          .Append("<p class=\"eid-late\" id=\"eid-late\" role=\"status\" data-eid-text=\"").Append(E(page.Method == EidMethod.Sim ? t.HintSim : t.HintApp)).Append("\"></p>\n")
          .Append("<noscript><p class=\"eid-late\">").Append(E(page.Method == EidMethod.Sim ? t.HintSim : t.HintApp)).Append("</p></noscript>\n")
          .Append("<p class=\"eid-message eid-message-warn\" id=\"eid-offline\" role=\"alert\" hidden>").Append(E(t.ConnectionLost)).Append("</p>\n")
          .Append("<p class=\"eid-time-warn\" id=\"eid-time-warn\" role=\"status\" data-eid-text=\"").Append(E(t.TimeRunningOut)).Append("\"></p>\n");
        var time = string.Format(CultureInfo.InvariantCulture, t.TimeLeft, "\u0001");
        var split = time.IndexOf('\u0001', StringComparison.Ordinal);
        sb.Append("<p class=\"eid-time\">").Append(E(time[..split])).Append("<span id=\"eid-time-left\" role=\"timer\" aria-live=\"off\">")
          .Append(FormatSeconds(page.SecondsLeft)).Append("</span>").Append(E(time[(split + 1)..])).Append("</p>\n");
        if (page.VerifyUrl is not null)
        {
            sb.Append("<noscript><form method=\"get\" action=\"").Append(E(page.VerifyUrl)).Append("\"><button type=\"submit\" class=\"eid-button\">")
              .Append(E(t.CheckNow)).Append("</button></form></noscript>\n");
        }

        sb.Append("<form method=\"post\" action=\"").Append(E(page.CancelUrl)).Append("\">\n");
        if (page.AntiforgeryFieldName is not null)
        {
            sb.Append("<input type=\"hidden\" name=\"").Append(E(page.AntiforgeryFieldName)).Append("\" value=\"").Append(E(page.AntiforgeryToken)).Append("\">\n");
        }

        sb.Append("<button type=\"submit\" class=\"eid-button eid-button-quiet eid-cancel\">").Append(E(t.Cancel)).Append("</button>\n</form>\n</div>\n");
    }

    /// <summary>Digits are shown large and read one by one; emojis are shown on one line with their names beside them
    /// (for screen readers, and for a device without a colour-emoji font, where they would be empty boxes).</summary>
    private static void WriteCode(StringBuilder sb, IcelandicEidTexts t, string code)
    {
        var parts = Graphemes(code);
        var digits = parts.TrueForAll(p => p.Length == 1 && char.IsAsciiDigit(p[0]));
        var words = digits ? string.Join(' ', parts) : string.Join(", ", parts.Select(p => t.EmojiNames.TryGetValue(p, out var name) ? name : p));
        // The label is seen; the code's own words say it once to a screen reader ("Öryggistala: 1 2 3 4").
        sb.Append("<p class=\"eid-code-label\" id=\"eid-code-label\" aria-hidden=\"true\">").Append(E(t.CodeLabel)).Append("</p>\n")
          .Append("<p class=\"eid-code").Append(digits ? string.Empty : " eid-code-emoji").Append("\" id=\"eid-code\" data-code=\"").Append(E(code)).Append("\">")
          .Append("<span class=\"eid-sr\">").Append(E(t.CodeLabel)).Append(": ").Append(E(words)).Append("</span>")
          .Append("<span class=\"eid-code-chars\" aria-hidden=\"true\">");
        foreach (var part in parts)
        {
            sb.Append("<span>").Append(E(part)).Append("</span>");
        }

        sb.Append("</span></p>\n");
        if (!digits)
        {
            sb.Append("<p class=\"eid-code-words\" aria-hidden=\"true\">").Append(E(words)).Append("</p>\n");
        }
    }

    private static List<string> Graphemes(string code)
    {
        var parts = new List<string>();
        var e = StringInfo.GetTextElementEnumerator(code);
        while (e.MoveNext())
        {
            var element = e.GetTextElement();
            if (!string.IsNullOrWhiteSpace(element))
            {
                parts.Add(element);
            }
        }

        return parts;
    }

    private static string FormatSeconds(int seconds)
        => string.Create(CultureInfo.InvariantCulture, $"{seconds / 60}:{seconds % 60:D2}");
}
