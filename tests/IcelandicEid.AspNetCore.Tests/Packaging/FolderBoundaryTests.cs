using System.Text.RegularExpressions;

namespace IcelandicEid.Tests.Packaging;

/// <summary>
/// The handler package's folders lean one way only. <c>State/</c> holds the in-memory store and limiter and
/// <c>Stores/</c> the <c>IDistributedCache</c> store, both leaning on nothing here; <c>Flow/</c> (one login from start to finish, its rules and outcomes) leans on <c>State/</c> alone and
/// knows neither HTTP nor page text; <c>Ui/</c> (rendering and texts) knows the flow's outcomes; <c>Http/</c> (the
/// request, cookies, URLs, preferences) and <c>Endpoints/</c> (thin adapters) sit on top. Read from the sources, so a
/// new file that breaks the direction fails here.
/// </summary>
public partial class FolderBoundaryTests
{
    private static readonly Dictionary<string, string[]> s_allowed = new()
    {
        ["State"] = [],
        ["Stores"] = [],
        ["Flow"] = ["State"],
        ["Ui"] = ["Flow"],
        ["Http"] = ["Flow", "State", "Ui"],
        ["Endpoints"] = ["Flow", "Http", "State", "Ui"],
        ["Events"] = [],
    };

    [Fact]
    public void Folders_depend_one_way_with_no_cycle()
    {
        var root = Path.Combine(PublicApiTests.RepositoryRoot(), "src", "IcelandicEid.AspNetCore");
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var folder in s_allowed.Keys)
        {
            var uses = graph[folder] = [];
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs"))
            {
                var text = File.ReadAllText(file);
                foreach (var other in s_allowed.Keys.Where(o => o != folder))
                {
                    if (text.Contains("IcelandicEid.AspNetCore." + other, StringComparison.Ordinal)
                        || Regex.IsMatch(text, @"(?<![\w.])" + other + @"\.[A-Z]"))
                    {
                        uses.Add(other);
                        Assert.True(s_allowed[folder].Contains(other), $"{folder}/{Path.GetFileName(file)} uses {other}/, which {folder}/ may not lean on.");
                    }
                }
            }
        }

        // Whatever the allowed lists say, the graph found has no cycle.
        var done = new HashSet<string>();
        foreach (var start in graph.Keys)
        {
            Visit(start, []);
        }

        void Visit(string folder, HashSet<string> path)
        {
            Assert.True(path.Add(folder), "A cycle between folders: " + string.Join(" → ", path.Append(folder)));
            if (done.Add(folder))
            {
                foreach (var next in graph[folder])
                {
                    Visit(next, [.. path]);
                }
            }
        }
    }

    [Theory]
    [InlineData("Flow")]
    [InlineData("State")]
    [InlineData("Stores")]
    public void The_flow_and_the_stores_know_no_HTTP_and_no_page_text(string folder)
    {
        var root = Path.Combine(PublicApiTests.RepositoryRoot(), "src", "IcelandicEid.AspNetCore", folder);
        foreach (var file in Directory.EnumerateFiles(root, "*.cs"))
        {
            var text = File.ReadAllText(file);
            foreach (var forbidden in (string[])["Microsoft.AspNetCore.Http", "HttpContext", "AuthenticationProperties", "IcelandicEidTexts"])
            {
                Assert.False(text.Contains(forbidden, StringComparison.Ordinal), $"{folder}/{Path.GetFileName(file)} uses {forbidden}.");
            }
        }
    }
}
