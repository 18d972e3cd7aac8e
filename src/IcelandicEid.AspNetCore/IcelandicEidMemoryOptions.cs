using IcelandicEid.AspNetCore.State;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore;

/// <summary>Caps of the default in-memory store and limiter, bound from <c>IcelandicEid:Memory</c>. When a flood
/// fills either, new logins get "try again" (HTTP 503) instead of memory growing without bound.</summary>
public sealed class IcelandicEidMemoryOptions
{
    /// <summary>The most logins (pending or completed) held at once. Default 100,000 (about 100 MB at most).</summary>
    public int MaxLogins { get; set; } = InMemoryEidLoginStore.DefaultMaxEntries;

    /// <summary>The most limiter keys (counters and locks) held at once. Default 200,000.</summary>
    public int MaxLimiterKeys { get; set; } = InMemoryEidAbuseLimiter.DefaultMaxEntries;

    /// <summary>Checks the options, naming every one that is wrong.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range.</exception>
    public void Validate()
    {
        var errors = new List<string>();
        if (MaxLogins < 1)
        {
            errors.Add($"IcelandicEid:Memory:MaxLogins must be at least 1 (was {MaxLogins}).");
        }

        if (MaxLimiterKeys < 1)
        {
            errors.Add($"IcelandicEid:Memory:MaxLimiterKeys must be at least 1 (was {MaxLimiterKeys}).");
        }

        if (errors.Count > 0)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(nameof(IcelandicEidMemoryOptions), typeof(IcelandicEidMemoryOptions), errors);
        }
    }
}
