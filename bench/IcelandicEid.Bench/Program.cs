// Load and latency benchmarks of the Icelandic eID handler on the Redis store.
//   dotnet run -c Release --project bench/IcelandicEid.Bench [-- --logins 10000 --seconds 20 --concurrency 32]
// Starts a real Redis (redis-server, or the garnet-server dotnet tool), apps on Kestrel on loopback, and drives them
// over HTTP from this process. Prints a Markdown report.
// Each section is its own file (StatusSection.cs, ClusterSection.cs, …); Harness.cs holds what they share.

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

var run = new BenchRun(logins, seconds, concurrency, amplificationLogins, floodSeconds, floodCap, rounds, redisServer, redis, report);
if (Section("status"))
{
    await StatusSection.RunAsync(run);
}

if (Section("cluster"))
{
    await ClusterSection.RunAsync(run);
}

if (Section("amplification"))
{
    await AmplificationSection.RunAsync(run);
}

if (Section("flood"))
{
    await FloodSection.RunAsync(run);
}

if (Environment.GetCommandLineArgs().Contains("micro"))
{
    await MicroSection.RunAsync(run);
}

if (Section("wrk"))
{
    await WrkSection.RunAsync(run);
}

Console.Write(report.ToString());

/// <summary>The arguments and shared resources of one benchmark run.</summary>
internal sealed record BenchRun(
    int Logins, int Seconds, int Concurrency, int AmplificationLogins, int FloodSeconds, int FloodCap, int Rounds,
    RedisServer RedisServer, ConnectionMultiplexer Redis, System.Text.StringBuilder Report);
