using System.Globalization;

namespace IcelandicEid.Tests.Infrastructure;

/// <summary>
/// A real Redis Cluster on loopback, started by the test: three primaries (Debian's <c>redis-server</c> with
/// <c>--cluster-enabled yes</c>), joined by <c>redis-cli --cluster create</c>, the 16384 slots split between them.
/// <see cref="Missing"/> says what to install when it is not there.
/// </summary>
public sealed class RedisClusterSet : RedisProcessSet
{
    private RedisClusterSet()
    {
    }

    /// <summary>Why this machine cannot run it, or null.</summary>
    public static string? Missing => MissingTools("Redis Cluster tests", "redis-server", "redis-cli");

    public IReadOnlyList<int> Ports { get; private set; } = [];

    /// <summary>A StackExchange.Redis configuration string naming the three primaries.</summary>
    public string Configuration
        => string.Join(',', Ports.Select(p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture)))
            + ",abortConnect=false,connectTimeout=2000,syncTimeout=3000,connectRetry=1";

    public static async Task<RedisClusterSet> StartAsync()
    {
        var set = new RedisClusterSet();
        try
        {
            var ports = new List<int>();
            for (var i = 0; i < 3; i++)
            {
                var port = RedisServer.FreePort();
                await set.StartServerAsync(port,
                [
                    "--cluster-enabled", "yes",
                    "--cluster-config-file", Path.Combine(set.Directory, $"nodes-{port}.conf"),
                    "--cluster-node-timeout", "2000",
                    "--cluster-port", RedisServer.FreePort().ToString(CultureInfo.InvariantCulture), // not port + 10000, which may be taken
                    "--dir", set.Directory,
                ]);
                ports.Add(port);
            }

            set.Ports = ports;
            await RedisCliAsync([.. new[] { "--cluster", "create" }, .. ports.Select(p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture)), "--cluster-replicas", "0", "--cluster-yes"]);
            await set.WaitUntilAsync(set.AgreedAsync, TimeSpan.FromSeconds(30));
            return set;
        }
        catch
        {
            await set.DisposeAsync();
            throw;
        }
    }

    /// <summary>The node id of the primary on a port.</summary>
    public static async Task<string> NodeIdAsync(int port) => Bulk(await CommandAsync(port, "CLUSTER", "MYID"));

    /// <summary>The port of the primary that serves a hash slot, as the cluster itself says.</summary>
    public async Task<int> OwnerOfSlotAsync(int slot)
        => (await SlotRangesAsync()).FirstOrDefault(r => slot >= r.Low && slot <= r.High) is { Port: > 0 } range
            ? range.Port
            : throw new InvalidOperationException("No node serves slot " + slot);

    /// <summary>How many slots the primary on a port serves.</summary>
    public async Task<int> SlotCountAsync(int port) => (await SlotRangesAsync()).Where(r => r.Port == port).Sum(r => r.High - r.Low + 1);

    /// <summary>Which primary serves which slots (from <c>CLUSTER NODES</c>).</summary>
    private async Task<List<(int Port, int Low, int High)>> SlotRangesAsync()
    {
        var ranges = new List<(int Port, int Low, int High)>();
        foreach (var line in Bulk(await CommandAsync(Ports[0], "CLUSTER", "NODES")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split(' ');
            var port = int.Parse(fields[1].Split('@')[0].Split(':')[1], CultureInfo.InvariantCulture);
            foreach (var range in fields.Skip(8).Where(f => !f.StartsWith('[')))
            {
                var ends = range.Split('-');
                var low = int.Parse(ends[0], CultureInfo.InvariantCulture);
                ranges.Add((port, low, ends.Length == 2 ? int.Parse(ends[1], CultureInfo.InvariantCulture) : low));
            }
        }

        return ranges;
    }

    /// <summary>Moves <paramref name="slots"/> slots from one primary to another with <c>redis-cli --cluster
    /// reshard</c>, keys and all, while clients go on using them, and waits until every node agrees again.</summary>
    public async Task ReshardAsync(int fromPort, int toPort, int slots)
    {
        await RedisCliAsync(
            "--cluster", "reshard", "127.0.0.1:" + fromPort.ToString(CultureInfo.InvariantCulture),
            "--cluster-from", await NodeIdAsync(fromPort),
            "--cluster-to", await NodeIdAsync(toPort),
            "--cluster-slots", slots.ToString(CultureInfo.InvariantCulture),
            "--cluster-yes");
        await WaitUntilAsync(AgreedAsync, TimeSpan.FromSeconds(30));
    }

    /// <summary>Starts moving one slot by hand (<c>CLUSTER SETSLOT … IMPORTING/MIGRATING</c>), keys not yet moved.</summary>
    public async Task BeginSlotMoveAsync(int slot, int fromPort, int toPort)
    {
        var slotText = slot.ToString(CultureInfo.InvariantCulture);
        await ExpectOkAsync(toPort, "CLUSTER", "SETSLOT", slotText, "IMPORTING", await NodeIdAsync(fromPort));
        await ExpectOkAsync(fromPort, "CLUSTER", "SETSLOT", slotText, "MIGRATING", await NodeIdAsync(toPort));
    }

    /// <summary>Moves some keys of a slot being moved to the new primary (<c>MIGRATE</c>).</summary>
    public static Task MigrateKeysAsync(int fromPort, int toPort, params string[] keys)
        => ExpectOkAsync(fromPort, [.. new[] { "MIGRATE", "127.0.0.1", toPort.ToString(CultureInfo.InvariantCulture), string.Empty, "0", "5000", "KEYS" }, .. keys]);

    /// <summary>Moves the slot's remaining keys (other tests' too) and gives the slot to the new primary, the new
    /// primary told first and then the old, as a resharding does; waits until every node agrees.</summary>
    public async Task FinishSlotMoveAsync(int slot, int fromPort, int toPort)
    {
        var slotText = slot.ToString(CultureInfo.InvariantCulture);
        while (BulkArray(await CommandAsync(fromPort, "CLUSTER", "GETKEYSINSLOT", slotText, "100")) is { Count: > 0 } keys)
        {
            await MigrateKeysAsync(fromPort, toPort, [.. keys]);
        }

        var toId = await NodeIdAsync(toPort);
        foreach (var port in Ports.OrderBy(p => p == toPort ? 0 : p == fromPort ? 1 : 2))
        {
            await ExpectOkAsync(port, "CLUSTER", "SETSLOT", slotText, "NODE", toId);
        }

        await WaitUntilAsync(AgreedAsync, TimeSpan.FromSeconds(30));
    }

    private static async Task ExpectOkAsync(int port, params string[] words)
    {
        var answer = await CommandAsync(port, words);
        if (!answer.StartsWith("+OK", StringComparison.Ordinal) && !answer.StartsWith("+NOKEY", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{string.Join(' ', words.Take(3))} on {port}: {answer}");
        }
    }

    /// <summary>The strings of a RESP array of bulk strings.</summary>
    private static List<string> BulkArray(string answer)
    {
        var lines = answer.Split("\r\n");
        if (!lines[0].StartsWith('*'))
        {
            throw new InvalidOperationException("Unexpected answer: " + answer);
        }

        var items = new List<string>();
        for (var i = 2; i < lines.Length && items.Count < int.Parse(lines[0].AsSpan(1), CultureInfo.InvariantCulture); i += 2)
        {
            items.Add(lines[i]);
        }

        return items;
    }

    /// <summary>Whether every node says the cluster is up and <c>redis-cli --cluster check</c> finds nothing open.</summary>
    private async Task<bool> AgreedAsync()
    {
        foreach (var port in Ports)
        {
            if (!(await CommandAsync(port, "CLUSTER", "INFO")).Contains("cluster_state:ok", StringComparison.Ordinal))
            {
                return false;
            }
        }

        try
        {
            await RedisCliAsync("--cluster", "check", "127.0.0.1:" + Ports[0].ToString(CultureInfo.InvariantCulture));
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The text of a RESP bulk-string answer.</summary>
    private static string Bulk(string answer)
    {
        if (!answer.StartsWith('$'))
        {
            throw new InvalidOperationException("Unexpected answer: " + answer);
        }

        var start = answer.IndexOf("\r\n", StringComparison.Ordinal) + 2;
        var length = int.Parse(answer.AsSpan(1, start - 3), CultureInfo.InvariantCulture);
        return answer.Substring(start, length);
    }
}
