using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Stores;

/// <summary>
/// Pending logins in any <see cref="IDistributedCache"/> (for example <c>AddStackExchangeRedisCache</c> or a SQL
/// Server cache), for apps that already have one.
/// </summary>
/// <remarks>
/// <b>Weaker guarantees than the Redis store</b>: <see cref="IDistributedCache"/> has no compare-and-set, so each
/// operation is a read followed by a write. Two instances racing within a few milliseconds may both win a poll lease
/// (one extra upstream poll) or both consume a completed login (the same person signed in twice in two browsers
/// that already share the login cookie). State is data-protected and expires with the login.
/// </remarks>
internal sealed class DistributedCacheEidLoginStore : IEidLoginStore
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.General);

    private readonly IDistributedCache _cache;
    private readonly IDataProtector _protector;
    private readonly TimeProvider _time;

    /// <summary>Creates the store.</summary>
    public DistributedCacheEidLoginStore(IDistributedCache cache, IDataProtectionProvider dataProtection, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(dataProtection);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _cache = cache;
        _protector = dataProtection.CreateProtector("IcelandicEid.DistributedCache.LoginState", "v1");
        _time = timeProvider;
    }

    /// <inheritdoc />
    public Task CreateAsync(EidLoginState state, CancellationToken cancellationToken) => WriteAsync(state, cancellationToken);

    /// <inheritdoc />
    public async Task<EidLoginState?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var data = await _cache.GetAsync(Key(id), cancellationToken);
        if (data is null)
        {
            return null;
        }

        try
        {
            var state = JsonSerializer.Deserialize<EidLoginState>(_protector.Unprotect(data), s_json);
            return state is null || state.ExpiresAt <= _time.GetUtcNow() ? null : state;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<bool> TryBeginPollAsync(string id, DateTimeOffset now, DateTimeOffset nextPollAt, CancellationToken cancellationToken)
    {
        var state = await GetAsync(id, cancellationToken);
        if (state is null || state.IsCompleted || state.NextPollAt > now)
        {
            return false;
        }

        await WriteAsync(state with { NextPollAt = nextPollAt }, cancellationToken);
        return true;
    }

    /// <inheritdoc />
    public async Task UpdateAsync(EidLoginState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (await GetAsync(state.Id, cancellationToken) is { IsCompleted: false })
        {
            await WriteAsync(state, cancellationToken);
        }
    }

    /// <inheritdoc />
    public async Task<EidLoginState?> TryConsumeAsync(string id, CancellationToken cancellationToken)
    {
        var state = await GetAsync(id, cancellationToken);
        if (state is not { IsCompleted: true })
        {
            return null;
        }

        await _cache.RemoveAsync(Key(id), cancellationToken);
        return state;
    }

    /// <inheritdoc />
    public Task RemoveAsync(string id, CancellationToken cancellationToken) => _cache.RemoveAsync(Key(id), cancellationToken);

    private Task WriteAsync(EidLoginState state, CancellationToken cancellationToken)
        => _cache.SetAsync(
            Key(state.Id),
            _protector.Protect(JsonSerializer.SerializeToUtf8Bytes(state, s_json)),
            new DistributedCacheEntryOptions { AbsoluteExpiration = state.ExpiresAt },
            cancellationToken);

    private static string Key(string id)
        => "icelandic-eid:login:" + EidLoginId.KeyOf(id);
}
