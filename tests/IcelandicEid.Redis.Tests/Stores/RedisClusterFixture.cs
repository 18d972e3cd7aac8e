using IcelandicEid.Tests.Infrastructure;

namespace IcelandicEid.Tests.Stores;

/// <summary>One Redis Cluster shared by the test classes of the "Redis Cluster" collection; not started when this machine lacks redis-server (the tests then
/// skip, saying what to install) unless CI is set (then it must run).</summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    private RedisClusterSet? _cluster;

    /// <summary>The cluster; skips the test when this machine cannot run one.</summary>
    public RedisClusterSet Cluster
    {
        get
        {
            RequireOrSkip();
            return _cluster ?? throw new InvalidOperationException("The cluster did not start.");
        }
    }

    /// <summary>Skips the calling test (a <c>SkippableFact</c>) when the cluster cannot run here, except under CI.</summary>
    public static void RequireOrSkip()
    {
        if (RedisClusterSet.Missing is { } missing && Environment.GetEnvironmentVariable("CI") is not { Length: > 0 })
        {
            throw new SkipException(missing);
        }
    }

    public async Task InitializeAsync()
    {
        if (RedisClusterSet.Missing is null || Environment.GetEnvironmentVariable("CI") is { Length: > 0 })
        {
            _cluster = await RedisClusterSet.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisClusterFixture>
{
    public const string Name = "Redis Cluster";
}
