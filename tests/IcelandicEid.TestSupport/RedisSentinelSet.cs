using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace IcelandicEid.Tests.Infrastructure;

/// <summary>
/// A real Redis with Sentinel on loopback, started by the test: a primary, a replica and three sentinels watching them
/// as <c>mymaster</c> (quorum 2, a primary counted down after 1 s), all Debian's <c>redis-server</c> (the sentinels run
/// it with <c>--sentinel</c>). <see cref="Missing"/> says what to install when it is not there.
/// </summary>
public sealed class RedisSentinelSet : IAsyncDisposable
{
    public const string ServiceName = "mymaster";
    private readonly List<Process> _processes = [];
    private readonly string _dir = Directory.CreateTempSubdirectory("eid-sentinel-").FullName;

    private RedisSentinelSet()
    {
    }

    /// <summary>Why this machine cannot run it, or null.</summary>
    public static string? Missing => RedisServer.FindOnPath("redis-server") is null
        ? "Redis Sentinel tests need Debian's redis-server (apt-get install redis-server)."
        : null;

    public int PrimaryPort { get; private set; }

    public int ReplicaPort { get; private set; }

    public IReadOnlyList<int> SentinelPorts { get; private set; } = [];

    public Process Primary => _processes[0];

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
            await set.StartAsync(set.PrimaryPort, []);
            await set.StartAsync(set.ReplicaPort, ["--replicaof", "127.0.0.1", set.PrimaryPort.ToString(CultureInfo.InvariantCulture)]);
            var sentinels = new List<int>();
            for (var i = 0; i < 3; i++)
            {
                var port = RedisServer.FreePort();
                var config = Path.Combine(set._dir, $"sentinel-{port}.conf");
                await File.WriteAllTextAsync(config, string.Join('\n',
                    $"port {port}",
                    "bind 127.0.0.1",
                    $"dir {set._dir}",
                    $"sentinel monitor {ServiceName} 127.0.0.1 {set.PrimaryPort} 2",
                    $"sentinel down-after-milliseconds {ServiceName} 1000",
                    $"sentinel failover-timeout {ServiceName} 4000",
                    $"sentinel parallel-syncs {ServiceName} 1",
                    string.Empty));
                await set.StartAsync(port, [], config, sentinel: true);
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
            within);

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Sends one command to a server on loopback and returns the answer's text; empty when it is down.</summary>
    public static async Task<string> CommandAsync(int port, params string[] words)
    {
        try
        {
            return await RedisServer.CommandAsync(port, words);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return string.Empty;
        }
    }

    private async Task StartAsync(int port, string[] extra, string? config = null, bool sentinel = false)
    {
        var start = new ProcessStartInfo(RedisServer.FindOnPath("redis-server")!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (config is not null)
        {
            start.ArgumentList.Add(config);
        }

        if (sentinel)
        {
            start.ArgumentList.Add("--sentinel");
        }
        else
        {
            foreach (var arg in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no" })
            {
                start.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in extra)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start redis-server");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add(process);
        await WaitUntilAsync(async () => (await CommandAsync(port, "PING")).StartsWith("+PONG", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
    }

    private async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > within)
            {
                throw new TimeoutException("Redis Sentinel set-up: a condition did not hold within " + within);
            }

            if (_processes.FirstOrDefault(p => p.HasExited) is { } dead && dead != Primary)
            {
                throw new InvalidOperationException("redis-server exited with code " + dead.ExitCode);
            }

            await Task.Delay(100);
        }
    }
}
