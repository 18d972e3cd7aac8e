using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SampleWeb;

/// <summary>The detailed health answer, for monitoring on the same machine (or inside the container) only.</summary>
public static class HealthDetails
{
    /// <summary>Whether the request comes straight from this machine (not through a proxy that forwarded it).</summary>
    public static bool IsLocal(HttpContext context)
        => context.Connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address)
            && !context.Request.Headers.ContainsKey("X-Forwarded-For");

    /// <summary>Each check's status, description and time, as JSON.</summary>
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key,
                e => new { status = e.Value.Status.ToString(), description = e.Value.Description, milliseconds = e.Value.Duration.TotalMilliseconds }),
        });
    }
}
