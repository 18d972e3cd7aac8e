/// <summary>Benchmark section: 4: a flood against the in-memory store.</summary>
internal static class FloodSection
{
    public static async Task RunAsync(BenchRun run)
    {
        var logins = run.Logins;
        var concurrency = run.Concurrency;
        var floodSeconds = run.FloodSeconds;
        var floodCap = run.FloodCap;
        var report = run.Report;
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
}
