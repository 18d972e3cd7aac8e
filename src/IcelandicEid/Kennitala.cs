using System.Diagnostics.CodeAnalysis;

namespace IcelandicEid;

/// <summary>Why a string is not a kennitala.</summary>
public enum KennitalaError
{
    /// <summary>Nothing was given.</summary>
    Empty,

    /// <summary>Not ten digits (spaces and dashes between them are allowed).</summary>
    Format,

    /// <summary>The first six digits do not make a real date.</summary>
    Date,

    /// <summary>The last digit, the century, is not 9 (1900s), 0 (2000s) or 8 (1800s).</summary>
    Century,
}

/// <summary>
/// An Icelandic national identity number (kennitala): ten digits, written <c>DDMMYY-NNNN</c>.
/// </summary>
/// <remarks>
/// <para>
/// Parsing checks the shape and that the birth date is a real date; it does not reject a number whose
/// check digit fails, because since 18 February 2026 Registers Iceland issues kennitölur without a computed
/// check digit. <see cref="HasValidCheckDigit"/> reports the historic check as information only.
/// </para>
/// <para>
/// A kennitala is personal data. <see cref="ToString"/> returns the masked form so that an accidental
/// log line or string interpolation never writes it in full; use <see cref="Value"/> deliberately.
/// </para>
/// </remarks>
public readonly struct Kennitala : IEquatable<Kennitala>
{
    private static readonly int[] s_weights = [3, 2, 7, 6, 5, 4, 3, 2];

    private Kennitala(string value) => Value = value;

    /// <summary>The ten digits, without a dash.</summary>
    public string Value { get; }

    /// <summary>The number as people write it: <c>DDMMYY-NNNN</c>.</summary>
    public string Formatted => Value is null ? string.Empty : string.Concat(Value.AsSpan(0, 6), "-", Value.AsSpan(6));

    /// <summary>A form safe for logs: only the last two digits are shown, for example <c>******-**29</c>.</summary>
    public string Masked => Mask(Value);

    /// <summary>Whether this identifies a legal entity (company, association): the day is written plus 40.</summary>
    public bool IsLegalEntity => Value is not null && Value[0] >= '4';

    /// <summary>Whether the historic modulus-11 check digit (the ninth digit) matches. Information only.</summary>
    public bool HasValidCheckDigit => Value is not null && ComputeCheckDigit(Value) == Value[8] - '0';

    /// <summary>The date of birth (or of registration, for a legal entity) that the number encodes.</summary>
    public DateOnly DateOfBirth
    {
        get
        {
            if (Value is null)
            {
                return default;
            }

            TryGetDate(Value, out var date);
            return date;
        }
    }

    /// <summary>Parses a kennitala, throwing <see cref="FormatException"/> if it is not one.</summary>
    /// <param name="input">Ten digits with an optional dash or space after the sixth.</param>
    public static Kennitala Parse(string input)
    {
        if (TryParse(input, out var kennitala, out var error))
        {
            return kennitala;
        }

        throw new FormatException(error switch
        {
            KennitalaError.Empty => "No kennitala was given.",
            KennitalaError.Date => "The kennitala does not encode a real date.",
            KennitalaError.Century => "The last digit of a kennitala (the century) is 9, 0 or 8.",
            _ => "A kennitala is ten digits, optionally written DDMMYY-NNNN.",
        });
    }

    /// <summary>Parses a kennitala.</summary>
    public static bool TryParse([NotNullWhen(true)] string? input, out Kennitala kennitala)
        => TryParse(input, out kennitala, out _);

    /// <summary>Parses a kennitala and says why it failed.</summary>
    /// <param name="input">Ten digits, with spaces or dashes between them and an optional <c>kt.</c> before them, as
    /// people type and paste them: non-breaking spaces, invisible direction marks and full-width digits are folded.</param>
    /// <param name="kennitala">The parsed number.</param>
    /// <param name="error">Why parsing failed, when it did.</param>
    public static bool TryParse([NotNullWhen(true)] string? input, out Kennitala kennitala, out KennitalaError error)
    {
        kennitala = default;
        var span = TypedInput.Fold(input ?? string.Empty).AsSpan().Trim();
        if (span.StartsWith("kt", StringComparison.OrdinalIgnoreCase))
        {
            // "kt. 241080-3079", as it is written in letters and signatures.
            span = span[2..].TrimStart('.').TrimStart(':').Trim();
        }

        if (span.IsEmpty)
        {
            error = KennitalaError.Empty;
            return false;
        }

        Span<char> digits = stackalloc char[10];
        var count = 0;
        foreach (var c in span)
        {
            if (c is >= '0' and <= '9')
            {
                if (count == 10)
                {
                    error = KennitalaError.Format;
                    return false;
                }

                digits[count++] = c;
            }
            else if (c is not (' ' or '-') || count == 0)
            {
                error = KennitalaError.Format;
                return false;
            }
        }

        if (count != 10)
        {
            error = KennitalaError.Format;
            return false;
        }

        if (digits[9] is not ('8' or '9' or '0'))
        {
            error = KennitalaError.Century;
            return false;
        }

        var value = new string(digits);
        if (!TryGetDate(value, out _))
        {
            error = KennitalaError.Date;
            return false;
        }

        kennitala = new Kennitala(value);
        error = default;
        return true;
    }

    /// <summary>Masks a kennitala-like string for logs, keeping only its last two characters.</summary>
    public static string Mask(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        return value.Length <= 4 ? new string('*', value.Length) : "******-**" + value[^2..];
    }

    /// <summary>Computes the historic check digit of the first eight digits; 10 means no valid digit exists.</summary>
    internal static int ComputeCheckDigit(string value)
    {
        var sum = 0;
        for (var i = 0; i < 8; i++)
        {
            sum += (value[i] - '0') * s_weights[i];
        }

        var check = 11 - (sum % 11);
        return check == 11 ? 0 : check;
    }

    private static bool TryGetDate(string value, out DateOnly date)
    {
        date = default;
        var day = ((value[0] - '0') * 10) + (value[1] - '0');
        var month = ((value[2] - '0') * 10) + (value[3] - '0');
        var yy = ((value[4] - '0') * 10) + (value[5] - '0');
        var century = value[9] switch
        {
            '8' => 1800,
            '9' => 1900,
            '0' => 2000,
            _ => -1,
        };

        if (century < 0)
        {
            return false;
        }

        if (day > 40)
        {
            day -= 40;
        }

        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(century + yy, month))
        {
            return false;
        }

        date = new DateOnly(century + yy, month, day);
        return true;
    }

    /// <inheritdoc />
    public bool Equals(Kennitala other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Kennitala other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => Value is null ? 0 : StringComparer.Ordinal.GetHashCode(Value);

    /// <summary>The masked form (see <see cref="Masked"/>); never the full number.</summary>
    public override string ToString() => Masked;

    /// <summary>Compares two kennitölur.</summary>
    public static bool operator ==(Kennitala left, Kennitala right) => left.Equals(right);

    /// <summary>Compares two kennitölur.</summary>
    public static bool operator !=(Kennitala left, Kennitala right) => !left.Equals(right);
}
