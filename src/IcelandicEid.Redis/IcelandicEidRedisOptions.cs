namespace IcelandicEid.Redis;

/// <summary>Settings of the Redis store, limiter and key ring.</summary>
public sealed class IcelandicEidRedisOptions
{
    /// <summary>Prefix of every key. Default <c>icelandic-eid:</c>. Give each app its own when apps share one Redis.</summary>
    public string KeyPrefix { get; set; } = "icelandic-eid:";

    /// <summary>The Redis database number; -1 for the connection's default. Default -1.</summary>
    public int Database { get; set; } = -1;

    /// <summary>Keep the data-protection key ring in Redis, so a cookie or login reference issued by one instance is read
    /// by the others. Default true. Also set the same <c>SetApplicationName</c> on every instance.</summary>
    public bool PersistDataProtectionKeys { get; set; } = true;

    /// <summary>The Redis key (after the prefix) of the data-protection key ring. Default <c>DataProtection-Keys</c>.</summary>
    public string DataProtectionKey { get; set; } = "DataProtection-Keys";

    /// <summary>How long an approved or failed login's state (and its personal data) is kept for the browser to finish.
    /// Default 60 seconds; never longer than the login's own expiry.</summary>
    public TimeSpan CompletedLoginRetention { get; set; } = TimeSpan.FromSeconds(60);
}
