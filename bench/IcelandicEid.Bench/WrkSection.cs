/// <summary>Benchmark section: 5: out of process, wrk against the published sample.</summary>
internal static class WrkSection
{
    public static async Task RunAsync(BenchRun run)
    {
        var logins = run.Logins;
        var seconds = run.Seconds;
        var concurrency = run.Concurrency;
        var rounds = run.Rounds;
        var redisServer = run.RedisServer;
        var redis = run.Redis;
        var report = run.Report;
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
}
