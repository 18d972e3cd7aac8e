using System.Diagnostics;
using System.Globalization;
using System.Net;
using IcelandicEid.AspNetCore.Flow;
using IcelandicEid.AspNetCore.State;
using IcelandicEid.Redis;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Xunit.Abstractions;
using IcelandicEid.State;

namespace IcelandicEid.Tests.Stores;

/// <summary>Three app instances on a real three-primary Redis Cluster: the scale-out tests, and the cluster moving the
/// slots of pending logins under them.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ClusterScaleOutTests(RedisClusterFixture fixture, ITestOutputHelper output) : ScaleOutTestsBase
{
    protected override string Configuration => fixture.Cluster.Configuration;

    [SkippableFact]
    public async Task Logins_pending_while_their_slots_are_resharded_still_complete()
    {
        var cluster = fixture.Cluster;
        await using var site = await StartInstancesAsync(approvalDelay: TimeSpan.FromSeconds(20));
        var browsers = new List<(TestBrowser Browser, RoutingHandler Router)>();
        for (var i = 0; i < 12; i++)
        {
            var tab = site.NewBrowser();
            tab.Router.Target = i % 3;
            Assert.Equal(HttpStatusCode.SeeOther, (await tab.Browser.SubmitAsync(await tab.Browser.OpenLoginAsync(), "sim", "88" + (81000 + i).ToString(CultureInfo.InvariantCulture))).StatusCode);
            browsers.Add(tab);
        }

        // Where the pending logins are: move every slot of the primary that holds most of them to another primary.
        var prefix = site.Prefix;
        var slots = site.Redis.GetServers().Where(s => !s.IsReplica).SelectMany(s => s.Keys(pattern: prefix + "l:*")).Select(k => site.Redis.HashSlot(k)).ToList();
        Assert.Equal(12, slots.Count);
        var owners = new List<int>();
        foreach (var slot in slots)
        {
            owners.Add(await cluster.OwnerOfSlotAsync(slot));
        }

        var from = owners.GroupBy(o => o).OrderByDescending(g => g.Count()).First().Key;
        var to = cluster.Ports.First(p => p != from);
        var moving = slots.Where((_, i) => owners[i] == from).ToList();
        var slotCount = await cluster.SlotCountAsync(from);

        // The browsers keep reading their status on every instance, and polls fall due, while the slots move.
        var answers = new List<HttpStatusCode>();
        var watch = Stopwatch.StartNew();
        var reshard = cluster.ReshardAsync(from, to, slotCount);
        var round = 0;
        while (!reshard.IsCompleted)
        {
            foreach (var (browser, router) in browsers)
            {
                router.Target = round % 3;
                answers.Add((await browser.StatusAsync()).Code);
            }

            round++;
            if (round <= 30)
            {
                site.Time.Advance(TimeSpan.FromMilliseconds(500)); // polls fall due on the way, short of the approval
            }
        }

        await reshard;
        output.WriteLine($"{slotCount} slots ({moving.Count} holding pending logins) moved in {watch.Elapsed.TotalSeconds:0.0} s; {answers.Count} status reads meanwhile: {string.Join(", ", answers.GroupBy(a => a).Select(g => $"{(int)g.Key}×{g.Count()}"))}");
        foreach (var slot in moving)
        {
            Assert.Equal(to, await cluster.OwnerOfSlotAsync(slot));
        }

        Assert.NotEmpty(answers);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a));

        // Approved: every login signs in, whichever instance finishes it.
        site.Time.Advance(TimeSpan.FromSeconds(6));
        foreach (var (browser, router) in browsers)
        {
            router.Target = 1;
            var status = string.Empty;
            for (var i = 0; i < 10 && status != "succeeded"; i++)
            {
                var (code, json) = await browser.StatusAsync();
                Assert.Equal(HttpStatusCode.OK, code);
                status = json.GetProperty("status").GetString();
                site.Time.Advance(TimeSpan.FromSeconds(1));
            }

            Assert.Equal("succeeded", status);
            router.Target = 2;
            Assert.Equal("/profile", (await browser.FinishAsync()).Headers.Location!.OriginalString);
            browser.Dispose();
        }
    }
}

/// <summary>A store call whose slot is half moved (one of the login's keys already on the new primary) is refused by
/// Redis with TRYAGAIN before it runs: the store sends it again until the move ends, and the person never sees it.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ClusterSlotMoveTests(RedisClusterFixture fixture)
{
    [SkippableFact]
    public async Task A_login_whose_slot_is_half_moved_is_updated_once_the_move_ends()
    {
        var cluster = fixture.Cluster;
        using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Configuration);
        var time = new FakeTimeProvider();
        var options = new IcelandicEidRedisOptions { KeyPrefix = "move-" + Guid.NewGuid().ToString("N")[..8] + ":", OperationTimeout = TimeSpan.FromSeconds(5) };
        var store = new RedisEidLoginStore(redis, new EphemeralDataProtectionProvider(), options, time);
        var state = new EidLoginState
        {
            Id = EidLoginId.New().Value,
            Provider = "Simulator",
            Method = EidMethod.Sim,
            Identifier = "8881234",
            Reference = "ref",
            PollInterval = TimeSpan.FromSeconds(3),
            CreatedAt = time.GetUtcNow(),
            ExpiresAt = time.GetUtcNow().AddSeconds(180),
            NextPollAt = time.GetUtcNow(),
        };
        await store.CreateAsync(state, default);

        var loginKey = EidLoginId.KeyOf(state.Id);
        var key = options.KeyPrefix + "l:{" + loginKey[0] + "}" + loginKey;
        var shard = options.KeyPrefix + "pending:{" + loginKey[0] + "}";
        var slot = redis.HashSlot(key);
        Assert.Equal(slot, redis.HashSlot(shard));
        var from = await cluster.OwnerOfSlotAsync(slot);
        var to = cluster.Ports.First(p => p != from);
        await redis.GetDatabase().StringSetAsync("other-app:{" + loginKey[0] + "}key", "x", TimeSpan.FromMinutes(5)); // the slot is not ours alone

        // Start the move by hand and carry over the pending-index shard only.
        await cluster.BeginSlotMoveAsync(slot, from, to);
        await RedisClusterSet.MigrateKeysAsync(from, to, shard);

        var watch = Stopwatch.StartNew();
        var update = store.UpdateAsync(state with { Status = EidLoginStatus.Succeeded, Person = new EidPerson { Name = "Jón", NationalId = "2410803079" } }, default);
        try
        {
            await Task.Delay(300);
            Assert.False(update.IsCompleted); // refused with TRYAGAIN while the slot is half moved, and tried again
        }
        finally
        {
            // Finish the move (also when the test failed, so the cluster is whole for the next test): the login's key
            // and every other key of the slot follow, and the slot belongs to the new primary.
            await cluster.FinishSlotMoveAsync(slot, from, to);
        }

        await update;
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5));
        var consumed = await store.TryConsumeAsync(state.Id, default);
        Assert.Equal(("Jón", EidLoginStatus.Succeeded), (consumed!.Person!.Name, consumed.Status));
        Assert.Equal(0, await store.CountPendingAsync(default));
        Assert.Equal(to, await cluster.OwnerOfSlotAsync(slot));
    }
}

/// <summary>The documented smallest ACL, with the one command a cluster adds, on every primary of a real cluster.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ClusterAclTests(RedisClusterFixture fixture, ITestOutputHelper output)
{
    public const string ClusterAddition = "+cluster|nodes";

    [SkippableFact]
    public async Task A_login_works_on_a_cluster_under_the_smallest_ACL_with_cluster_nodes()
    {
        var cluster = fixture.Cluster;
        const string user = "eid-cluster";
        foreach (var port in cluster.Ports)
        {
            var rules = (TlsAclTests.SmallestAcl + " " + ClusterAddition).Split(' ');
            Assert.StartsWith("+OK", await RedisServer.CommandAsync(port, [.. new[] { "ACL", "SETUSER", user, "reset", "on", ">secret-" + user }, .. rules]), StringComparison.Ordinal);
        }

        var configuration = string.Join(',', cluster.Ports.Select(p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture))) + $",user={user},password=secret-{user},abortConnect=false,connectTimeout=2000";
        await using var app = await TestApp.StartAsync(
            o => o.Limits.HashKey = "a hash key of the app's configuration, 32+ chars",
            services: s =>
            {
                s.AddDataProtection().SetApplicationName("cluster-acl-tests");
                s.AddIcelandicEidRedis(configuration, r => r.PersistDataProtectionKeys = true);
            });
        using var browser = app.NewBrowser();
        var form = await browser.OpenLoginAsync();
        var started = await browser.SubmitAsync(form, "sim", "8881234");
        output.WriteLine($"{user}: start answered {(int)started.StatusCode}");
        Assert.Equal(HttpStatusCode.SeeOther, started.StatusCode);
        app.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal("/profile", (await browser.FinishAsync()).Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/profile")).StatusCode);
    }
}
