using IcelandicEid.AspNetCore;

namespace IcelandicEid.Tests.Unit;

public class ReturnUrlTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/profile")]
    [InlineData("/profile?tab=1&x=%20y")]
    [InlineData("/a/b#c")]
    public void Local_paths_are_allowed(string url) => Assert.True(ReturnUrls.IsLocal(url));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("profile")]
    [InlineData("https://evil.example")]
    [InlineData("//evil.example")]
    [InlineData("///evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("\\\\evil.example")]
    [InlineData("/%2Fevil.example")]
    [InlineData("/%2fevil.example")]
    [InlineData("%2F%2Fevil.example")]
    [InlineData("/%5Cevil.example")]
    [InlineData("/%252F%252Fevil.example")]
    [InlineData("/\t/evil.example")]
    [InlineData("/\r\n/evil.example")]
    [InlineData("/%09/evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData(" /profile")]
    public void Anything_that_can_leave_the_site_is_refused(string? url) => Assert.False(ReturnUrls.IsLocal(url));
}
