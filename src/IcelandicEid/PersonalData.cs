using System.Text.RegularExpressions;

namespace IcelandicEid;

/// <summary>Masks what looks like a kennitala or a phone number in free text (upstream error messages) before it is logged.</summary>
public static partial class PersonalData
{
    /// <summary>Replaces every run of seven or more digits (with an optional dash or space after the sixth or third)
    /// by stars and its last two digits.</summary>
    public static string? Redact(string? text)
        => string.IsNullOrEmpty(text) ? text : Digits().Replace(text, m => new string('*', m.Length - 2) + m.Value[^2..]);

    [GeneratedRegex(@"\+?\d(?:[\d\- ]{5,}\d)", RegexOptions.CultureInvariant)]
    private static partial Regex Digits();
}
