using IcelandicEid.AspNetCore.Ui;

namespace IcelandicEid.Tests.Unit;

/// <summary>The wait in the refusal texts, grammatical for every number: in Icelandic a count ending in 1 (not 11) takes
/// the singular.</summary>
public class WaitTextTests
{
    [Theory]
    [InlineData(1, "1 sekúndu")]
    [InlineData(2, "2 sekúndur")]
    [InlineData(11, "11 sekúndur")]
    [InlineData(21, "21 sekúndu")]
    [InlineData(45, "45 sekúndur")]
    [InlineData(101, "101 sekúndu")]
    [InlineData(111, "111 sekúndur")]
    [InlineData(119, "119 sekúndur")]
    [InlineData(120, "2 mínútur")]
    [InlineData(180, "3 mínútur")]
    [InlineData(240, "4 mínútur")]
    [InlineData(600, "10 mínútur")]
    [InlineData(601, "11 mínútur")]
    [InlineData(660, "11 mínútur")]
    [InlineData(1260, "21 mínútu")]
    [InlineData(1801, "31 mínútu")]
    public void Icelandic(int seconds, string expected)
        => Assert.Equal(expected, IcelandicEidTexts.Icelandic.FormatWait(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(1, "1 second")]
    [InlineData(21, "21 seconds")]
    [InlineData(120, "2 minutes")]
    [InlineData(1260, "21 minutes")]
    public void English(int seconds, string expected)
        => Assert.Equal(expected, IcelandicEidTexts.English.FormatWait(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Every_count_up_to_a_day_reads_singular_exactly_when_it_ends_in_one_but_not_eleven()
    {
        for (var minutes = 2; minutes <= 24 * 60; minutes++)
        {
            var text = IcelandicEidTexts.Icelandic.FormatWait(TimeSpan.FromMinutes(minutes));
            var singular = minutes % 10 == 1 && minutes % 100 != 11;
            Assert.EndsWith(singular ? " mínútu" : " mínútur", text, StringComparison.Ordinal);
        }
    }
}
