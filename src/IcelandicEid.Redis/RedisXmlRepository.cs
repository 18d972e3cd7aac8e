using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using StackExchange.Redis;

namespace IcelandicEid.Redis;

/// <summary>Keeps the data-protection key ring in a Redis list, so every instance protects and reads with the same keys.
/// Each call fails within <see cref="IcelandicEidRedisOptions.OperationTimeout"/>; the data-protection system then
/// keeps the key ring it has, or the handler answers "try again" until Redis is back.</summary>
public sealed class RedisXmlRepository : IXmlRepository
{
    private readonly Func<IDatabase> _database;
    private readonly RedisKey _key;
    private readonly IcelandicEidRedisOptions _options;

    /// <summary>Creates the repository.</summary>
    /// <param name="database">The database holding the list.</param>
    /// <param name="key">The list's key.</param>
    /// <param name="options">Timeouts; the defaults when null.</param>
    public RedisXmlRepository(Func<IDatabase> database, string key, IcelandicEidRedisOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _key = key;
        _options = options ?? new IcelandicEidRedisOptions();
    }

    /// <inheritdoc />
    public IReadOnlyCollection<XElement> GetAllElements()
        => RedisTimeouts.Bound(_database().ListRangeAsync(_key), _options, CancellationToken.None).GetAwaiter().GetResult()
            .Select(value => XElement.Parse((string)value!)).ToList();

    /// <inheritdoc />
    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        RedisTimeouts.Bound(_database().ListRightPushAsync(_key, element.ToString(SaveOptions.DisableFormatting)), _options, CancellationToken.None)
            .GetAwaiter().GetResult();
    }
}
