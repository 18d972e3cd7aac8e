using System.Diagnostics;
using System.Globalization;

namespace IcelandicEid.Tests.Infrastructure;

/// <summary>
/// A real Redis with Sentinel on loopback, started by the test: a primary, a replica and three sentinels watching them
/// as <c>mymaster</c> (quorum 2, a primary counted down after 1 s), all Debian's <c>redis-server</c> (the sentinels run
/// it with <c>--sentinel</c>). <see cref="Missing"/> says what to install when it is not there.
/// </summary>
public sealed class RedisSentinelSet : RedisProcessSet
{
    public const string ServiceName = "mymaster";

    private RedisSentinelSet()
    {
    }

    /// <summary>Why this machine cannot run it, or null.</summary>
    public static string? Missing => MissingTools("Redis Sentinel tests", "redis-server");

    public int PrimaryPort { get; private set; }

    public int ReplicaPort { get; private set; }

    public IReadOnlyList<int> SentinelPorts { get; private set; } = [];

    public Process Primary => ProcessOn(PrimaryPort);

    /// <summary>A StackExchange.Redis configuration string naming the three sentinels and the service.</summary>
    public string Configuration
        => string.Join(',', SentinelPorts.Select(p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture)))
            + $",serviceName={ServiceName},abortConnect=false,connectTimeout=2000,syncTimeout=2000,connectRetry=3";

    public static async Task<RedisSentinelSet> StartAsync()
    {
        var set = new RedisSentinelSet();
        try
        {
            set.PrimaryPort = RedisServer.FreePort();
            set.ReplicaPort = RedisServer.FreePort();
            await set.StartServerAsync(set.PrimaryPort, []);
            await set.StartServerAsync(set.ReplicaPort, ["--replicaof", "127.0.0.1", set.PrimaryPort.ToString(CultureInfo.InvariantCulture)]);
            var sentinels = new List<int>();
            for (var i = 0; i < 3; i++)
            {
                var port = RedisServer.FreePort();
                var config = Path.Combine(set.Directory, $"sentinel-{port}.conf");
                await File.WriteAllTextAsync(config, string.Join('\n',
                    $"port {port}",
                    "bind 127.0.0.1",
                    $"dir {set.Directory}",
                    $"sentinel monitor {ServiceName} 127.0.0.1 {set.PrimaryPort} 2",
                    $"sentinel down-after-milliseconds {ServiceName} 1000",
                    $"sentinel failover-timeout {ServiceName} 4000",
                    $"sentinel parallel-syncs {ServiceName} 1",
                    string.Empty));
                await set.StartServerAsync(port, [], config, sentinel: true);
                sentinels.Add(port);
            }

            set.SentinelPorts = sentinels;
            await set.WaitUntilAsync(async () => (await CommandAsync(set.ReplicaPort, "INFO", "replication")).Contains("master_link_status:up", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
            return set;
        }
        catch
        {
            await set.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the primary outright (SIGKILL), as a crashed machine.</summary>
    public void KillPrimary()
    {
        Primary.Kill();
        Primary.WaitForExit();
    }

    /// <summary>Waits until the sentinels name the replica as the primary.</summary>
    public Task WaitForPromotionAsync(TimeSpan within)
        => WaitUntilAsync(
            async () => (await CommandAsync(SentinelPorts[0], "SENTINEL", "get-master-addr-by-name", ServiceName)).Contains(ReplicaPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal),
            within,
            allowedToDie: Primary);
}
