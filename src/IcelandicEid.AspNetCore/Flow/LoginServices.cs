using IcelandicEid.AspNetCore.State;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Flow;

/// <summary>What the login units share for one scheme: the store, the start rules, the provider, telemetry and the clock.</summary>
internal sealed class LoginServices(
    IEidLoginStore store,
    IEidAbuseLimiter limiter,
    IIcelandicEidProvider provider,
    IcelandicEidMetrics metrics,
    ILogger logger,
    IcelandicEidOptions options,
    TimeProvider time,
    CurrentLoginCache? current = null)
{
    public CurrentLoginCache Current { get; } = current ?? new(time);

    public IEidLoginStore Store { get; } = store;

    /// <summary>How long a login found current is taken to stay so before a poll asks the marker again.</summary>
    public TimeSpan ContestFreshness { get; } = store is IEidContestedLogins ? CurrentLoginCache.FreshnessWithStoreNotice : CurrentLoginCache.Freshness;

    public StartRules Rules { get; } = new(limiter, options, time);

    public IIcelandicEidProvider Provider { get; } = provider;

    public IcelandicEidMetrics Metrics { get; } = metrics;

    public ILogger Logger { get; } = logger;

    public IcelandicEidOptions Options { get; } = options;

    public TimeProvider Time { get; } = time;

    public void StoreError(Exception exception) => Log.StoreError(Logger, exception);
}

/// <summary>The challenge's <see cref="AuthenticationProperties"/> as kept in a login's state.</summary>
internal static class LoginProperties
{
    public static string Serialize(AuthenticationProperties properties)
        => Convert.ToBase64String(PropertiesSerializer.Default.Serialize(properties));

    /// <summary>The login's properties; when unreadable, new ones that go to <paramref name="defaultReturnUrl"/>.</summary>
    public static AuthenticationProperties Read(EidLoginState login, string defaultReturnUrl)
    {
        if (login.Properties is not null)
        {
            try
            {
                if (PropertiesSerializer.Default.Deserialize(Convert.FromBase64String(login.Properties)) is { } properties)
                {
                    return properties;
                }
            }
            catch (FormatException)
            {
            }
        }

        return new AuthenticationProperties { RedirectUri = defaultReturnUrl };
    }
}
