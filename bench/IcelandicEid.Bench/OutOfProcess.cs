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
