using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using IcelandicEid.AspNetCore.Http;

namespace IcelandicEid.AspNetCore.Endpoints;

/// <summary>
/// The page script and stylesheet, embedded in the assembly and served under a name that carries a hash of their
/// content (<c>eid.3f2a….js</c>), so they are cached for a year and a new version is never mixed with an old page.
/// </summary>
internal static class Assets
{
    public static readonly Asset Script = Load("eid.js", "text/javascript; charset=utf-8");
    public static readonly Asset Stylesheet = Load("eid.css", "text/css; charset=utf-8");

    /// <summary>The sub-path a page links to.</summary>
    public static string PathOf(Asset asset) => IcelandicEidDefaults.AssetsSubPath + "/" + asset.VersionedName;

    /// <summary>Serves <c>/assets/eid.{hash}.js</c> and <c>.css</c>. A name with another hash (a page from an older or
    /// newer instance during a rolling deployment) gets today's content, cached only briefly.</summary>
    public static async Task<bool> TryServeAsync(EidRequest r, string name)
    {
        var asset = name.EndsWith(".js", StringComparison.Ordinal) ? Script : name.EndsWith(".css", StringComparison.Ordinal) ? Stylesheet : null;
        if (asset is null || !name.StartsWith("eid.", StringComparison.Ordinal) || name.AsSpan(4).ContainsAny("/\\"))
        {
            return false;
        }

        if (!HttpMethods.IsGet(r.Request.Method) && !HttpMethods.IsHead(r.Request.Method))
        {
            return r.MethodNotAllowed("GET, HEAD");
        }

        var response = r.Response;
        response.ContentType = asset.ContentType;
        response.Headers.CacheControl = name == asset.VersionedName ? "public, max-age=31536000, immutable" : "public, max-age=60";
        response.Headers.ETag = asset.ETag;
        response.Headers.XContentTypeOptions = "nosniff";
        if (r.Request.Headers.IfNoneMatch == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return true;
        }

        response.ContentLength = asset.Content.Length;
        if (!HttpMethods.IsHead(r.Request.Method))
        {
            await response.Body.WriteAsync(asset.Content, r.Context.RequestAborted);
        }

        return true;
    }

    private static Asset Load(string name, string contentType)
    {
        using var stream = typeof(Assets).Assembly.GetManifestResourceStream("IcelandicEid.Assets." + name)
            ?? throw new InvalidOperationException("Missing embedded asset " + name);
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var content = memory.ToArray();
        var hash = Convert.ToHexStringLower(SHA256.HashData(content), 0, 6);
        var dot = name.LastIndexOf('.');
        return new Asset(name[..dot] + "." + hash + name[dot..], contentType, content, "\"" + hash + "\"");
    }
}

/// <summary>One embedded asset.</summary>
internal sealed record Asset(string VersionedName, string ContentType, byte[] Content, string ETag);
