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
        => string.IsNullOrEmpty(text) ? text : Identifier().Replace(text, m => new string('*', m.Length - 2) + m.Value[^2..]);

    [GeneratedRegex(@"(?<![\w-])(?:\d{6}[- ]?\d{4}|(?:\+354[ -]?|00354[ -]?)?[678]\d{2}[ -]?\d{4})(?![\w-])", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
