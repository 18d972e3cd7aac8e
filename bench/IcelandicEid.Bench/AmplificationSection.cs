/// <summary>Benchmark section: 3: upstream amplification.</summary>
internal static class AmplificationSection
{
    public static async Task RunAsync(BenchRun run)
    {
        var logins = run.Logins;
        var amplificationLogins = run.AmplificationLogins;
        var redis = run.Redis;
        var report = run.Report;
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
}
