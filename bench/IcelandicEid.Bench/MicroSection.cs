/// <summary>Benchmark section: the pieces of a status request, one at a time (--only micro).</summary>
internal static class MicroSection
{
    public static async Task RunAsync(BenchRun run)
    {
        var logins = run.Logins;
        var redis = run.Redis;
        var report = run.Report;
        report.AppendLine("## The pieces of a status request").AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Each step called {Arg("--calls", 20_000):N0} times in a row, one at a time, against the same Redis; CPU per call. The last rows: 32 concurrent callers for 4 s each over 10,000 logins, peeking and polling when the lease is won, with no poll due (interval 1 h) and with polls due (interval 0.1 s: a poll in about one call in six, the contest marker kept fresh), beside plain GETs of the same keys and the same GETs under the store's time limit on Redis calls; requests/s and CPU per call.").AppendLine()
            .AppendLine(await Micro.RunAsync(redis, Arg("--calls", 20_000)));
    }
}
