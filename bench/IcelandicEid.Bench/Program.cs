// Load and latency benchmarks of the Icelandic eID handler on the Redis store.
//   dotnet run -c Release --project bench/IcelandicEid.Bench [-- --logins 10000 --seconds 20 --concurrency 32]
// Starts a real Redis (redis-server, or the garnet-server dotnet tool), apps on Kestrel on loopback, and drives them
// over HTTP from this process. Prints a Markdown report.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using IcelandicEid;
using IcelandicEid.AspNetCore;
using IcelandicEid.AspNetCore.State;
using IcelandicEid.State;
using Microsoft.Extensions.DependencyInjection.Extensions;
using IcelandicEid.Simulation;
using IcelandicEid.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server.Features;
using StackExchange.Redis;

var logins = Arg("--logins", 10_000);
var seconds = Arg("--seconds", 20);
var concurrency = Arg("--concurrency", 32);
var amplificationLogins = Arg("--amplification-logins", 20);
var floodSeconds = Arg("--flood-seconds", 10);
var floodCap = Arg("--flood-cap", 20_000);
var rounds = Arg("--rounds", 10);

await using var redisServer = await RedisServer.StartAsync();
using var redis = await ConnectionMultiplexer.ConnectAsync(redisServer.Configuration + ",allowAdmin=true");
CpuMeter.Redis = redis.GetServer(redis.GetEndPoints()[0]);
var report = new StringBuilder();
report.AppendLine(CultureInfo.InvariantCulture, $"# Benchmark results").AppendLine()
    .AppendLine(CultureInfo.InvariantCulture, $"Machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {RuntimeInfo()}; Redis server: {redisServer.Kind}.")
    .AppendLine(CultureInfo.InvariantCulture, $"Command: `dotnet run -c Release --project bench/IcelandicEid.Bench -- --logins {logins} --seconds {seconds} --concurrency {concurrency}`")
    .AppendLine("The load generator runs in the same process as the server (2 cores shared), so absolute numbers are lower than on a real deployment; the ratios are what the targets are about.")
    .AppendLine();

// ---------------------------------------------------------------- 1 and 2: pending logins, latency, throughput
if (Section("status"))
{
    var upstream = new PollCounter(new SimulatorProvider(new SimulatorOptions { ApprovalDelay = TimeSpan.FromHours(1), PollInterval = TimeSpan.FromSeconds(3) }, TimeProvider.System));
    // The app's clock stands still while the baseline runs: the polls that fall due are those of the status rounds'
    // own time, as if status requests ran alone, not also those of the baseline rounds in between.
    var clock = new AppClock();
    await using var app = await StartAppAsync(redis, "bench-a:", upstream, clock: clock);
    using var client = NewClient(app.Address, connections: concurrency * 2);
    var db = redis.GetDatabase();
    var server = redis.GetServer(redis.GetEndPoints()[0]);

    var login = await LoginPage.ReadAsync(client);
    await StartLoginsAsync(client, login, 200, 7_000_000); // warm up the start path; not counted
    login = await LoginPage.ReadAsync(client);

    Collect();
    var redisBefore = UsedMemory(server);
    var managedBefore = GC.GetTotalMemory(forceFullCollection: true);
    var workingSetBefore = Process.GetCurrentProcess().WorkingSet64;
    var threadsBefore = Process.GetCurrentProcess().Threads.Count;
    var timersBefore = Timer.ActiveCount;

    var startWatch = Stopwatch.StartNew();
    var cookies = await StartLoginsAsync(client, login, logins, 6_000_000);
    startWatch.Stop();

    Collect();
    var redisAfter = UsedMemory(server);
    var managedAfter = GC.GetTotalMemory(forceFullCollection: true);
    var workingSetAfter = Process.GetCurrentProcess().WorkingSet64;
    var threadsAfter = Process.GetCurrentProcess().Threads.Count;
    var timersAfter = Timer.ActiveCount;
    // A start also writes a key that lets a second tab of the same browser join the login; it lives 10 seconds. The
    // steady state of a pending login (which lives up to three minutes) is measured once those are gone.
    await Task.Delay(TimeSpan.FromSeconds(11));
    var joinKeysLeft = server.Keys(pattern: "bench-a:k:b:*", pageSize: 1000).Count(); // also lets Redis drop the expired ones now
    var redisSteady = UsedMemory(server);
    var loginKeys = server.Keys(pattern: "bench-a:l:*", pageSize: 1000).Take(200).ToList();
    var stateBytes = loginKeys.Average(k => (long)db.Execute("MEMORY", "USAGE", k.ToString()));

    // The baseline: one Redis GET returning a JSON body of the same size as a status answer.
    var sample = await client.SendAsync(StatusRequest(cookies[0]));
    var statusBody = await sample.Content.ReadAsByteArrayAsync();
    var padding = new string('x', Math.Max(0, statusBody.Length - "{\"status\":\"pending\",\"pad\":\"\"}".Length));
    await Baseline.WriteAsync(db, "{\"status\":\"pending\",\"pad\":\"" + padding + "\"}", cookies.Count);

    // Warm-up of both (tiered JIT, pools) so that neither is measured on colder code than the other.
    await RunLoadAsync(client, () => StatusRequest(cookies[Random.Shared.Next(cookies.Count)]), concurrency, TimeSpan.FromSeconds(5));
    clock.Pause();
    await RunLoadAsync(client, () => BaselineRequest(cookies[Random.Shared.Next(cookies.Count)]), concurrency, TimeSpan.FromSeconds(5));
    clock.Resume();
    var pollsBefore = upstream.Polls;
    var (status, baseline, paired) = await CompareAsync(client, () => StatusRequest(cookies[Random.Shared.Next(cookies.Count)]), () => BaselineRequest(cookies[Random.Shared.Next(cookies.Count)]), concurrency, seconds, rounds, clock);
    var pollsDuring = upstream.Polls - pollsBefore; // only status requests poll, so all in the status rounds
    var pendingNow = await new IcelandicEid.Redis.RedisEidLoginStore(redis, new EphemeralDataProtectionProvider(), new() { KeyPrefix = "bench-a:" }, TimeProvider.System).CountPendingAsync(default);

    // The same read path when no poll falls due (an upstream interval longer than the run): the handler's own cost.
    var quiet = new SimulatorProvider(new SimulatorOptions { ApprovalDelay = TimeSpan.FromHours(1), PollInterval = TimeSpan.FromHours(1) }, TimeProvider.System);
    await using var quietApp = await StartAppAsync(redis, "bench-c:", quiet);
    using var quietClient = NewClient(quietApp.Address, connections: concurrency * 2);
    var quietCookies = await StartLoginsAsync(quietClient, await LoginPage.ReadAsync(quietClient), Math.Min(logins, 2000), 8_000_000);
    await RunLoadAsync(quietClient, () => StatusRequest(quietCookies[Random.Shared.Next(quietCookies.Count)]), concurrency, TimeSpan.FromSeconds(5));
    await RunLoadAsync(quietClient, () => BaselineRequest(quietCookies[Random.Shared.Next(quietCookies.Count)]), concurrency, TimeSpan.FromSeconds(5));
    var (quietStatus, quietBaseline, quietPaired) = await CompareAsync(quietClient, () => StatusRequest(quietCookies[Random.Shared.Next(quietCookies.Count)]), () => BaselineRequest(quietCookies[Random.Shared.Next(quietCookies.Count)]), concurrency, seconds, rounds);

    report.AppendLine(CultureInfo.InvariantCulture, $"## {logins:N0} concurrent pending logins on one instance").AppendLine()
        .AppendLine("| measure | value | target |").AppendLine("| --- | --- | --- |")
        .AppendLine(CultureInfo.InvariantCulture, $"| logins started through `POST /icelandic-eid/start` | {cookies.Count:N0} in {startWatch.Elapsed.TotalSeconds:F1} s ({cookies.Count / startWatch.Elapsed.TotalSeconds:F0}/s) | |")
        .AppendLine(CultureInfo.InvariantCulture, $"| pending logins counted by the store | {pendingNow:N0} | |")
        .AppendLine(CultureInfo.InvariantCulture, $"| status latency p50 / p99 ({concurrency} concurrent clients, random logins) | {status.P50:F2} ms / {status.P99:F2} ms | p99 < 25 ms |")
        .AppendLine(CultureInfo.InvariantCulture, $"| Redis memory per pending login, all keys (state, pending index, start counter, current-login marker) | {(redisSteady - redisBefore) / (double)cookies.Count:F0} bytes | < 1 KB |")
        .AppendLine(CultureInfo.InvariantCulture, $"| the same in the first 10 s of a login, with its key for joining a second tab | {(redisAfter - redisBefore) / (double)cookies.Count:F0} bytes ({joinKeysLeft} such keys left after 11 s) | |")
        .AppendLine(CultureInfo.InvariantCulture, $"| Redis memory of one login's state key (`MEMORY USAGE`, mean of 200) | {stateBytes:F0} bytes | |")
        .AppendLine(CultureInfo.InvariantCulture, $"| server managed heap growth | {(managedAfter - managedBefore) / 1024.0 / 1024.0:F1} MiB ({(managedAfter - managedBefore) / (double)cookies.Count:F0} bytes per login) | |")
        .AppendLine(CultureInfo.InvariantCulture, $"| process working set growth (server and load generator) | {(workingSetAfter - workingSetBefore) / 1024.0 / 1024.0:F1} MiB | |")
        .AppendLine(CultureInfo.InvariantCulture, $"| threads before / after | {threadsBefore} / {threadsAfter} | none per login |")
        .AppendLine(CultureInfo.InvariantCulture, $"| active timers before / after | {timersBefore} / {timersAfter} | none per login |")
        .AppendLine();

    report.AppendLine("## Status-poll throughput against the Redis store").AppendLine()
        .AppendLine("| endpoint | requests/s | p50 | p99 | errors | CPU per request: this process / Redis | allocated per request |").AppendLine("| --- | --- | --- | --- | --- | --- | --- |")
        .AppendLine(CultureInfo.InvariantCulture, $"| `GET /icelandic-eid/status` ({statusBody.Length} bytes) | {status.PerSecond:F0} | {status.P50:F2} ms | {status.P99:F2} ms | {status.Errors} | {CpuText(status)} |")
        .AppendLine(CultureInfo.InvariantCulture, $"| baseline: one Redis GET of the caller's own key ({Baseline.Describe()}), same-size JSON | {baseline.PerSecond:F0} | {baseline.P50:F2} ms | {baseline.P99:F2} ms | {baseline.Errors} | {CpuText(baseline)} |")
        .AppendLine(CultureInfo.InvariantCulture, $"| `GET /icelandic-eid/status`, no poll due ({quietCookies.Count:N0} logins) | {quietStatus.PerSecond:F0} | {quietStatus.P50:F2} ms | {quietStatus.P99:F2} ms | {quietStatus.Errors} | {CpuText(quietStatus)} |")
        .AppendLine(CultureInfo.InvariantCulture, $"| baseline, measured again beside it | {quietBaseline.PerSecond:F0} | {quietBaseline.P50:F2} ms | {quietBaseline.P99:F2} ms | {quietBaseline.Errors} | {CpuText(quietBaseline)} |")
        .AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Ratio status / baseline: **{status.PerSecond / baseline.PerSecond:F2}** with the upstream polls that fall due (target at least 0.8; per round {Rounds(paired)}); **{quietStatus.PerSecond / quietBaseline.PerSecond:F2}** for the read path alone (target at least 0.9; per round {Rounds(quietPaired)}). Status and baseline alternate in {rounds} rounds of {Math.Max(1, seconds / rounds)} s each (`--rounds`), after 5 s of warm-up each; requests/s and latencies are over all rounds.")
        .AppendLine(CultureInfo.InvariantCulture, $"In the first row each login is asked {status.Requests / (double)cookies.Count / status.Elapsed.TotalSeconds:F1} times a second at random while the status rounds run, and the simulator's interval is 3 s: {pollsDuring:N0} upstream polls for {status.Requests:N0} status requests, one in {status.Requests / (double)Math.Max(1, pollsDuring):F1} (counted). The app's clock stands still during the baseline rounds, so the status rounds carry the polls their own requests bring, not also those that would fall due in the baseline rounds between them. A poll is a lease script that moves the next-poll time in place, the state decrypted only if it changed, and the upstream call; the contest marker is read with the lease at most every 30 s (a start that contests a login tells the Redis store at once). Real browsers ask once a second per tab. CPU per request is this process's (server and load generator) and the Redis server's, over all rounds; allocated per request is this process's managed allocations (server and load generator).")
        .AppendLine();
}

// ---------------------------------------------------------------- 2b: the read path on a Redis Cluster
if (Section("cluster"))
{
    report.AppendLine("## The read path on a Redis Cluster (three primaries) beside one Redis server").AppendLine();
    if (RedisClusterSet.Missing is { } missing)
    {
        report.AppendLine("Not measured: " + missing).AppendLine();
    }
    else
    {
        await using var cluster = await RedisClusterSet.StartAsync();
        using var clusterRedis = await ConnectionMultiplexer.ConnectAsync(cluster.Configuration);
        var rows = new List<string>();
        var ratios = new List<string>();
        foreach (var (label, mux, prefix) in new[] { ("one Redis server", (IConnectionMultiplexer)redis, "bench-s:"), ("Redis Cluster, 3 primaries", clusterRedis, "bench-k:") })
        {
            // No poll falls due (an upstream interval longer than the run): the handler's own cost per status read.
            var quiet = new SimulatorProvider(new SimulatorOptions { ApprovalDelay = TimeSpan.FromHours(1), PollInterval = TimeSpan.FromHours(1) }, TimeProvider.System);
            await using var app = await StartAppAsync(mux, prefix, quiet);
            using var client = NewClient(app.Address, connections: concurrency * 2);
            var cookies = await StartLoginsAsync(client, await LoginPage.ReadAsync(client), Math.Min(logins, 2000), label.StartsWith("one", StringComparison.Ordinal) ? 8_100_000 : 8_200_000);
            var sample = await client.SendAsync(StatusRequest(cookies[0]));
            var statusBody = await sample.Content.ReadAsByteArrayAsync();
            var padding = new string('x', Math.Max(0, statusBody.Length - "{\"status\":\"pending\",\"pad\":\"\"}".Length));
            await Baseline.WriteAsync(mux.GetDatabase(), "{\"status\":\"pending\",\"pad\":\"" + padding + "\"}", cookies.Count);
            await RunLoadAsync(client, () => StatusRequest(cookies[Random.Shared.Next(cookies.Count)]), concurrency, TimeSpan.FromSeconds(5));
            await RunLoadAsync(client, () => BaselineRequest(cookies[Random.Shared.Next(cookies.Count)]), concurrency, TimeSpan.FromSeconds(5));
            var (status, baseline, paired) = await CompareAsync(client, () => StatusRequest(cookies[Random.Shared.Next(cookies.Count)]), () => BaselineRequest(cookies[Random.Shared.Next(cookies.Count)]), concurrency, seconds, rounds);
            rows.Add(string.Create(CultureInfo.InvariantCulture, $"| {label} | `GET /icelandic-eid/status`, no poll due ({cookies.Count:N0} logins) | {status.PerSecond:F0} | {status.P50:F2} ms | {status.P99:F2} ms | {status.Errors} |"));
            rows.Add(string.Create(CultureInfo.InvariantCulture, $"| {label} | baseline: one GET of the caller's own key ({Baseline.Describe()}) | {baseline.PerSecond:F0} | {baseline.P50:F2} ms | {baseline.P99:F2} ms | {baseline.Errors} |"));
            ratios.Add(string.Create(CultureInfo.InvariantCulture, $"{label}: **{status.PerSecond / baseline.PerSecond:F2}** (per round {Rounds(paired)})"));
        }

        report.AppendLine("| Redis | endpoint | requests/s | p50 | p99 | errors |").AppendLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var row in rows)
        {
            report.AppendLine(row);
        }

        report.AppendLine().AppendLine("Ratio status / baseline for the read path (target at least 0.9): " + string.Join("; ", ratios) + ". On the cluster the logins' keys and the baseline's keys are spread over the three primaries alike (the client sends each command to the primary that holds its slot); all Redis processes share the machine's two cores with the app and the load generator.").AppendLine();
    }
}

// ---------------------------------------------------------------- 3: upstream amplification
if (Section("amplification"))
{
    var interval = TimeSpan.FromSeconds(3);
    var duration = TimeSpan.FromSeconds(9);
    var counting = new CountingUpstream(new SimulatorProvider(new SimulatorOptions { ApprovalDelay = duration, PollInterval = interval }, TimeProvider.System));
    await using var a = await StartAppAsync(redis, "bench-b:", counting);
    await using var b = await StartAppAsync(redis, "bench-b:", counting);
    using var clientA = NewClient(a.Address, 64);
    using var clientB = NewClient(b.Address, 64);
    var page = await LoginPage.ReadAsync(clientA);
    var cookies = await StartLoginsAsync(clientA, page, amplificationLogins, 6_900_000);
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(cookies.Select(cookie => Task.WhenAll(Enumerable.Range(0, 6).Select(async tab =>
    {
        var client = tab < 3 ? clientA : clientB;
        await Task.Delay(tab * 150);
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            using var response = await client.SendAsync(StatusRequest(cookie));
            if (!(await response.Content.ReadAsStringAsync()).Contains("\"pending\"", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(1000);
        }
    }))));

    var ideal = (int)Math.Ceiling(duration / interval) + 1;
    var perLogin = counting.PollsPerReference.Values.ToList();
    var tooSoon = counting.GapsShorterThan(interval);
    report.AppendLine("## Upstream amplification").AppendLine()
        .AppendLine(CultureInfo.InvariantCulture, $"{amplificationLogins} logins, each with three tabs on each of two instances asking for the status every second; the person approves after {duration.TotalSeconds:F0} s, the upstream's interval is {interval.TotalSeconds:F0} s, so the ideal is ceil({duration.TotalSeconds:F0} / {interval.TotalSeconds:F0}) + 1 = {ideal} polls per login.").AppendLine()
        .AppendLine("| measure | value | target |").AppendLine("| --- | --- | --- |")
        .AppendLine(CultureInfo.InvariantCulture, $"| upstream polls per login: min / mean / max | {perLogin.Min()} / {perLogin.Average():F2} / {perLogin.Max()} | |")
        .AppendLine(CultureInfo.InvariantCulture, $"| polls per login / ideal: mean / max | {perLogin.Average() / ideal:F2} / {perLogin.Max() / (double)ideal:F2} | 1.0 |")
        .AppendLine(CultureInfo.InvariantCulture, $"| status requests answered | {6 * amplificationLogins} tabs, about {6 * duration.TotalSeconds:F0} per login | |")
        .AppendLine(CultureInfo.InvariantCulture, $"| polls of one login sooner than the interval after the previous one | {tooSoon} | 0 |")
        .AppendLine()
        .AppendLine("The handler makes its first poll one interval after the start (the person cannot have answered sooner), so a login that ends between two polls costs at most the ideal and often one poll fewer.")
        .AppendLine();
}

// ---------------------------------------------------------------- 4: a flood against the in-memory store
if (Section("flood"))
{
    // Starts from many clients at once (the per-address limit off, as for a flood from many addresses), each for a new
    // number, as fast as the machine allows, against an instance with the default in-memory store and limiter capped
    // at --flood-cap logins. Memory must stop growing at the cap; the surplus gets 503.
    // One person's number is approved at once: that person signs in before the flood, so their browser is remembered
    // for the number; another person's login is under way when the flood comes.
    var upstream = new QuickForOneProvider("8881234");
    await using var app = await StartAppAsync(null, "flood:", upstream, floodCap);
    using var client = NewClient(app.Address, connections: concurrency * 2);
    using var person = BrowserOf(app.Address);
    await person.SubmitAsync(await person.ReadLoginAsync("/icelandic-eid/login"), "sim", "8881234");
    for (var i = 0; i < 50 && (await person.StatusAsync()).Json.GetProperty("status").GetString() == "pending"; i++)
    {
        await Task.Delay(100);
    }

    var signedIn = (await person.FinishAsync()).StatusCode == HttpStatusCode.Redirect;
    using var underway = BrowserOf(app.Address);
    var underwayStarted = (await underway.SubmitAsync(await underway.ReadLoginAsync("/icelandic-eid/login"), "sim", "7771234")).StatusCode;
    var page = await LoginPage.ReadAsync(client);
    Collect();
    var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
    var started = 0;
    var refused = 0;
    var other = 0;
    var reported = 0;
    var next = 6_500_000; // mobile numbers: 6xx xxxx
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (watch.Elapsed < TimeSpan.FromSeconds(floodSeconds))
        {
            using var response = await client.SendAsync(StartRequest(page, Interlocked.Increment(ref next)));
            _ = response.StatusCode switch
            {
                HttpStatusCode.SeeOther => Interlocked.Increment(ref started),
                HttpStatusCode.ServiceUnavailable => Interlocked.Increment(ref refused),
                _ => Interlocked.Increment(ref other),
            };
            if (response.StatusCode is not (HttpStatusCode.SeeOther or HttpStatusCode.ServiceUnavailable) && Interlocked.Exchange(ref reported, 1) == 0)
            {
                Console.Error.WriteLine($"flood: start answered {(int)response.StatusCode}");
            }
        }
    }));
    watch.Stop();

    // While memory is full: a newcomer, the remembered browser, and the login under way.
    using var newcomer = BrowserOf(app.Address);
    var newcomerStart = (await newcomer.SubmitAsync(await newcomer.ReadLoginAsync("/icelandic-eid/login"), "sim", "6999999")).StatusCode;
    var rememberedStart = (await person.SubmitAsync(await person.ReadLoginAsync("/icelandic-eid/login"), "sim", "8881234")).StatusCode;
    var underwayStatus = await underway.StatusAsync();
    Collect();
    var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
    var store = (InMemoryEidLoginStore)app.App.Services.GetRequiredService<IEidLoginStore>();
    var limiter = (InMemoryEidAbuseLimiter)app.App.Services.GetRequiredService<IEidAbuseLimiter>();
    var total = started + refused + other;

    // What one limiter key costs on its own, to tell the store's part from the limiter's and to project the bound.
    var probe = new InMemoryEidAbuseLimiter(TimeProvider.System) { MaxEntries = 1_000_000 };
    Collect();
    var probeBefore = GC.GetTotalMemory(forceFullCollection: true);
    for (var i = 0; i < 100_000; i++)
    {
        await probe.HitAsync("s:" + i.ToString("D16", CultureInfo.InvariantCulture), TimeSpan.FromMinutes(10), default);
    }

    Collect();
    var perKey = (GC.GetTotalMemory(forceFullCollection: true) - probeBefore) / 100_000.0;
    GC.KeepAlive(probe);
    var perLogin = started == 0 ? 0 : Math.Max(0, heapAfter - heapBefore - (limiter.Count * perKey)) / started;
    var bound = (InMemoryEidLoginStore.DefaultMaxEntries * perLogin) + (InMemoryEidAbuseLimiter.DefaultMaxEntries * perKey);
    report.AppendLine("## A flood against the in-memory store").AppendLine()
        .AppendLine(CultureInfo.InvariantCulture, $"{concurrency} clients start logins for new numbers as fast as they can for {floodSeconds} s against one instance with the in-memory store capped at {floodCap:N0} logins (`--flood-cap`; the default is {InMemoryEidLoginStore.DefaultMaxEntries:N0}).").AppendLine()
        .AppendLine("| measure | value |").AppendLine("| --- | --- |")
        .AppendLine(CultureInfo.InvariantCulture, $"| start requests | {total:N0} ({total / watch.Elapsed.TotalSeconds:F0}/s) |")
        .AppendLine(CultureInfo.InvariantCulture, $"| accepted (303) / refused \"try again\" (503) / other | {started:N0} / {refused:N0} / {other:N0} |")
        .AppendLine(CultureInfo.InvariantCulture, $"| logins held by the store at the end / limiter keys | {store.Count:N0} / {limiter.Count:N0} |")
        .AppendLine(CultureInfo.InvariantCulture, $"| managed heap growth | {(heapAfter - heapBefore) / 1024.0 / 1024.0:F1} MiB |")
        .AppendLine(CultureInfo.InvariantCulture, $"| of which per login held / per limiter key | {perLogin:F0} bytes / {perKey:F0} bytes |")
        .AppendLine(CultureInfo.InvariantCulture, $"| bound at the default caps ({InMemoryEidLoginStore.DefaultMaxEntries:N0} logins, {InMemoryEidAbuseLimiter.DefaultMaxEntries:N0} limiter keys) | about {bound / 1024 / 1024:F0} MiB |")
        .AppendLine(CultureInfo.InvariantCulture, $"| with memory full: a new number from a new browser | {(int)newcomerStart} |")
        .AppendLine(CultureInfo.InvariantCulture, $"| with memory full: a browser that signed in with its number before the flood (signed in then: {signedIn}) | {(int)rememberedStart} (the last tenth is kept for such starts) |")
        .AppendLine(CultureInfo.InvariantCulture, $"| with memory full: the status of a login started before the flood (started: {(int)underwayStarted}) | {(int)underwayStatus.Code} {underwayStatus.Json.GetProperty("status").GetString()} |")
        .AppendLine();
}

// ---------------------------------------------------------------- 5: out of process, wrk against the published sample
// ---------------------------------------------------------------- the pieces of a status request, one at a time (--only micro)
if (Environment.GetCommandLineArgs().Contains("micro"))
{
    report.AppendLine("## The pieces of a status request").AppendLine()
        .AppendLine(CultureInfo.InvariantCulture, $"Each step called {Arg("--calls", 20_000):N0} times in a row, one at a time, against the same Redis; CPU per call. The last rows: 32 concurrent callers for 4 s each over 10,000 logins, peeking and polling when the lease is won, with no poll due (interval 1 h) and with polls due (interval 0.1 s: a poll in about one call in six, the contest marker kept fresh), beside plain GETs of the same keys and the same GETs under the store's time limit on Redis calls; requests/s and CPU per call.").AppendLine()
        .AppendLine(await Micro.RunAsync(redis, Arg("--calls", 20_000)));
}

if (Section("wrk"))
{
    var sample = ArgText("--sample");
    if (sample is null || !File.Exists(sample) || Which("wrk") is not { } wrk)
    {
        report.AppendLine("## Out of process (wrk)").AppendLine()
            .AppendLine("Skipped: needs `wrk` on the PATH and `--sample <published SampleWeb.dll>`; `bench/wrk.sh` does both.").AppendLine();
    }
    else
    {
        var rows = new List<string>();
        var ratios = new List<string>();
        foreach (var (label, interval) in new[] { ("upstream polls due (simulator interval 3 s)", "00:00:03"), ("no poll due (the read path)", "01:00:00") })
        {
            await using var process = await SampleProcess.StartAsync(sample, redisServer.Configuration, interval, Baseline.KeysFor(Math.Min(logins, 5000)));
            using var client = NewClient(process.Address, connections: 64);
            var cookies = await StartLoginsAsync(client, await LoginPage.ReadAsync(client), Math.Min(logins, 5000), interval == "00:00:03" ? 6_200_000 : 6_400_000);
            var body = await (await client.SendAsync(StatusRequest(cookies[0]))).Content.ReadAsByteArrayAsync();
            var padding = new string('x', Math.Max(0, body.Length - "{\"status\":\"pending\",\"pad\":\"\"}".Length));
            await Baseline.WriteAsync(redis.GetDatabase(), "{\"status\":\"pending\",\"pad\":\"" + padding + "\"}", cookies.Count);
            var directory = Directory.CreateTempSubdirectory("wrk-");
            var cookieFile = Path.Combine(directory.FullName, "cookies.txt");
            await File.WriteAllLinesAsync(cookieFile, cookies);
            var script = Path.Combine(directory.FullName, "status.lua");
            await File.WriteAllTextAsync(script, WrkScript(cookieFile));
            var url = process.Address.ToString().TrimEnd('/');
            // Warm-up of both (tiered JIT, connection pools), so neither is measured on colder code than the other.
            await Wrk.RunAsync(wrk, ["-t2", $"-c{concurrency}", "-d5s", "-s", script, url + "/icelandic-eid/status"]);
            await Wrk.RunAsync(wrk, ["-t2", $"-c{concurrency}", "-d5s", "-s", script, url + "/bench/baseline"]);
            // Alternating rounds, so that drift in what else the shared machine does falls on both alike; the ratio
            // of each round is a paired comparison and the median of those is reported beside the totals.
            var statusRounds = new List<(double PerSecond, string P50, string P99, int Errors)>();
            var baselineRounds = new List<(double PerSecond, string P50, string P99, int Errors)>();
            var roundSeconds = Math.Max(1, seconds / rounds);
            var server = redis.GetServer(redis.GetEndPoints()[0]);
            long leases = 0;
            for (var round = 0; round < rounds; round++)
            {
                var scriptsBefore = RedisCalls(server, "evalsha");
                statusRounds.Add(await Wrk.RunAsync(wrk, ["-t2", $"-c{concurrency}", $"-d{roundSeconds}s", "--latency", "-s", script, url + "/icelandic-eid/status"]));
                leases += RedisCalls(server, "evalsha") - scriptsBefore;
                // The same script (and so the same cookie bytes and the same load-generator work) for the baseline.
                baselineRounds.Add(await Wrk.RunAsync(wrk, ["-t2", $"-c{concurrency}", $"-d{roundSeconds}s", "--latency", "-s", script, url + "/bench/baseline"]));
            }

            var status = Wrk.Combine(statusRounds);
            var baseline = Wrk.Combine(baselineRounds);
            var paired = statusRounds.Zip(baselineRounds, (s, b) => s.PerSecond / b.PerSecond).Order().ToList();
            rows.Add($"| `GET /icelandic-eid/status`, {label}, {cookies.Count:N0} logins | {status.PerSecond:F0} | {status.P50} | {status.P99} | {status.Errors} |");
            rows.Add($"| baseline `GET /bench/baseline` (one Redis GET), same process, same run | {baseline.PerSecond:F0} | {baseline.P50} | {baseline.P99} | {baseline.Errors} |");
            var leaseShare = leases == 0 ? "no lease script ran" : string.Create(CultureInfo.InvariantCulture, $"one status request in {status.PerSecond * roundSeconds * rounds / leases:F1} ran the lease script (counted in Redis)");
            ratios.Add(string.Create(CultureInfo.InvariantCulture, $"{label}: **{status.PerSecond / baseline.PerSecond:F2}** overall, per round {string.Join(", ", paired.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))} (median {Median(paired):F2}); {leaseShare}"));
        }

        report.AppendLine("## Out of process (wrk against the published sample)").AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"`wrk -t2 -c{concurrency} -d{Math.Max(1, seconds / rounds)}s --latency` against `dotnet SampleWeb.dll` (Release, Production, Redis, simulator) in its own process, each login's status asked at random through a Lua script; the baseline endpoint in the same app does one Redis GET of a same-size JSON body ({Baseline.Describe()}) and gets the same requests (the same script, so the same cookies). The two alternate in {rounds} rounds (`--rounds`) after 5 s of warm-up each; requests/s is the mean over the rounds, p50 and p99 the median of the rounds'. The sample's clock cannot stand still during the baseline rounds, so here the status rounds also carry the polls that fall due while the baseline runs.").AppendLine()
            .AppendLine("| endpoint | requests/s | p50 | p99 | non-2xx |").AppendLine("| --- | --- | --- | --- | --- |");
        rows.ForEach(r => report.AppendLine(r));
        report.AppendLine().AppendLine("Ratio status / baseline: " + string.Join("; ", ratios) + ".").AppendLine();
    }
}

Console.Write(report.ToString());
return;

// How many times Redis has run a command (INFO commandstats).
static long RedisCalls(IServer server, string command)
    => server.Info("commandstats").SelectMany(g => g).FirstOrDefault(p => p.Key == "cmdstat_" + command) is { Value: { } value }
        && value.Split(',')[0].Split('=') is [_, var calls] ? long.Parse(calls, CultureInfo.InvariantCulture) : 0;

static HttpRequestMessage StartRequest(LoginPage page, int phone)
{
    var request = new HttpRequestMessage(HttpMethod.Post, "/icelandic-eid/start")
    {
        Content = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["method"] = "sim",
            ["identifier"] = phone.ToString(CultureInfo.InvariantCulture),
            ["state"] = page.State,
            ["__RequestVerificationToken"] = page.Token,
        }),
    };
    request.Headers.Add("Cookie", page.BrowserCookie is null ? page.AntiforgeryCookie : page.AntiforgeryCookie + "; " + page.BrowserCookie);
    return request;
}

// --only status|cluster|amplification|flood|wrk runs one section.
static bool Section(string name)
{
    var args = Environment.GetCommandLineArgs();
    var i = Array.IndexOf(args, "--only");
    return i < 0 || i + 1 >= args.Length || args[i + 1] == name;
}

static int Arg(string name, int fallback)
{
    var args = Environment.GetCommandLineArgs();
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
}

static string? ArgText(string name)
{
    var args = Environment.GetCommandLineArgs();
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string? Which(string program)
    => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

static string WrkScript(string cookieFile) => $$"""
    local cookies = {}
    for line in io.lines("{{cookieFile}}") do cookies[#cookies + 1] = line end
    math.randomseed(os.time())
    request = function()
      return wrk.format("GET", nil, { ["Cookie"] = "{{IcelandicEidDefaults.LoginCookieName}}=" .. cookies[math.random(#cookies)] })
    end
    """;

static string RuntimeInfo() => System.Runtime.InteropServices.RuntimeInformation.OSDescription;

static void Collect()
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
}

static long UsedMemory(StackExchange.Redis.IServer server)
    => long.Parse(server.Info("memory").SelectMany(g => g).First(p => p.Key == "used_memory").Value, CultureInfo.InvariantCulture);

// A browser with its own cookies, for the few requests of one person.
static TestBrowser BrowserOf(Uri address)
{
    var handler = new CookieHandler(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
    return new TestBrowser(new HttpClient(handler) { BaseAddress = address }, handler);
}

static HttpClient NewClient(Uri address, int connections)
    => new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
    {
        BaseAddress = address,
    };

// The baseline gets the same cookie bytes as a status request, so both cost the load generator and the parser the same.
static HttpRequestMessage BaselineRequest(string cookie)
{
    var request = new HttpRequestMessage(HttpMethod.Get, "/bench/baseline");
    request.Headers.Add("Cookie", IcelandicEidDefaults.LoginCookieName + "=" + cookie);
    return request;
}

static HttpRequestMessage StatusRequest(string cookie)
{
    var request = new HttpRequestMessage(HttpMethod.Get, "/icelandic-eid/status");
    request.Headers.Add("Cookie", IcelandicEidDefaults.LoginCookieName + "=" + cookie);
    return request;
}

// Each login as a browser makes it: the login page first (its antiforgery and browser cookies), then the start.
static async Task<List<string>> StartLoginsAsync(HttpClient client, LoginPage unused, int count, int firstPhone)
{
    var cookies = new ConcurrentBag<string>();
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
        {
            var page = await LoginPage.ReadAsync(client);
            using var request = StartRequest(page, firstPhone + i);
            using var response = await client.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.SeeOther)
            {
                throw new InvalidOperationException($"start answered {(int)response.StatusCode}");
            }

            var setCookie = response.Headers.GetValues("Set-Cookie").First(c => c.StartsWith(IcelandicEidDefaults.LoginCookieName + "=", StringComparison.Ordinal));
            cookies.Add(setCookie[(IcelandicEidDefaults.LoginCookieName.Length + 1)..setCookie.IndexOf(';', StringComparison.Ordinal)]);
        }
    }));
    return [.. cookies];
}

// Status and baseline in alternating rounds: drift in what else the shared machine does falls on both alike, and each
// round's ratio is a paired comparison.
static async Task<(LoadResult Status, LoadResult Baseline, List<double> Paired)> CompareAsync(HttpClient client, Func<HttpRequestMessage> status, Func<HttpRequestMessage> baseline, int concurrency, int seconds, int rounds, AppClock? clock = null)
{
    var duration = TimeSpan.FromSeconds(Math.Max(1, seconds / rounds));
    var statusRounds = new List<LoadResult>();
    var baselineRounds = new List<LoadResult>();
    for (var round = 0; round < rounds; round++)
    {
        statusRounds.Add(await RunLoadAsync(client, status, concurrency, duration));
        clock?.Pause();
        baselineRounds.Add(await RunLoadAsync(client, baseline, concurrency, duration));
        clock?.Resume();
    }

    return (LoadResult.Merge(statusRounds), LoadResult.Merge(baselineRounds), [.. statusRounds.Zip(baselineRounds, (s, b) => s.PerSecond / b.PerSecond).Order()]);
}

static string CpuText(LoadResult result)
    => string.Create(CultureInfo.InvariantCulture, $"{result.CpuPerRequest.Process:F0} µs / {result.CpuPerRequest.Redis:F1} µs | {result.AllocatedPerRequest:F0} B");

// The median of sorted values: the middle one, or the mean of the two middle ones.
static double Median(List<double> sorted)
    => sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

static string Rounds(List<double> paired)
    => string.Create(CultureInfo.InvariantCulture, $"{string.Join(", ", paired.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}, median {Median(paired):F2}");

static async Task<LoadResult> RunLoadAsync(HttpClient client, Func<HttpRequestMessage> request, int concurrency, TimeSpan duration)
{
    var latencies = new ConcurrentBag<double[]>();
    var errors = 0;
    var cpu = CpuMeter.Read();
    var watch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        var mine = new List<double>(100_000);
        while (watch.Elapsed < duration)
        {
            var started = Stopwatch.GetTimestamp();
            using var message = request();
            using var response = await client.SendAsync(message);
            await response.Content.ReadAsByteArrayAsync();
            mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref errors);
            }
        }

        latencies.Add([.. mine]);
    }));
    var elapsed = watch.Elapsed;
    var used = CpuMeter.Read() - cpu;
    var all = latencies.SelectMany(l => l).Order().ToArray();
    return new LoadResult(all.Length, all.Length / elapsed.TotalSeconds, all[all.Length / 2], all[(int)(all.Length * 0.99)], errors, all, elapsed) { Cpu = used };
}

static async Task<BenchApp> StartAppAsync(IConnectionMultiplexer? redis, string prefix, IIcelandicEidProvider provider, int memoryCap = 0, TimeProvider? clock = null)
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
    if (clock is not null)
    {
        builder.Services.AddSingleton(clock);
    }

    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Logging.ClearProviders();
    builder.Services.AddDataProtection().SetApplicationName("bench");
    if (memoryCap > 0)
    {
        builder.Services.Configure<IcelandicEidMemoryOptions>(m => m.MaxLogins = memoryCap);
    }

    var authentication = builder.Services
        .AddAuthentication(o =>
        {
            o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            o.DefaultChallengeScheme = IcelandicEidDefaults.AuthenticationScheme;
        })
        .AddCookie()
        .AddIcelandicEid(o =>
        {
            o.ProviderInstance = provider;
            o.RemoteAuthenticationTimeout = TimeSpan.FromMinutes(10);
            o.Limits.StartsPerClientAddress = 0; // one load generator is one address
            o.AllowPlainHttp = true; // loopback only
            o.Limits.HashKey = "bench hash key of at least thirty-two characters"; // required in Production with Redis
        });
    if (redis is not null)
    {
        builder.Services.AddIcelandicEidRedis(redis, r =>
        {
            r.KeyPrefix = prefix;
            r.PersistDataProtectionKeys = true;
        });
    }

    builder.Services.TryAddSingleton<IConnectionMultiplexer>(_ => throw new InvalidOperationException("No Redis in this run."));
    var app = builder.Build();
    app.UseAuthentication();
    app.MapGet("/bench/baseline", async (HttpContext context, IServiceProvider services) =>
    {
        var mux = services.GetRequiredService<IConnectionMultiplexer>();
        var value = (byte[]?)await mux.GetDatabase().StringGetAsync(Baseline.Key(context));
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(value);
    });
    await app.StartAsync();
    var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    return new BenchApp(app, new Uri(address));
}

internal sealed record LoadResult(int Requests, double PerSecond, double P50, double P99, int Errors, double[] Latencies, TimeSpan Elapsed)
{
    /// <summary>CPU used while the load ran: this process (server and load generator) and the Redis server.</summary>
    public CpuUse Cpu { get; init; }

    /// <summary>Bytes allocated per request in this process (server and load generator).</summary>
    public double AllocatedPerRequest => Cpu.Allocated / (double)Requests;

    /// <summary>Microseconds of CPU per request: this process, Redis.</summary>
    public (double Process, double Redis) CpuPerRequest => (Cpu.Process.TotalMicroseconds / Requests, Cpu.Redis.TotalMicroseconds / Requests);

    /// <summary>Rounds of the same load as one: all their requests over all their time.</summary>
    public static LoadResult Merge(List<LoadResult> rounds)
    {
        var all = rounds.SelectMany(r => r.Latencies).Order().ToArray();
        var elapsed = TimeSpan.FromTicks(rounds.Sum(r => r.Elapsed.Ticks));
        return new LoadResult(all.Length, all.Length / elapsed.TotalSeconds, all[all.Length / 2], all[(int)(all.Length * 0.99)], rounds.Sum(r => r.Errors), all, elapsed)
        {
            Cpu = rounds.Aggregate(default(CpuUse), (sum, r) => sum + r.Cpu),
        };
    }
}

/// <summary>The simulator, approving one number at once and every other after an hour.</summary>
internal sealed class QuickForOneProvider(string quick) : IIcelandicEidProvider
{
    private readonly SimulatorProvider _slow = new(new SimulatorOptions { ApprovalDelay = TimeSpan.FromHours(1) }, TimeProvider.System);
    private readonly SimulatorProvider _fast = new(new SimulatorOptions { ApprovalDelay = TimeSpan.Zero }, TimeProvider.System);
    private readonly ConcurrentDictionary<string, bool> _fastReferences = new();

    public string Name => "Simulator";

    public async Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
    {
        var result = await (request.Identifier == quick ? _fast : _slow).StartAsync(request, cancellationToken);
        if (request.Identifier == quick && result.Reference is { } reference)
        {
            _fastReferences[reference] = true;
        }

        return result;
    }

    public Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
        => (_fastReferences.ContainsKey(request.Reference) ? _fast : _slow).PollAsync(request, cancellationToken);
}

internal sealed record BenchApp(WebApplication App, Uri Address) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

internal sealed partial record LoginPage(string State, string Token, string AntiforgeryCookie, string? BrowserCookie)
{
    public static async Task<LoginPage> ReadAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/icelandic-eid/login", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        var cookie = cookies.First(c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        var browser = cookies.FirstOrDefault(c => c.StartsWith(IcelandicEidDefaults.BrowserCookieName + "=", StringComparison.Ordinal));
        return new LoginPage(
            WebUtility.HtmlDecode(StateField().Match(html).Groups[1].Value),
            WebUtility.HtmlDecode(TokenField().Match(html).Groups[1].Value),
            cookie[..cookie.IndexOf(';', StringComparison.Ordinal)],
            browser?[..browser.IndexOf(';', StringComparison.Ordinal)]);
    }

    [GeneratedRegex("name=\"state\" value=\"([^\"]*)\"")]
    private static partial Regex StateField();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]*)\"")]
    private static partial Regex TokenField();
}

/// <summary>Counts polls per upstream reference and when they came.</summary>
/// <summary>The system clock, except that it can stand still: while paused no time passes for the app (timers and
/// time stamps are the system's).</summary>
internal sealed class AppClock : TimeProvider
{
    private long _pausedTicks;
    private long _pausedAt = -1;

    public override DateTimeOffset GetUtcNow()
    {
        var pausedAt = Volatile.Read(ref _pausedAt);
        var now = pausedAt >= 0 ? new DateTimeOffset(pausedAt, TimeSpan.Zero) : System.GetUtcNow();
        return now - TimeSpan.FromTicks(Volatile.Read(ref _pausedTicks));
    }

    public void Pause() => Volatile.Write(ref _pausedAt, System.GetUtcNow().UtcTicks);

    public void Resume()
    {
        var pausedAt = Interlocked.Exchange(ref _pausedAt, -1);
        if (pausedAt >= 0)
        {
            Interlocked.Add(ref _pausedTicks, System.GetUtcNow().UtcTicks - pausedAt);
        }
    }
}

/// <summary>Counts upstream polls, and nothing more (no per-poll allocation under load).</summary>
internal sealed class PollCounter(IIcelandicEidProvider inner) : IIcelandicEidProvider
{
    private int _polls;

    public int Polls => Volatile.Read(ref _polls);

    public string Name => inner.Name;

    public Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken) => inner.StartAsync(request, cancellationToken);

    public Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _polls);
        return inner.PollAsync(request, cancellationToken);
    }
}

internal sealed class CountingUpstream(IIcelandicEidProvider inner) : IIcelandicEidProvider
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<DateTimeOffset>> _polls = new();

    public string Name => inner.Name;

    public IReadOnlyDictionary<string, int> PollsPerReference => _polls.ToDictionary(p => p.Key, p => p.Value.Count);

    public int GapsShorterThan(TimeSpan interval)
        => _polls.Values.Sum(q =>
        {
            var times = q.Order().ToArray();
            return times.Zip(times.Skip(1)).Count(p => p.Second - p.First < interval);
        });

    public Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken) => inner.StartAsync(request, cancellationToken);

    public Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
    {
        _polls.GetOrAdd(request.Reference, _ => new()).Enqueue(DateTimeOffset.UtcNow);
        return inner.PollAsync(request, cancellationToken);
    }
}

/// <summary>The published sample in a process of its own, on Redis and the simulator.</summary>
internal sealed class SampleProcess : IAsyncDisposable
{
    private readonly Process _process;

    private SampleProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<SampleProcess> StartAsync(string dll, string redis, string pollInterval, int baselineKeys)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Redis"] = redis,
            ["DataProtection__KeyRingSecret"] = "bench key ring secret of at least thirty-two characters",
            ["IcelandicEid__Provider"] = "Simulator",
            ["IcelandicEid__AllowPlainHttp"] = "true", // loopback only
            ["IcelandicEid__Simulator__ApprovalDelay"] = "01:00:00",
            ["IcelandicEid__Simulator__PollInterval"] = pollInterval,
            ["IcelandicEid__RemoteAuthenticationTimeout"] = "00:10:00",
            ["IcelandicEid__Limits__StartsPerClientAddress"] = "0",
            ["IcelandicEid__Limits__HashKey"] = "bench hash key of at least thirty-two characters",
            ["Benchmark__BaselineEndpoint"] = "true",
            ["Benchmark__BaselineKeys"] = baselineKeys.ToString(CultureInfo.InvariantCulture),
            ["Serilog__MinimumLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine("sample: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var address = new Uri($"http://127.0.0.1:{port}/");
        using var probe = new HttpClient { BaseAddress = address };
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await probe.GetAsync("/health")).IsSuccessStatusCode)
                {
                    return new SampleProcess(process, address);
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("The published sample did not answer /health within 30 s.");
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Runs wrk and reads its report.</summary>
internal static partial class Wrk
{
    public static async Task<(double PerSecond, string P50, string P99, int Errors)> RunAsync(string wrk, string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(wrk, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var perSecond = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var errors = NonSuccess().Match(output) is { Success: true } m ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return (perSecond, Percentile(output, "50"), Percentile(output, "99"), errors);
    }

    /// <summary>The mean rate of equally long rounds, the median of their percentiles and the sum of their errors.</summary>
    public static (double PerSecond, string P50, string P99, int Errors) Combine(List<(double PerSecond, string P50, string P99, int Errors)> rounds)
    {
        static string Median(IEnumerable<string> values)
        {
            var sorted = values.OrderBy(Milliseconds).ToList();
            return sorted[sorted.Count / 2];
        }

        return (rounds.Average(r => r.PerSecond), Median(rounds.Select(r => r.P50)), Median(rounds.Select(r => r.P99)), rounds.Sum(r => r.Errors));
    }

    /// <summary>wrk's latency ("745.00us", "1.24ms", "1.02s") in milliseconds.</summary>
    private static double Milliseconds(string value)
    {
        var match = Regex.Match(value, "^([0-9.]+)(us|ms|s)$");
        if (!match.Success)
        {
            return double.MaxValue;
        }

        var number = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => number / 1000, "ms" => number, _ => number * 1000 };
    }

    private static string Percentile(string output, string percent)
        => Regex.Match(output, "^\\s+" + percent + "%\\s+(\\S+)", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : "-";

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+([0-9]+)")]
    private static partial Regex NonSuccess();
}

/// <summary>CPU time used so far by this process and by the Redis server (INFO cpu).</summary>
internal readonly record struct CpuUse(TimeSpan Process, TimeSpan Redis, long Allocated)
{
    public static CpuUse operator -(CpuUse a, CpuUse b) => new(a.Process - b.Process, a.Redis - b.Redis, a.Allocated - b.Allocated);

    public static CpuUse operator +(CpuUse a, CpuUse b) => new(a.Process + b.Process, a.Redis + b.Redis, a.Allocated + b.Allocated);
}

internal static class CpuMeter
{
    public static IServer? Redis { get; set; }

    public static CpuUse Read()
    {
        var process = Process.GetCurrentProcess().TotalProcessorTime;
        var redis = TimeSpan.Zero;
        if (Redis?.Info("cpu").SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value) is { } info
            && info.TryGetValue("used_cpu_sys", out var sys) && info.TryGetValue("used_cpu_user", out var user))
        {
            redis = TimeSpan.FromSeconds(double.Parse(sys, CultureInfo.InvariantCulture) + double.Parse(user, CultureInfo.InvariantCulture));
        }

        return new(process, redis, GC.GetTotalAllocatedBytes(precise: false));
    }
}

/// <summary>What the baseline endpoint reads: one Redis GET of a same-size JSON body, by default from a key of the
/// caller's own among as many keys as there are logins (chosen by the login cookie), as a session lookup does, so Redis
/// touches as much memory for the baseline as for the status. <c>--baseline-keys 1</c> reads one hot key instead.</summary>
internal static class Baseline
{
    public static int Keys { get; set; } = 1;

    public static string Describe()
        => Keys <= 1 ? "one key for all, `--baseline-keys 1`" : string.Create(CultureInfo.InvariantCulture, $"one of {Keys:N0} keys, by the login cookie");

    public static RedisKey Key(HttpContext context)
        => Keys <= 1
            ? "bench:baseline"
            : "bench:baseline:" + ((uint)string.GetHashCode(context.Request.Cookies[IcelandicEidDefaults.LoginCookieName]) % (uint)Keys).ToString(CultureInfo.InvariantCulture);

    public static async Task WriteAsync(IDatabase db, string json, int logins)
    {
        Keys = KeysFor(logins);
        await db.StringSetAsync("bench:baseline", json);
        for (var i = 0; i < Keys; i += 500)
        {
            await Task.WhenAll(Enumerable.Range(i, Math.Min(500, Keys - i)).Select(k => db.StringSetAsync("bench:baseline:" + k.ToString(CultureInfo.InvariantCulture), json)));
        }
    }

    /// <summary>How many baseline keys for this many logins: as many, unless <c>--baseline-keys</c> says otherwise.</summary>
    public static int KeysFor(int logins) => int.TryParse(ArgValue("--baseline-keys"), out var keys) ? keys : logins;

    private static string? ArgValue(string name)
    {
        var args = Environment.GetCommandLineArgs();
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
