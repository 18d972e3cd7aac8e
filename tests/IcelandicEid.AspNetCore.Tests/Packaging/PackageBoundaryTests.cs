using System.Reflection;
using System.Runtime.CompilerServices;
using System.Xml.Linq;

namespace IcelandicEid.Tests.Packaging;

/// <summary>
/// Which package may lean on which. The state contracts (store, limiter, login state, contest) live in the core package,
/// so a store such as Redis's is written against them alone: no ASP.NET Core framework, no handler package, and no
/// peeking at anyone's internals.
/// </summary>
public class PackageBoundaryTests
{
    public static TheoryData<string> FrameworkFree => new() { "IcelandicEid", "IcelandicEid.Redis" };

    [Theory]
    [MemberData(nameof(FrameworkFree))]
    public void Framework_free_packages_reference_neither_the_handler_nor_the_AspNetCore_framework(string package)
    {
        var project = XDocument.Load(Path.Combine(PublicApiTests.RepositoryRoot(), "src", package, package + ".csproj"));
        Assert.Empty(project.Descendants("FrameworkReference"));
        Assert.DoesNotContain(project.Descendants("ProjectReference"), r => ((string?)r.Attribute("Include") ?? string.Empty).Contains("AspNetCore", StringComparison.Ordinal));

        // Data protection comes as its own package (the key ring's repository); nothing else of ASP.NET Core may.
        var references = Assembly.Load(package).GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.DoesNotContain("IcelandicEid.AspNetCore", references);
        Assert.All(
            references.Where(r => r.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal)),
            r => Assert.StartsWith("Microsoft.AspNetCore.DataProtection", r, StringComparison.Ordinal));
    }

    /// <summary>Test projects of packages without ASP.NET Core build none either, through any project they reference
    /// (a project built only to be run as its own process, such as the upstream emulator, is not referenced).</summary>
    [Theory]
    [InlineData("tests/IcelandicEid.Tests/IcelandicEid.Tests.csproj")]
    [InlineData("tests/IcelandicEid.Clients.Tests/IcelandicEid.Clients.Tests.csproj")]
    public void Tests_of_framework_free_packages_build_no_AspNetCore(string project)
    {
        var root = PublicApiTests.RepositoryRoot();
        var pending = new Stack<string>([Path.GetFullPath(Path.Combine(root, project))]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.TryPop(out var path))
        {
            if (!seen.Add(path))
            {
                continue;
            }

            var document = XDocument.Load(path);
            var name = Path.GetFileName(path);
            Assert.False((string?)document.Root!.Attribute("Sdk") == "Microsoft.NET.Sdk.Web", $"{name} is a web project.");
            Assert.DoesNotContain(document.Descendants("FrameworkReference"), r => (string?)r.Attribute("Include") == "Microsoft.AspNetCore.App");
            Assert.DoesNotContain(document.Descendants("PackageReference"), r => ((string?)r.Attribute("Include") ?? string.Empty).StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal));
            foreach (var reference in document.Descendants("ProjectReference").Where(r => (string?)r.Attribute("ReferenceOutputAssembly") != "false"))
            {
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, (string)reference.Attribute("Include")!)));
            }
        }

        Assert.True(seen.Count > 1);
    }

    [Fact]
    public void No_package_opens_its_internals_to_the_Redis_store()
    {
        foreach (var package in PublicApiTests.Packages)
        {
            var friends = Assembly.Load(package!.ToString()!).GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName);
            Assert.DoesNotContain("IcelandicEid.Redis", friends);
        }
    }
}
