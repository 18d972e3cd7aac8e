namespace IcelandicEid.AspNetCore;

/// <summary>Limits on starting logins, against push bombing (configuration section <c>IcelandicEid:Limits</c>).
/// They hold across instances when the limiter is shared (Redis).</summary>
public sealed class IcelandicEidLimitOptions
{
    /// <summary>At most one pending login per phone number or kennitala. Default true. The browser that already has
    /// one pending for the identifier is taken back to its verification page instead of starting another.</summary>
    public bool OnePendingLoginPerIdentifier { get; set; } = true;

    /// <summary>Starts allowed per phone number or kennitala in <see cref="Window"/>; 0 for no limit. Default 5.</summary>
    public int StartsPerIdentifier { get; set; } = 5;

    /// <summary>Starts allowed per client IP address in <see cref="Window"/>; 0 for no limit. Default 30. Behind a
    /// reverse proxy, use the forwarded-headers middleware so the client's own address is seen.</summary>
    public int StartsPerClientAddress { get; set; } = 30;

    /// <summary>The window of the start limits. Default 10 minutes.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);
}
