using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using StackExchange.Redis;

namespace IcelandicEid.Redis;

/// <summary>Keeps the data-protection key ring in a Redis list, so every instance protects and reads with the same keys.</summary>
public sealed class RedisXmlRepository : IXmlRepository
{
    private readonly Func<IDatabase> _database;
    private readonly RedisKey _key;

    /// <summary>Creates the repository.</summary>
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
