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
internal sealed class RedisXmlRepository : IXmlRepository
{
    private readonly Func<IDatabase> _database;
    private readonly RedisKey _key;

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
        => _database().ListRange(_key).Select(value => XElement.Parse((string)value!)).ToList();

    /// <inheritdoc />
    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        _database().ListRightPush(_key, element.ToString(SaveOptions.DisableFormatting));
    }
}
