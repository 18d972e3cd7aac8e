/// <summary>Benchmark section: 1 and 2: pending logins, latency, throughput.</summary>
internal static class StatusSection
{
    public static async Task RunAsync(BenchRun run)
    {
        var logins = run.Logins;
        var seconds = run.Seconds;
        var concurrency = run.Concurrency;
        var rounds = run.Rounds;
        var redis = run.Redis;
        var report = run.Report;
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
}
