using System.Text.RegularExpressions;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace IcelandicEid.BrowserTests;

/// <summary>What the browser tests share: screen sizes, the pages' addresses and the accessibility audit.</summary>
internal static partial class BrowserPages
{
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };
    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 900 };

    /// <summary>Fails with every axe-core violation on the page, naming the state it was in.</summary>
    public static async Task AssertAccessibleAsync(IPage page, string state)
    {
        AxeResult result = await page.RunAxe();
        var violations = result.Violations.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Html))}").ToList();
        Assert.True(violations.Count == 0, $"axe-core in state '{state}':\n" + string.Join('\n', violations));
    }

    [GeneratedRegex("/icelandic-eid/login(\\?|$)")]
    public static partial Regex LoginUrl();

    [GeneratedRegex("/icelandic-eid/verify$")]
    public static partial Regex VerifyUrl();

    [GeneratedRegex("/profile$")]
    public static partial Regex ProfileUrl();
}
