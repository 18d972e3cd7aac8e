namespace IcelandicEid.Tests.Unit;

public class MobileNumberTests
{
    [Theory]
    [InlineData("8881234")]
    [InlineData("\u202A+354 888 1234\u202C")] // direction marks around a pasted number
    [InlineData("\u200E888\u00A01234")]
    [InlineData("\uFF18\uFF18\uFF18\u3000\uFF11\uFF12\uFF13\uFF14")] // full-width digits and space
    [InlineData("888\u202F1234")] // narrow no-break space
    [InlineData("888-1234")]
    [InlineData("888 1234")]
    [InlineData("+354 888 1234")]
    [InlineData("+3548881234")]
    [InlineData("00354 8881234")]
    [InlineData("003548881234")]
    [InlineData("3548881234")]
    [InlineData("(+354) 888-1234")]
    [InlineData(" 888\u00A01234 ")]
    public void Accepts_what_people_type(string input)
    {
        Assert.True(IcelandicMobileNumber.TryParse(input, out var number, out _));
        Assert.Equal("8881234", number.Value);
        Assert.Equal("+3548881234", number.E164);
    }

    [Theory]
    [InlineData("", MobileNumberError.Empty)]
    [InlineData("888123", MobileNumberError.Format)]
    [InlineData("88812345", MobileNumberError.Format)]
    [InlineData("888-12a4", MobileNumberError.Format)]
    [InlineData("5551234", MobileNumberError.NotMobile)] // a landline range
    [InlineData("4121234", MobileNumberError.NotMobile)]
    [InlineData("+45 8881234", MobileNumberError.ForeignNumber)]
    [InlineData("0045 8881234", MobileNumberError.ForeignNumber)]
    [InlineData("++3548881234", MobileNumberError.Format)]
    [InlineData("888+1234", MobileNumberError.Format)]
    public void Rejects_what_is_not_an_icelandic_mobile_number(string input, MobileNumberError expected)
    {
        Assert.False(IcelandicMobileNumber.TryParse(input, out _, out var error));
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Rejects_absurdly_long_input_without_work()
        => Assert.False(IcelandicMobileNumber.TryParse(new string('8', 10_000), out _));

    [Fact]
    public void Never_prints_itself_in_full()
    {
        var number = IcelandicMobileNumber.Parse("888 1234");
        Assert.Equal("***-**34", number.ToString());
        Assert.DoesNotContain("8881", number.Masked, StringComparison.Ordinal);
    }
}
