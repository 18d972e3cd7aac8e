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
