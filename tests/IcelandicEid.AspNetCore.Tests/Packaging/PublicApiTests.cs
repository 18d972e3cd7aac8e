using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace IcelandicEid.Tests.Packaging;

/// <summary>
/// The public surface of each package, checked against <c>src/{package}/PublicAPI.txt</c>: a change to what users can
/// see must come with a change to that list. To accept a change on purpose, run the tests with
/// <c>UPDATE_PUBLIC_API=1</c> and review the diff of the lists.
/// </summary>
public class PublicApiTests
{
    public static TheoryData<string> Packages => new() { "IcelandicEid", "IcelandicEid.AspNetCore", "IcelandicEid.Clients", "IcelandicEid.Redis" };

    [Theory]
    [MemberData(nameof(Packages))]
    public void The_public_surface_matches_the_checked_in_list(string package)
    {
        var assembly = Assembly.Load(package);
        var actual = Describe(assembly);
        var path = Path.Combine(RepositoryRoot(), "src", package, "PublicAPI.txt");
        if (Environment.GetEnvironmentVariable("UPDATE_PUBLIC_API") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.True(File.Exists(path), $"{path} is missing: run the tests with UPDATE_PUBLIC_API=1 to write it.");
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        var missing = expected.Split('\n').Except(actual.Split('\n')).ToList();
        var added = actual.Split('\n').Except(expected.Split('\n')).ToList();
        Assert.True(
            missing.Count == 0 && added.Count == 0,
            $"The public API of {package} changed without {path}.\nAdded:\n  {string.Join("\n  ", added)}\nRemoved:\n  {string.Join("\n  ", missing)}\nIf intended, run the tests with UPDATE_PUBLIC_API=1.");
    }

    [Fact]
    public void No_extension_method_lands_on_a_type_apps_use_everywhere()
    {
        foreach (var package in Packages)
        {
            var assembly = Assembly.Load(package!.ToString()!);
            foreach (var method in assembly.GetExportedTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)))
            {
                if (!method.IsDefined(typeof(ExtensionAttribute)))
                {
                    continue;
                }

                // Extensions are for the app's builders only, in their own namespaces (as ASP.NET Core does).
                var target = method.GetParameters()[0].ParameterType;
                Assert.True(
                    target.Namespace is "Microsoft.Extensions.DependencyInjection" or "Microsoft.AspNetCore.Authentication" or "Microsoft.Extensions.Diagnostics.HealthChecks",
                    $"{method.DeclaringType}.{method.Name} extends {target}, a type apps use everywhere.");
            }
        }
    }

    internal static string Describe(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (var type in assembly.GetExportedTypes())
        {
            var kind = type.IsEnum ? "enum" : type.IsInterface ? "interface" : type.IsValueType ? "struct" : type.IsAbstract && type.IsSealed ? "static class" : type.IsSealed ? "sealed class" : type.IsAbstract ? "abstract class" : "class";
            var baseType = type.BaseType is { } b && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum) ? " : " + Name(b) : string.Empty;
            lines.Add($"{kind} {Name(type)}{baseType}");
            if (type.IsEnum)
            {
                lines.AddRange(Enum.GetNames(type).Select(n => $"{Name(type)}.{n}"));
                continue;
            }

            const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var member in type.GetMembers(flags))
            {
                if (Describe(type, member) is { } line)
                {
                    lines.Add(line);
                }
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return string.Join("\n", lines.Distinct()) + "\n";
    }

    private static string? Describe(Type type, MemberInfo member)
    {
        static bool Visible(MethodBase? m) => m is not null && (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly);
        var prefix = Name(type) + ".";
        switch (member)
        {
            case ConstructorInfo c when Visible(c):
                return $"{prefix}ctor({Parameters(c)})";
            case MethodInfo m when Visible(m) && !m.IsSpecialName:
                var generic = m.IsGenericMethod ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : string.Empty;
                return $"{prefix}{(m.IsStatic ? "static " : string.Empty)}{m.Name}{generic}({Parameters(m)}) -> {Name(m.ReturnType)}";
            case PropertyInfo p when Visible(p.GetMethod) || Visible(p.SetMethod):
                var accessors = (Visible(p.GetMethod) ? "get; " : string.Empty) + (Visible(p.SetMethod) ? (p.SetMethod!.ReturnParameter.GetRequiredCustomModifiers().Any(t => t.Name == "IsExternalInit") ? "init; " : "set; ") : string.Empty);
                return $"{prefix}{p.Name} : {Name(p.PropertyType)} {{ {accessors}}}";
            case FieldInfo f when (f.IsPublic || f.IsFamily) && !f.IsSpecialName:
                return $"{prefix}{(f.IsLiteral ? "const " : f.IsStatic ? "static " : string.Empty)}{f.Name} : {Name(f.FieldType)}";
            case EventInfo e when Visible(e.AddMethod):
                return $"{prefix}event {e.Name} : {Name(e.EventHandlerType!)}";
            case Type nested when nested.IsNestedPublic:
                return null; // listed as its own type
            default:
                return null;
        }
    }

    private static string Parameters(MethodBase method)
        => string.Join(", ", method.GetParameters().Select(p => Name(p.ParameterType) + " " + p.Name + (p.HasDefaultValue ? " = " + (p.DefaultValue ?? "null") : string.Empty)));

    private static string Name(Type type)
    {
        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        if (type.IsByRef)
        {
            return "ref " + Name(type.GetElementType()!);
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!) + "[]";
        }

        var name = (type.IsNested ? Name(type.DeclaringType!) + "+" : type.Namespace + ".") + type.Name;
        if (type.IsGenericType)
        {
            var tick = name.IndexOf('`', StringComparison.Ordinal);
            name = (tick > 0 ? name[..tick] : name) + "<" + string.Join(", ", type.GetGenericArguments().Select(Name)) + ">";
        }

        return name;
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "AuthHandler.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("AuthHandler.sln not found above " + AppContext.BaseDirectory);
    }
}
