/// <summary>What every benchmark section shares: arguments, the load generator, the apps under test, measurements.</summary>
internal static class Harness
{

    // How many times Redis has run a command (INFO commandstats).
    internal static long RedisCalls(IServer server, string command)
        => server.Info("commandstats").SelectMany(g => g).FirstOrDefault(p => p.Key == "cmdstat_" + command) is { Value: { } value }
            && value.Split(',')[0].Split('=') is [_, var calls] ? long.Parse(calls, CultureInfo.InvariantCulture) : 0;

    internal static HttpRequestMessage StartRequest(LoginPage page, int phone)
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
    internal static bool Section(string name)
    {
        var args = Environment.GetCommandLineArgs();
        var i = Array.IndexOf(args, "--only");
        return i < 0 || i + 1 >= args.Length || args[i + 1] == name;
    }

    internal static int Arg(string name, int fallback)
    {
        var args = Environment.GetCommandLineArgs();
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }

    internal static string? ArgText(string name)
    {
        var args = Environment.GetCommandLineArgs();
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    internal static string? Which(string program)
        => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

    internal static string WrkScript(string cookieFile) => $$"""
        local cookies = {}
        for line in io.lines("{{cookieFile}}") do cookies[#cookies + 1] = line end
        math.randomseed(os.time())
        request = function()
          return wrk.format("GET", nil, { ["Cookie"] = "{{IcelandicEidDefaults.LoginCookieName}}=" .. cookies[math.random(#cookies)] })
        end
        """;

    internal static string RuntimeInfo() => System.Runtime.InteropServices.RuntimeInformation.OSDescription;

    internal static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    internal static long UsedMemory(StackExchange.Redis.IServer server)
        => long.Parse(server.Info("memory").SelectMany(g => g).First(p => p.Key == "used_memory").Value, CultureInfo.InvariantCulture);

    // A browser with its own cookies, for the few requests of one person.
    internal static TestBrowser BrowserOf(Uri address)
    {
        var handler = new CookieHandler(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        return new TestBrowser(new HttpClient(handler) { BaseAddress = address }, handler);
    }

    internal static HttpClient NewClient(Uri address, int connections)
        => new(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false, MaxConnectionsPerServer = connections, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = address,
        };

    // The baseline gets the same cookie bytes as a status request, so both cost the load generator and the parser the same.
    internal static HttpRequestMessage BaselineRequest(string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/bench/baseline");
        request.Headers.Add("Cookie", IcelandicEidDefaults.LoginCookieName + "=" + cookie);
        return request;
    }

    internal static HttpRequestMessage StatusRequest(string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/icelandic-eid/status");
        request.Headers.Add("Cookie", IcelandicEidDefaults.LoginCookieName + "=" + cookie);
        return request;
    }

    // Each login as a browser makes it: the login page first (its antiforgery and browser cookies), then the start.
    internal static async Task<List<string>> StartLoginsAsync(HttpClient client, LoginPage unused, int count, int firstPhone)
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
    internal static async Task<(LoadResult Status, LoadResult Baseline, List<double> Paired)> CompareAsync(HttpClient client, Func<HttpRequestMessage> status, Func<HttpRequestMessage> baseline, int concurrency, int seconds, int rounds, AppClock? clock = null)
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

    internal static string CpuText(LoadResult result)
        => string.Create(CultureInfo.InvariantCulture, $"{result.CpuPerRequest.Process:F0} µs / {result.CpuPerRequest.Redis:F1} µs | {result.AllocatedPerRequest:F0} B");

    // The median of sorted values: the middle one, or the mean of the two middle ones.
    internal static double Median(List<double> sorted)
        => sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;

    internal static string Rounds(List<double> paired)
        => string.Create(CultureInfo.InvariantCulture, $"{string.Join(", ", paired.Select(r => r.ToString("F2", CultureInfo.InvariantCulture)))}, median {Median(paired):F2}");

    internal static async Task<LoadResult> RunLoadAsync(HttpClient client, Func<HttpRequestMessage> request, int concurrency, TimeSpan duration)
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

    internal static async Task<BenchApp> StartAppAsync(IConnectionMultiplexer? redis, string prefix, IIcelandicEidProvider provider, int memoryCap = 0, TimeProvider? clock = null)
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
}
