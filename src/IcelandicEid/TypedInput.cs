using System.Globalization;
using System.Text;

namespace IcelandicEid;

/// <summary>
/// What people paste is not what they see: a kennitala copied from a PDF carries a non-breaking space, one copied from
/// a right-to-left page an invisible direction mark, one typed on a phone with a Japanese keyboard full-width digits.
/// This folds those into plain ASCII digits, spaces and hyphens before an identifier is parsed.
/// </summary>
internal static class TypedInput
{
    /// <summary>Invisible formatting characters dropped, every kind of space a plain space, every dash a hyphen, and
    /// full-width digits, plus and hyphen their ASCII forms.</summary>
    public static string Fold(string input)
    {
        var needed = false;
        foreach (var c in input)
        {
            if (c > '\u007E')
            {
                needed = true;
                break;
            }
        }

        if (!needed)
        {
            return input;
        }

        var sb = new StringBuilder(input.Length);
        foreach (var c in input)
        {
            switch (c)
            {
                case >= '\uFF10' and <= '\uFF19':
                    sb.Append((char)('0' + (c - '\uFF10')));
                    break;
                case '\uFF0B':
                    sb.Append('+');
                    break;
                case '\uFF0D' or (>= '\u2010' and <= '\u2015') or '\u2212' or '\uFE63':
                    sb.Append('-');
                    break;
                case '\u00AD':
                    break; // soft hyphen
                default:
                    switch (CharUnicodeInfo.GetUnicodeCategory(c))
                    {
                        case UnicodeCategory.Format:
                            break; // direction marks, zero-width spaces and joiners, byte-order marks
                        case UnicodeCategory.SpaceSeparator:
                            sb.Append(' ');
                            break;
                        default:
                            sb.Append(c);
                            break;
                    }

                    break;
            }
        }

        return sb.ToString();
    }
}
