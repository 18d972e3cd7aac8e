namespace IcelandicEid.Redis;

/// <summary>Settings of the Redis store, limiter and key ring.</summary>
public sealed class IcelandicEidRedisOptions
{
    /// <summary>With the connection-string overload and <c>ssl=true</c>: the path of the certificate authority (PEM or
    /// DER) that issued the Redis server's certificate, when it is not one the machine trusts (a managed Redis's or your
    /// own). Only certificates issued by it are accepted. Default none: the machine's trust store.</summary>
    public string? TrustedCertificateAuthority { get; set; }

    /// <summary>Prefix of every key. Default <c>icelandic-eid:</c>. Give each app its own when apps share one Redis. No
    /// braces: the store adds the hash tags that keep a login's keys in one slot of a Redis Cluster.</summary>
    public string KeyPrefix { get; set; } = "icelandic-eid:";

    /// <summary>The Redis database number; -1 for the connection's default. Default -1. A Redis Cluster has database 0
    /// only.</summary>
    public int Database { get; set; } = -1;

    /// <summary>Keep the app's data-protection key ring in Redis, so a cookie or login reference issued by one instance
    /// is read by the others. Default false: the key ring protects every cookie of the app, not only this library's, so
    /// taking it over is the app's choice. Set it (with <see cref="KeyRingEncryptionSecret"/> and the same
    /// <c>SetApplicationName</c> on every instance) unless the app already shares its key ring some other way.</summary>
    public bool PersistDataProtectionKeys { get; set; }

    /// <summary>The Redis key (after the prefix) of the data-protection key ring. Default <c>DataProtection-Keys</c>.</summary>
    public string DataProtectionKey { get; set; } = "DataProtection-Keys";

    /// <summary>With <see cref="PersistDataProtectionKeys"/>: how often an instance compares the key ring in Redis with
    /// its own (when the handler serves a request), writes back what Redis lost and reads the key ring again when they
    /// differ, so that instances agree again after Redis loses its data without a restart. Default 30 seconds.</summary>
    public TimeSpan KeyRingCheckInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an approved or failed login's state (and its personal data) is kept for the browser to finish.
    /// Default 60 seconds; never longer than the login's own expiry.</summary>
    public TimeSpan CompletedLoginRetention { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest any one Redis call of the store, the limiter or the key ring may take before it fails and the
    /// person gets "try again" (HTTP 503). Default 2 seconds. With the connection-string overload it also becomes the
    /// connection's sync, async and connect timeouts; a connection of the app's own may have longer ones (5 seconds by
    /// default), so every asynchronous call is bounded by this as well, and a Redis that stalls (a frozen VM, a network
    /// partition) never holds a login longer. The key ring's calls are synchronous and bounded by the connection's
    /// <c>syncTimeout</c>: with a connection of the app's own, set it as low.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the limiter keeps the identifier-hash key it read from Redis before reading it again, so that
    /// instances agree again soon after Redis lost its data. Default 30 seconds. Not used when
    /// <c>IcelandicEid:Limits:HashKey</c> is configured (recommended).</summary>
    public TimeSpan HashKeyRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A secret (at least 32 characters, the same on every instance; from a secret store or an environment
    /// variable, never from source control) that encrypts the data-protection key ring at rest in Redis with
    /// AES-256-GCM. Default none. Without it, or another encryptor such as <c>ProtectKeysWithCertificate</c>, anyone who
    /// can read Redis can forge the app's sign-in cookies; the app then logs a warning at startup in Production.</summary>
    public string? KeyRingEncryptionSecret { get; set; }

    /// <summary>Checks the options, naming every one that is wrong; called by <c>AddIcelandicEidRedis</c>.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is out of range.</exception>
    public void Validate()
    {
        var errors = new List<string>();
        void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
            {
                errors.Add($"IcelandicEidRedisOptions.{name} must be positive (was {value}).");
            }
        }

        if (string.IsNullOrEmpty(KeyPrefix))
        {
            errors.Add("IcelandicEidRedisOptions.KeyPrefix must not be empty: it keeps this app's keys apart (and is what an ACL's key pattern names).");
        }
        else if (KeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            errors.Add("IcelandicEidRedisOptions.KeyPrefix must not contain '{' or '}': the store puts its own hash tags after it, so that on a Redis Cluster each login's keys share a slot and logins spread over the primaries.");
        }

        if (string.IsNullOrEmpty(DataProtectionKey))
        {
            errors.Add("IcelandicEidRedisOptions.DataProtectionKey must not be empty.");
        }

        if (Database < -1)
        {
            errors.Add($"IcelandicEidRedisOptions.Database must be -1 (the connection's) or a database number (was {Database}).");
        }

        Positive(OperationTimeout, nameof(OperationTimeout));
        Positive(CompletedLoginRetention, nameof(CompletedLoginRetention));
        Positive(HashKeyRefreshInterval, nameof(HashKeyRefreshInterval));
        Positive(KeyRingCheckInterval, nameof(KeyRingCheckInterval));
        if (KeyRingEncryptionSecret is { Length: < 32 })
        {
            errors.Add("IcelandicEidRedisOptions.KeyRingEncryptionSecret must be at least 32 characters.");
        }

        if (errors.Count > 0)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(nameof(IcelandicEidRedisOptions), typeof(IcelandicEidRedisOptions), errors);
        }
    }
}
