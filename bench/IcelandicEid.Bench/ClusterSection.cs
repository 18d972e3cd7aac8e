/// <summary>Benchmark section: 2b: the read path on a Redis Cluster.</summary>
internal static class ClusterSection
{
    public static async Task RunAsync(BenchRun run)
    {
        var logins = run.Logins;
        var seconds = run.Seconds;
        var concurrency = run.Concurrency;
        var rounds = run.Rounds;
        var redis = run.Redis;
        var report = run.Report;
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
}
