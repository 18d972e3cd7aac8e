using System.Diagnostics;
using System.Globalization;
using System.Text;
using IcelandicEid;
using IcelandicEid.AspNetCore;
using IcelandicEid.AspNetCore.Flow;
using IcelandicEid.AspNetCore.State;
using IcelandicEid.Redis;
using IcelandicEid.Simulation;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using IcelandicEid.State;

/// <summary>
/// The pieces of a status request one at a time, each in a loop of sequential calls against the real Redis:
/// microseconds of this process's CPU per call, and of Redis's. Shows what a poll costs beside a read.
/// </summary>
internal static class Micro
{
    public static async Task<string> RunAsync(IConnectionMultiplexer redis, int calls)
    {
        var time = TimeProvider.System;
        var redisOptions = new IcelandicEidRedisOptions { KeyPrefix = "micro:" };
        var store = new RedisEidLoginStore(redis, new EphemeralDataProtectionProvider(), redisOptions, time);
        var limiter = new RedisEidAbuseLimiter(redis, redisOptions, time);
        var options = new IcelandicEidOptions();
        var provider = new SimulatorProvider(new SimulatorOptions { ApprovalDelay = TimeSpan.FromHours(1), PollInterval = TimeSpan.FromSeconds(3) }, time);
        using var meters = new MeterFactory();
        var metrics = new IcelandicEidMetrics(meters, store, time);
        var services = new LoginServices(store, limiter, provider, metrics, NullLogger.Instance, options, time);
        var now = time.GetUtcNow();
        var started = await provider.StartAsync(new EidStartRequest(EidMethod.Sim, "8881234"), CancellationToken.None);
        var login = new EidLoginState
        {
            Id = EidLoginId.New().Value,
            Provider = provider.Name,
            Method = EidMethod.Sim,
            Identifier = "8881234",
            Reference = started.Reference!,
            VerificationCode = started.VerificationCode,
            PollInterval = TimeSpan.FromSeconds(3),
            CreatedAt = now,
            ExpiresAt = now.AddMinutes(10),
            NextPollAt = now,
        };
        await store.CreateAsync(login, CancellationToken.None);
        var db = redis.GetDatabase();
        var key = "micro:l:" + EidLoginId.KeyOf(login.Id);
        var server = redis.GetServer(redis.GetEndPoints()[0]);

        var rows = new List<string>();
        async Task MeasureAsync(string name, Func<int, Task> call)
        {
            for (var i = 0; i < calls / 10; i++)
            {
                await call(i); // warm-up
            }

            var before = CpuMeter.Read();
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < calls; i++)
            {
                await call(i);
            }

            var wall = watch.Elapsed;
            var used = CpuMeter.Read() - before;
            rows.Add(string.Create(CultureInfo.InvariantCulture, $"| {name} | {wall.TotalMicroseconds / calls:F1} | {used.Process.TotalMicroseconds / calls:F1} | {used.Redis.TotalMicroseconds / calls:F1} |"));
        }

        await MeasureAsync("Redis GET of the login key (the baseline's work)", _ => db.StringGetAsync(key));
        await MeasureAsync("store peek, no poll due (the read path)", _ => store.PeekAsync(login.Id, now, PollTransitions.LeaseGuard, CancellationToken.None));
        var later = now;
        await MeasureAsync("store peek, poll due: takes the lease, decrypts (cached)", _ =>
        {
            later += TimeSpan.FromSeconds(10);
            return store.PeekAsync(login.Id, later, PollTransitions.LeaseGuard, CancellationToken.None);
        });
        await MeasureAsync("contest read (is this login still its identifier's current one?)", _ => services.Rules.IsCurrentAsync(login.Identifier, login.Id, null, CancellationToken.None));
        // The login is its identifier's current one, as after a start.
        var hash = await LimiterKeys.HashAsync(limiter, options.Limits, login.Identifier, CancellationToken.None);
        await limiter.SwapAsync("g:" + hash, LimiterKeys.Tag(login.Id), TimeSpan.FromHours(1), CancellationToken.None);
        var poller = new LoginPoller(services);
        var leased = login with { NextPollAt = time.GetUtcNow().AddHours(1) };
        await MeasureAsync("poll with the lease held (simulator), contest read fresh", async _ =>
        {
            services.Current.Remember(login.Id, null, services.Contest.Freshness);
            await poller.PollWithLeaseAsync(leased);
        });
        await MeasureAsync("poll with the lease held (simulator), contest read due", async _ =>
        {
            services.Current.Forget(login.Id);
            await poller.PollWithLeaseAsync(leased);
        });
        await MeasureAsync("simulator poll alone", _ => provider.PollAsync(new EidPollRequest(EidMethod.Sim, login.Reference), CancellationToken.None));

        foreach (var interval in new[] { TimeSpan.FromHours(1), TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), TimeSpan.FromMilliseconds(100) })
        {
            rows.Add(await ConcurrentAsync(services, store, interval, db));
        }

        return "| step | wall µs | process CPU µs | Redis CPU µs |\n| --- | --- | --- | --- |\n" + string.Join('\n', rows) + "\n";
    }

    private static async Task<string> ConcurrentAsync(LoginServices services, RedisEidLoginStore store, TimeSpan interval, IDatabase db)
    {
        var now = TimeProvider.System.GetUtcNow();
        var ids = new List<string>();
        for (var i = 0; i < 10_000; i++)
        {
            var login = new EidLoginState
            {
                Id = EidLoginId.New().Value,
                Provider = "Simulator",
                Method = EidMethod.Sim,
                Identifier = "8881234",
                Reference = "sim.0." + now.ToUnixTimeMilliseconds() + ".00.-",
                VerificationCode = "1234",
                PollInterval = interval,
                CreatedAt = now,
                ExpiresAt = now.AddMinutes(10),
                NextPollAt = now,
            };
            await store.CreateAsync(login, CancellationToken.None);
            ids.Add(login.Id);
        }

        var keys = ids.Select(id => (RedisKey)("micro:l:" + EidLoginId.KeyOf(id))).ToArray();
        var polls = 0;
        var poller = new LoginPoller(services);
        var options = new IcelandicEidRedisOptions();
        async Task<int> RunAsync(string kind, TimeSpan duration)
        {
            var count = 0;
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
            {
                await Task.Yield();
                while (watch.Elapsed < duration)
                {
                    var i = Random.Shared.Next(ids.Count);
                    if (kind == "GET")
                    {
                        await db.StringGetAsync(keys[i]);
                    }
                    else if (kind == "GETRANGE")
                    {
                        var unused = (byte[]?)await RedisTimeouts.Bound(db.StringGetRangeAsync(keys[i], 0, 127), options, CancellationToken.None);
                    }
                    else if (kind == "GETRANGE+parse")
                    {
                        var v = (byte[]?)await RedisTimeouts.Bound(db.StringGetRangeAsync(keys[i], 0, 127), options, CancellationToken.None);
                        var parsed = LoginHeader.Parse(v!);
                    }
                    else if (kind == "GET with the time limit")
                    {
                        await RedisTimeouts.Bound(db.StringGetAsync(keys[i]), options, CancellationToken.None);
                    }
                    else
                    {
                        var peek = await store.PeekAsync(ids[i], TimeProvider.System.GetUtcNow(), PollTransitions.LeaseGuard, CancellationToken.None);
                        if (peek is { PollLease: true, State: { } state })
                        {
                            Interlocked.Increment(ref polls);
                            services.Current.Remember(state.Id, null, services.Contest.Freshness);
                            await poller.PollWithLeaseAsync(state);
                        }
                    }

                    Interlocked.Increment(ref count);
                }
            }));
            return count;
        }

        await RunAsync("peek+poll", TimeSpan.FromSeconds(2));
        var result = new StringBuilder();
        foreach (var kind in new[] { "peek+poll", "GET", "GET with the time limit", "GETRANGE", "GETRANGE+parse", "peek+poll" })
        {
            polls = 0;
            var before = CpuMeter.Read();
            var watch = Stopwatch.StartNew();
            var count = await RunAsync(kind, TimeSpan.FromSeconds(4));
            var used = CpuMeter.Read() - before;
            result.Append(CultureInfo.InvariantCulture, $"| 32 concurrent, interval {interval.TotalSeconds} s, {kind} | {count / watch.Elapsed.TotalSeconds:F0}/s, {polls} polls | {used.Process.TotalMicroseconds / count:F1} | {used.Redis.TotalMicroseconds / count:F1} |\n");
        }

        return result.ToString().TrimEnd('\n');
    }

    private sealed class MeterFactory : System.Diagnostics.Metrics.IMeterFactory
    {
        private readonly List<System.Diagnostics.Metrics.Meter> _meters = [];

        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options)
        {
            var meter = new System.Diagnostics.Metrics.Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
