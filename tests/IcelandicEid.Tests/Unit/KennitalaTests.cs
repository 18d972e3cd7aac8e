namespace IcelandicEid.Tests.Unit;

public class KennitalaTests
{
    [Theory]
    [InlineData("2410803079", "2410803079")]
    [InlineData("241080-3079", "2410803079")]
    [InlineData(" 241080 3079 ", "2410803079")]
    [InlineData("010130-2049", "0101302049")]
    [InlineData("0101901019", "0101901019")] // historic check digit fails: still a kennitala (issued without one since 2026)
    [InlineData("2902004320", "2902004320")] // 29 February 2000
    [InlineData("241080\u00A03079", "2410803079")] // non-breaking space, as copied from a PDF
    [InlineData("kt. 241080-3079", "2410803079")] // as written in letters
    [InlineData("Kt: 2410803079", "2410803079")]
    [InlineData("\u200E241080-3079\u200F", "2410803079")] // invisible direction marks from a right-to-left page
    [InlineData("\uFF12\uFF14\uFF11\uFF10\uFF18\uFF10\uFF0D\uFF13\uFF10\uFF17\uFF19", "2410803079")] // full-width
    [InlineData("241080\u20133079", "2410803079")] // en dash
    [InlineData("24 10 80 30 79", "2410803079")]
    public void Parses_well_formed_numbers(string input, string expected)
    {
        Assert.True(Kennitala.TryParse(input, out var kt, out _));
        Assert.Equal(expected, kt.Value);
    }

    [Theory]
    [InlineData("", KennitalaError.Empty)]
    [InlineData("   ", KennitalaError.Empty)]
    [InlineData("241080307", KennitalaError.Format)]
    [InlineData("24108030790", KennitalaError.Format)]
    [InlineData("241080/3079", KennitalaError.Format)]
    [InlineData("kt.", KennitalaError.Empty)]
    [InlineData("-2410803079", KennitalaError.Format)]
    [InlineData("24108o3079", KennitalaError.Format)]
    [InlineData("٢٤١٠٨٠٣٠٧٩", KennitalaError.Format)] // Arabic-Indic digits are not ASCII digits
    [InlineData("3202803079", KennitalaError.Date)] // 32nd day
    [InlineData("2913803079", KennitalaError.Date)] // 13th month
    [InlineData("2902013079", KennitalaError.Date)] // 29 February 1901 (not a leap year)
    [InlineData("2410803075", KennitalaError.Century)] // century digit 5: its own message, not the birth date one
    [InlineData("0001803079", KennitalaError.Date)]
    public void Rejects_malformed_numbers(string input, KennitalaError expected)
    {
        Assert.False(Kennitala.TryParse(input, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Check_digit_is_information_only()
    {
        Assert.True(Kennitala.Parse("2410803079").HasValidCheckDigit);
        Assert.False(Kennitala.Parse("2410803089").HasValidCheckDigit);
    }

    [Theory]
    [InlineData("2410803079", 1980, 10, 24)]
    [InlineData("0101302049", 1930, 1, 1)]
    [InlineData("1503104380", 2010, 3, 15)]
    [InlineData("0106998798", 1899, 6, 1)]
    [InlineData("6410803079", 1980, 10, 24)] // legal entity: day + 40
    public void Derives_the_date_of_birth(string input, int year, int month, int day)
        => Assert.Equal(new DateOnly(year, month, day), Kennitala.Parse(input).DateOfBirth);

    [Fact]
    public void Recognises_legal_entities()
    {
        Assert.True(Kennitala.Parse("6410803079").IsLegalEntity);
        Assert.False(Kennitala.Parse("2410803079").IsLegalEntity);
    }

    [Fact]
    public void Never_prints_itself_in_full()
    {
        var kt = Kennitala.Parse("241080-3079");
        Assert.Equal("******-**79", kt.ToString());
        Assert.Equal("******-**79", $"{kt}");
        Assert.Equal("241080-3079", kt.Formatted);
        Assert.DoesNotContain("2410803", kt.Masked, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_throws_a_clear_error()
    {
        var ex = Assert.Throws<FormatException>(() => Kennitala.Parse("12"));
        Assert.Contains("ten digits", ex.Message, StringComparison.Ordinal);
    }
}

public class PersonalDataTests
{
    [Theory]
    [InlineData("mssp_105 User 2410803079 not found", "mssp_105 User ********79 not found")]
    [InlineData("phone 888-1234 unreachable", "phone ******34 unreachable")]
    [InlineData("403: mssp_401", "403: mssp_401")]
    [InlineData("expired 2026-11-21 at 12:00, order 1234567890123", "expired 2026-11-21 at 12:00, order 1234567890123")]
    [InlineData("+354 888 1234 and 241080 3079", "***********34 and *********79")]
    [InlineData("GET /login?phone=888%201234&x=1", "GET /login?phone=******34&x=1")]
    [InlineData("POST /start identifier=%2B354+888+1234", "POST /start identifier=***********34")]
    [InlineData("/x?kt=241080%2D3079", "/x?kt=*********79")]
    [InlineData("/s%C3%AD%C3%B0a?page=2", "/s%C3%AD%C3%B0a?page=2")]
    [InlineData(null, null)]
    public void Redacts_identifiers_in_free_text(string? input, string? expected) => Assert.Equal(expected, PersonalData.Redact(input));
}
