using System.Diagnostics.CodeAnalysis;

namespace IcelandicEid;

/// <summary>Why a string is not an Icelandic mobile number.</summary>
public enum MobileNumberError
{
    /// <summary>Nothing was given.</summary>
    Empty,

    /// <summary>Not seven digits after an optional +354 or 00354.</summary>
    Format,

    /// <summary>Seven digits, but not in a mobile range (mobile numbers start with 6, 7 or 8).</summary>
    NotMobile,

    /// <summary>A country code other than Iceland's (+354).</summary>
    ForeignNumber,
}

/// <summary>
/// An Icelandic mobile number: seven digits after the country code +354, starting with 6, 7 or 8.
/// </summary>
/// <remarks>
/// Accepts what people type: <c>8881234</c>, <c>888-1234</c>, <c>888 1234</c>, <c>+354 888 1234</c>,
/// <c>00354 8881234</c> or <c>(+354) 888-1234</c>. A phone number is personal data: <see cref="ToString"/>
/// returns the masked form.
/// </remarks>
public readonly struct IcelandicMobileNumber : IEquatable<IcelandicMobileNumber>
{
    private IcelandicMobileNumber(string value) => Value = value;

    /// <summary>The seven digits, as the upstream APIs expect them.</summary>
    public string Value { get; }

    /// <summary>The E.164 form, <c>+3548881234</c>.</summary>
    public string E164 => Value is null ? string.Empty : "+354" + Value;

    /// <summary>A form safe for logs, for example <c>***-**34</c>.</summary>
    public string Masked => Mask(Value);

    /// <summary>Parses a mobile number, throwing <see cref="FormatException"/> if it is not one.</summary>
    public static IcelandicMobileNumber Parse(string input)
    {
        if (TryParse(input, out var number, out var error))
        {
            return number;
        }

        throw new FormatException(error switch
        {
            MobileNumberError.Empty => "No mobile number was given.",
            MobileNumberError.NotMobile => "Icelandic mobile numbers start with 6, 7 or 8.",
            MobileNumberError.ForeignNumber => "Only Icelandic (+354) mobile numbers are supported.",
            _ => "An Icelandic mobile number is seven digits, for example 888 1234.",
        });
    }

    /// <summary>Parses a mobile number.</summary>
    public static bool TryParse([NotNullWhen(true)] string? input, out IcelandicMobileNumber number)
        => TryParse(input, out number, out _);

    /// <summary>Parses a mobile number and says why it failed.</summary>
    public static bool TryParse([NotNullWhen(true)] string? input, out IcelandicMobileNumber number, out MobileNumberError error)
    {
        number = default;
        if (string.IsNullOrWhiteSpace(input))
        {
            error = MobileNumberError.Empty;
            return false;
        }

        input = TypedInput.Fold(input);
        if (input.Length > 32)
        {
            error = MobileNumberError.Format;
            return false;
        }

        Span<char> buffer = stackalloc char[32];
        var length = 0;
        var plus = false;
        foreach (var c in input)
        {
            if (c is >= '0' and <= '9')
            {
                buffer[length++] = c;
            }
            else if (c == '+' && length == 0 && !plus)
            {
                plus = true;
            }
            else if (c is ' ' or '-' or '.' or '(' or ')' or '\u00A0' or '\u2013' or '\t')
            {
                // Separators people type.
            }
            else
            {
                error = MobileNumberError.Format;
                return false;
            }
        }

        ReadOnlySpan<char> digits = buffer[..length];
        if (plus)
        {
            if (!digits.StartsWith("354"))
            {
                error = MobileNumberError.ForeignNumber;
                return false;
            }

            digits = digits[3..];
        }
        else if (digits.StartsWith("00"))
        {
            if (!digits.StartsWith("00354"))
            {
                error = MobileNumberError.ForeignNumber;
                return false;
            }

            digits = digits[5..];
        }
        else if (digits.Length == 10 && digits.StartsWith("354"))
        {
            digits = digits[3..];
        }

        if (digits.Length != 7)
        {
            error = MobileNumberError.Format;
            return false;
        }

        if (digits[0] is not ('6' or '7' or '8'))
        {
            error = MobileNumberError.NotMobile;
            return false;
        }

        number = new IcelandicMobileNumber(new string(digits));
        error = default;
        return true;
    }

    /// <summary>Masks a phone-number-like string for logs, keeping only its last two digits.</summary>
    public static string Mask(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        return value.Length <= 4 ? new string('*', value.Length) : "***-**" + value[^2..];
    }

    /// <inheritdoc />
    public bool Equals(IcelandicMobileNumber other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is IcelandicMobileNumber other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Value is null ? 0 : StringComparer.Ordinal.GetHashCode(Value);

    /// <summary>The masked form (see <see cref="Masked"/>); never the full number.</summary>
    public override string ToString() => Masked;

    /// <summary>Compares two numbers.</summary>
    public static bool operator ==(IcelandicMobileNumber left, IcelandicMobileNumber right) => left.Equals(right);

    /// <summary>Compares two numbers.</summary>
    public static bool operator !=(IcelandicMobileNumber left, IcelandicMobileNumber right) => !left.Equals(right);
}
