using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IcelandicEid.Tests.Infrastructure;

/// <summary>
/// A real Redis-protocol server on a free loopback port, started by the test run: Debian's <c>redis-server</c> when it
/// is on the PATH, otherwise the <c>garnet-server</c> dotnet tool from the repository's tool manifest (restored on
/// first use), so the tests pass on a machine that has only the .NET SDK. <c>EID_TEST_REDIS=garnet</c> forces Garnet.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private static readonly SemaphoreSlim s_toolRestore = new(1, 1);
    private static bool s_toolRestored;
    private Process? _process;

    private RedisServer(int port) => Port = port;

    public int Port { get; }

    public string Kind { get; private set; } = string.Empty;

    public string Configuration => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,syncTimeout=3000,connectRetry=1";

    public static async Task<RedisServer> StartAsync()
    {
        var server = new RedisServer(FreePort());
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>A server with a free port reserved but not started, as if Redis were down when an app starts.</summary>
    public static RedisServer NotStarted() => new(FreePort());

    /// <summary>Freezes the server (SIGSTOP): connections stay open and nothing answers, as in a network partition or
    /// a frozen VM.</summary>
    public void Pause() => Signal(SigStop);

    /// <summary>Lets a paused server go on (SIGCONT).</summary>
    public void Resume() => Signal(SigCont);

    /// <summary>Sends a command and returns the first line of the answer (for FLUSHALL, LRANGE and the like).</summary>
    public Task<string> CommandAsync(params string[] words) => CommandAsync(Port, words);

    /// <summary>Sends one command to a Redis-protocol server on a loopback port and returns what it answered first.</summary>
    public static async Task<string> CommandAsync(int port, params string[] words)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        var command = new StringBuilder().Append('*').Append(words.Length).Append("\r\n");
        foreach (var word in words)
        {
            command.Append('$').Append(Encoding.UTF8.GetByteCount(word)).Append("\r\n").Append(word).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(command.ToString()));
        var buffer = new byte[1 << 20];
        var read = await stream.ReadAsync(buffer);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    private const int SigStop = 19;
    private const int SigCont = 18;

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    private void Signal(int signal)
    {
        var process = _process ?? throw new InvalidOperationException("The server is not running.");

        // The server itself and, for the dotnet tool, the process it started.
        foreach (var pid in Descendants(process.Id).Prepend(process.Id))
        {
            if (kill(pid, signal) != 0)
            {
                throw new InvalidOperationException($"kill({pid}, {signal}) failed: {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
            }
        }
    }

    private static IEnumerable<int> Descendants(int pid)
    {
        var children = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var candidate))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    if (int.TryParse(fields[1], out var parent) && parent == pid)
                    {
                        children.Add(candidate);
                    }
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }

        return children.Concat(children.SelectMany(Descendants)).ToList();
    }

    /// <summary>Stops the server, as if Redis went down.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Starts it again on the same port (empty: nothing was persisted), or for the first time after
    /// <see cref="NotStarted"/>.</summary>
    public Task RestartAsync() => StartProcessAsync();

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task StartProcessAsync()
    {
        ProcessStartInfo start;
        var forceGarnet = Environment.GetEnvironmentVariable("EID_TEST_REDIS") == "garnet";
        if (!forceGarnet && FindOnPath("redis-server") is { } redis)
        {
            Kind = "redis-server";
            start = new ProcessStartInfo(redis);
            foreach (var arg in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no" })
            {
                start.ArgumentList.Add(arg);
            }
        }
        else
        {
            Kind = "garnet-server";
            await RestoreToolAsync();
            start = new ProcessStartInfo("dotnet") { WorkingDirectory = RepositoryRoot() };
            foreach (var arg in new[] { "tool", "run", "garnet-server", "--", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--lua", "true" })
            {
                start.ArgumentList.Add(arg);
            }
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + Kind);
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"{Kind} exited with code {_process.ExitCode} before answering.");
            }

            if (await PingAsync())
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{Kind} did not answer PING on port {Port}.");
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray());
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task RestoreToolAsync()
    {
        await s_toolRestore.WaitAsync();
        try
        {
            if (s_toolRestored)
            {
                return;
            }

            using var restore = Process.Start(new ProcessStartInfo("dotnet", "tool restore") { WorkingDirectory = RepositoryRoot(), UseShellExecute = false })!;
            await restore.WaitForExitAsync();
            if (restore.ExitCode != 0)
            {
                throw new InvalidOperationException("dotnet tool restore failed; install redis-server or check the NuGet feed.");
            }

            s_toolRestored = true;
        }
        finally
        {
            s_toolRestore.Release();
        }
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static string? FindOnPath(string name)
        => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AuthHandler.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("AuthHandler.sln not found above " + AppContext.BaseDirectory);
    }
}
