using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Logging;
using IcelandicEid.State;

namespace IcelandicEid.Redis;

/// <summary>
/// Keeps the instances' key rings in agreement after Redis loses its data. The data-protection system reads its key ring
/// once and keeps it for a day (a key it does not know is looked up again only in the first two minutes after start),
/// so an instance that went on across the loss never learns the key a restarted instance wrote, and its own key is gone
/// from Redis: each refuses the other's cookies. Every <see cref="IcelandicEidRedisOptions.KeyRingCheckInterval"/>, when
/// the handler serves a request, this compares the key ring in Redis with the instance's own, writes back the elements
/// Redis lost, and, when they differ, makes the data-protection system read its key ring again (through the key
/// manager's cache-expiration token, which it wraps).
/// </summary>
internal sealed partial class KeyRingWatcher(IKeyManager inner, RedisXmlRepository repository, TimeSpan interval, TimeProvider time, ILogger<KeyRingWatcher> logger)
    : IKeyManager, IEidPeriodicCheck
{
    private CancellationTokenSource _changed = new();
    private long _nextCheckTicks = (time.GetUtcNow() + interval).UtcTicks;
    private int _running;

    /// <inheritdoc />
    public void RunIfDue()
    {
        var now = time.GetUtcNow().UtcTicks;
        var due = Interlocked.Read(ref _nextCheckTicks);
        if (now < due || Interlocked.CompareExchange(ref _nextCheckTicks, now + interval.Ticks, due) != due
            || Interlocked.Exchange(ref _running, 1) == 1)
        {
            return;
        }

        _ = Task.Run(Check);
    }

    /// <summary>One comparison; the key ring is read again when it differs.</summary>
    public void Check()
    {
        try
        {
            if (repository.Reconcile())
            {
                Changed(logger);
                Interlocked.Exchange(ref _changed, new CancellationTokenSource()).Cancel();
            }
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or System.Xml.XmlException)
        {
            CheckFailed(logger, ex); // Redis in trouble: the next check tries again
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
    }

    /// <inheritdoc />
    public CancellationToken GetCacheExpirationToken()
        => CancellationTokenSource.CreateLinkedTokenSource(inner.GetCacheExpirationToken(), Volatile.Read(ref _changed).Token).Token;

    /// <inheritdoc />
    public IKey CreateNewKey(DateTimeOffset activationDate, DateTimeOffset expirationDate) => inner.CreateNewKey(activationDate, expirationDate);

    /// <inheritdoc />
    public IReadOnlyCollection<IKey> GetAllKeys() => inner.GetAllKeys();

    /// <inheritdoc />
    public void RevokeKey(Guid keyId, string? reason = null) => inner.RevokeKey(keyId, reason);

    /// <inheritdoc />
    public void RevokeAllKeys(DateTimeOffset revocationDate, string? reason = null) => inner.RevokeAllKeys(revocationDate, reason);

    [LoggerMessage(1, LogLevel.Warning, "The data-protection key ring in Redis differed from this instance's (Redis lost its data, or another instance wrote a key): this instance's keys were written back where missing and its key ring is read again.")]
    private static partial void Changed(ILogger logger);

    [LoggerMessage(2, LogLevel.Debug, "The data-protection key ring in Redis could not be compared with this instance's; the next check tries again.")]
    private static partial void CheckFailed(ILogger logger, Exception exception);
}
