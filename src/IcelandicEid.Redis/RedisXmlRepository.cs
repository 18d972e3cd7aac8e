using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using StackExchange.Redis;

namespace IcelandicEid.Redis;

/// <summary>Keeps the data-protection key ring in a Redis list, so every instance protects and reads with the same keys.
/// The data-protection system calls it synchronously, so it uses StackExchange.Redis's synchronous calls, which fail
/// after the connection's <c>syncTimeout</c> (set to <see cref="IcelandicEidRedisOptions.OperationTimeout"/> by the
/// connection-string overload of <c>AddIcelandicEidRedis</c>); blocking on an asynchronous call instead could deadlock
/// on the client's own thread. The data-protection system then keeps the key ring it has, or the handler answers "try
/// again" until Redis is back.</summary>
/// <remarks>It remembers every element it has read or stored, so that after Redis has lost its data it can write its
/// own keys back (<see cref="Reconcile"/>): an instance that goes on with its key ring then still agrees with one that
/// started after the loss.</remarks>
internal sealed class RedisXmlRepository : IXmlRepository
{
    private readonly Func<IDatabase> _database;
    private readonly RedisKey _key;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    /// <summary>Creates the repository.</summary>
    /// <param name="database">The database holding the list.</param>
    /// <param name="key">The list's key.</param>
    public RedisXmlRepository(Func<IDatabase> database, string key)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _key = key;
    }

    /// <inheritdoc />
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var stored = _database().ListRange(_key).Select(value => (string)value!).ToList();
        lock (_known)
        {
            _known.UnionWith(stored);
        }

        return stored.Select(text => XElement.Parse(text)).ToList();
    }

    /// <inheritdoc />
    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        var text = element.ToString(SaveOptions.DisableFormatting);
        _database().ListRightPush(_key, text);
        lock (_known)
        {
            _known.Add(text);
        }
    }

    /// <summary>
    /// Compares the key ring in Redis with what this instance has read and stored: writes back the elements Redis no
    /// longer holds (it lost its data, and another instance may already have written a new key), and says whether
    /// Redis holds elements this instance has not read (so its key ring should be read again).
    /// </summary>
    /// <returns>Whether the key ring in Redis differs from this instance's (before any write-back).</returns>
    public bool Reconcile()
    {
        var database = _database();
        var stored = new HashSet<string>(database.ListRange(_key).Select(value => (string)value!), StringComparer.Ordinal);
        string[] missing;
        bool unread;
        lock (_known)
        {
            missing = [.. _known.Where(text => !stored.Contains(text))];
            unread = stored.Any(text => !_known.Contains(text));
        }

        foreach (var text in missing)
        {
            database.ListRightPush(_key, text);
        }

        return missing.Length > 0 || unread;
    }
}
