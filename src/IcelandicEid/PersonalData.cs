using System.Text.RegularExpressions;

namespace IcelandicEid;

/// <summary>Masks what looks like a kennitala or an Icelandic mobile number in free text (upstream error messages,
/// log properties) before it is logged.</summary>
public static partial class PersonalData
{
    /// <summary>
    /// Replaces each kennitala (<c>DDMMYYNNNN</c>, <c>DDMMYY-NNNN</c>) and Icelandic mobile number (<c>8881234</c>,
    /// <c>888-1234</c>, <c>+354 888 1234</c>, <c>00354 8881234</c>) standing as its own word by stars and its last two
    /// digits. Other numbers (dates, amounts, error codes) are left alone. Returns the same instance when nothing matched.
    /// </summary>
    public static string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        var masked = Identifier().Replace(text, m => new string('*', m.Length - 2) + m.Value[^2..]);
        if (masked.Contains('%', StringComparison.Ordinal))
        {
            // A URL or form body: an identifier may hide behind escapes (888%201234, %2B354...). Decoded and masked,
            // the text is returned decoded when decoding revealed one.
            string decoded;
            try
            {
                decoded = Uri.UnescapeDataString(masked.Replace('+', ' '));
            }
            catch (UriFormatException)
            {
                return masked;
            }

            if (Identifier().IsMatch(decoded))
            {
                return Identifier().Replace(decoded, m => new string('*', m.Length - 2) + m.Value[^2..]);
            }
        }

        return masked;
    }

    [GeneratedRegex(@"(?<![\w-])(?:\d{6}[- ]?\d{4}|(?:\+354[ -]?|00354[ -]?)?[678]\d{2}[ -]?\d{4})(?![\w-])", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
