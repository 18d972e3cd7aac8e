using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace IcelandicEid.AspNetCore.Flow;

/// <summary>
/// The secret of one rendering of the login form: a random value in a hidden field. A start joins a login that is
/// being started or was just started in the same browser only when it carries the same value, so that a double click
/// ends in one login; a browser id alone (a cookie that can be planted or copied) never joins anyone's login.
/// </summary>
internal static class StartAttempt
{
    /// <summary>The form field and JSON property that carry it.</summary>
    public const string FieldName = "attempt";

    private const int MaxLength = 64;

    /// <summary>A new value for a form: 128 random bits.</summary>
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));

    /// <summary>The value a start carried, or null when it carried none or something that is not one of ours.</summary>
    public static string? Read(string? posted)
        => posted is { Length: >= 16 and <= MaxLength } && posted.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? posted : null;

    /// <summary>What the limiter keeps of it: a hash (the value itself stays in the page), "-" for none.</summary>
    public static string Tag(string? attempt)
        => attempt is null ? "-" : Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(attempt)).AsSpan(0, 12));
}
