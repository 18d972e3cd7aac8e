using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace IcelandicEid.Tests.Infrastructure;

/// <summary>Several real <c>redis-server</c> processes on loopback, started by a test and killed with it: the common
/// part of <see cref="RedisSentinelSet"/> and <see cref="RedisClusterSet"/>.</summary>
public abstract class RedisProcessSet : IAsyncDisposable
{
    private readonly List<(int Port, Process Process)> _processes = [];

    /// <summary>A directory of the set's own (configuration and node files), deleted with it.</summary>
    protected string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("eid-redis-set-").FullName;

    /// <summary>What a test needs to run one, or null when this machine has it.</summary>
    protected static string? MissingTools(string what, params string[] tools)
        => tools.Any(t => RedisServer.FindOnPath(t) is null)
            ? $"{what} need Debian's redis-server and redis-cli (apt-get install redis-server)."
            : null;

    /// <summary>The process serving a port.</summary>
    public Process ProcessOn(int port) => _processes.Single(p => p.Port == port).Process;

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, process) in _processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Sends one command to a server on loopback and returns the answer's text; empty when it is down.</summary>
    public static async Task<string> CommandAsync(int port, params string[] words)
    {
        try
        {
            return await RedisServer.CommandAsync(port, words);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>Starts <c>redis-server</c> on <paramref name="port"/> (with a configuration file when given, as a
    /// sentinel when asked) and waits until it answers PING.</summary>
    protected async Task StartServerAsync(int port, IEnumerable<string> extra, string? config = null, bool sentinel = false)
    {
        var start = new ProcessStartInfo(RedisServer.FindOnPath("redis-server")!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        if (config is not null)
        {
            start.ArgumentList.Add(config);
        }

        if (sentinel)
        {
            start.ArgumentList.Add("--sentinel");
        }
        else
        {
            foreach (var arg in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no" })
            {
                start.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in extra)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start redis-server");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _processes.Add((port, process));
        await WaitUntilAsync(async () => (await CommandAsync(port, "PING")).StartsWith("+PONG", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
    }

    /// <summary>Runs <c>redis-cli</c> with these arguments and returns its output; throws when it fails.</summary>
    protected static async Task<string> RedisCliAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(RedisServer.FindOnPath("redis-cli")!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start redis-cli");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }

        return await output;
    }

    /// <summary>Waits until <paramref name="condition"/> holds, failing early when a server died that should not
    /// have.</summary>
    protected async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan within, Process? allowedToDie = null)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > within)
            {
                throw new TimeoutException($"{GetType().Name} set-up: a condition did not hold within {within}");
            }

            if (_processes.FirstOrDefault(p => p.Process.HasExited && p.Process != allowedToDie).Process is { } dead)
            {
                throw new InvalidOperationException("redis-server exited with code " + dead.ExitCode);
            }

            await Task.Delay(100);
        }
    }
}
