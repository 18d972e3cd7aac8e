using IcelandicEid.AspNetCore;
using IcelandicEid.AspNetCore.Http;

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

    [Theory]
    [InlineData("/profile", "/profile")]
    [InlineData("/síða", "/s%C3%AD%C3%B0a")]
    [InlineData("/fréttir?q=Jón", "/fr%C3%A9ttir?q=J%C3%B3n")]
    [InlineData("/a b?c=\"d\"", "/a%20b?c=%22d%22")]
    [InlineData("/emoji/🐑", "/emoji/%F0%9F%90%91")]
    [InlineData("/already%20encoded", "/already%20encoded")]
    [InlineData("/a/./b/../c", "/a/c")]
    [InlineData("/a/..", "/")]
    [InlineData("/..", "/")]
    [InlineData("/x/%2E%2E/y", "/y")]
    public void Normalize_resolves_dot_segments_and_percent_encodes(string url, string expected)
        => Assert.Equal(expected, ReturnUrls.Normalize(url));

    [Theory]
    [InlineData("/.//evil.example/x")]
    [InlineData("/./%2F/evil.example")]
    [InlineData("/a/..//evil.example")]
    [InlineData("/%2e//evil.example/x")]
    [InlineData("//evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData(null)]
    public void Normalize_refuses_what_would_leave_the_site_once_resolved(string? url)
        => Assert.Null(ReturnUrls.Normalize(url));
}
