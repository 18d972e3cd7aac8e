using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using IcelandicEid.Tests.Infrastructure;

namespace IcelandicEid.BrowserTests;

/// <summary>
/// The topology of <c>docker-compose.yml</c> without Docker: Debian's nginx with <c>deploy/nginx.conf</c> (a copy that
/// differs only in addresses), two instances of the sample (its built <c>SampleWeb.dll</c>, each its own process,
/// configured as the compose file configures them) and one Redis, all on loopback.
/// </summary>
public sealed class ComposeTopology : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eid-topology-").FullName;
    private RedisServer? _redis;
    private Process? _nginx;

    private ComposeTopology()
    {
    }

    /// <summary>Why this machine cannot run it, or null.</summary>
    public static string? Missing => Nginx is null
        ? "The compose-topology tests need Debian's nginx (apt-get install nginx)."
        : RedisServer.FindOnPath("redis-server") is null ? "The compose-topology tests need Debian's redis-server (apt-get install redis-server)." : null;

    private static string? Nginx => RedisServer.FindOnPath("nginx") ?? (File.Exists("/usr/sbin/nginx") ? "/usr/sbin/nginx" : null);

    /// <summary>Where nginx listens: the only address a browser uses.</summary>
    public Uri Address { get; private set; } = default!;

    public IReadOnlyList<Instance> Instances { get; private set; } = [];

    /// <summary>Starts Redis, the two instances (with these settings beyond the compose file's) and nginx.</summary>
    public static async Task<ComposeTopology> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        var topology = new ComposeTopology();
        try
        {
            topology._redis = await RedisServer.StartAsync();
            var instances = new List<Instance>();
            for (var i = 1; i <= 2; i++)
            {
                instances.Add(Instance.Start("sample-" + i, RedisServer.FreePort(), topology._redis.Port, settings ?? new Dictionary<string, string>()));
            }

            topology.Instances = instances;
            foreach (var instance in instances)
            {
                await instance.WaitUntilHealthyAsync();
            }

            await topology.StartNginxAsync();
            return topology;
        }
        catch
        {
            await topology.DisposeAsync();
            throw;
        }
    }

    private async Task StartNginxAsync()
    {
        var port = RedisServer.FreePort();
        var site = await File.ReadAllTextAsync(Path.Combine(RedisServer.RepositoryRoot(), "deploy", "nginx.conf"));
        foreach (var (from, to) in new[]
        {
            ("server sample-1:8080;", $"server 127.0.0.1:{Instances[0].Port};"),
            ("server sample-2:8080;", $"server 127.0.0.1:{Instances[1].Port};"),
            ("listen 80;", $"listen 127.0.0.1:{port};"),
        })
        {
            Assert.True(site.Contains(from, StringComparison.Ordinal), $"deploy/nginx.conf no longer has '{from}': bring this test's copy in line.");
            site = site.Replace(from, to, StringComparison.Ordinal);
        }

        await File.WriteAllTextAsync(Path.Combine(_dir, "site.conf"), site);
        await File.WriteAllTextAsync(Path.Combine(_dir, "nginx.conf"), string.Join('\n',
            Environment.UserName == "root" ? "user root;" : string.Empty,
            "daemon off;",
            "worker_processes 1;",
            $"pid {_dir}/nginx.pid;",
            $"error_log {_dir}/error.log warn;",
            "events { worker_connections 256; }",
            "http {",
            $"  access_log {_dir}/access.log;",
            $"  client_body_temp_path {_dir}/body; proxy_temp_path {_dir}/proxy; fastcgi_temp_path {_dir}/fastcgi;",
            $"  uwsgi_temp_path {_dir}/uwsgi; scgi_temp_path {_dir}/scgi;",
            $"  include {_dir}/site.conf;",
            "}",
            string.Empty));
        var start = new ProcessStartInfo(Nginx!) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-p", _dir, "-e", Path.Combine(_dir, "error.log"), "-c", Path.Combine(_dir, "nginx.conf") })
        {
            start.ArgumentList.Add(arg);
        }

        _nginx = Process.Start(start)!;
        _nginx.OutputDataReceived += (_, _) => { };
        _nginx.ErrorDataReceived += (_, _) => { };
        _nginx.BeginOutputReadLine();
        _nginx.BeginErrorReadLine();
        Address = new Uri($"http://127.0.0.1:{port}/");
        using var client = new HttpClient();
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await client.GetAsync(new Uri(Address, "/health"))).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (_nginx.HasExited || watch.Elapsed > TimeSpan.FromSeconds(20))
            {
                var log = File.Exists(Path.Combine(_dir, "error.log")) ? await File.ReadAllTextAsync(Path.Combine(_dir, "error.log")) : string.Empty;
                throw new InvalidOperationException("nginx did not come up: " + log);
            }

            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_nginx is { HasExited: false })
        {
            _nginx.Kill(entireProcessTree: true); // the worker too: it holds the output pipes open
            await _nginx.WaitForExitAsync();
        }

        _nginx?.Dispose();
        foreach (var instance in Instances)
        {
            await instance.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>One instance of the sample, as the compose file runs it; its console log is kept.</summary>
    public sealed class Instance : IAsyncDisposable
    {
        private readonly Process _process;

        private Instance(string name, int port, Process process)
        {
            Name = name;
            Port = port;
            _process = process;
        }

        public string Name { get; }

        public int Port { get; }

        public ConcurrentQueue<string> Log { get; } = new();

        public bool HasExited => _process.HasExited;

        public static Instance Start(string name, int port, int redisPort, IReadOnlyDictionary<string, string> settings)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.Combine(RedisServer.RepositoryRoot(), "sample-web"),
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SampleWeb.dll"));
            var environment = new Dictionary<string, string>
            {
                // As docker-compose.yml and sample-web/Dockerfile set them, with loopback addresses:
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["Urls"] = "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
                ["IcelandicEid__Provider"] = "Simulator",
                ["IcelandicEid__Limits__HashKey"] = "topology-test-hash-key-of-at-least-32-characters",
                ["ConnectionStrings__Redis"] = "127.0.0.1:" + redisPort.ToString(CultureInfo.InvariantCulture),
                ["DataProtection__KeyRingSecret"] = "topology-test-key-ring-secret-of-48-characters!!",
                ["TrustForwardedHeaders"] = "true",
                ["ForwardedHeaders__KnownNetworks__0"] = "127.0.0.1/32",

                // Plain HTTP on loopback (the compose file has TLS in front in production).
                ["IcelandicEid__AllowPlainHttp"] = "true",
            };
            foreach (var (key, value) in settings)
            {
                environment[key] = value;
            }

            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the sample");
            var instance = new Instance(name, port, process);
            process.OutputDataReceived += (_, e) => instance.Add(e.Data);
            process.ErrorDataReceived += (_, e) => instance.Add(e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return instance;
        }

        /// <summary>Whether this instance served a request (its request log says "HTTP {method} {path}…").</summary>
        public bool Served(string method, string pathStart)
            => Log.Any(line => line.Contains($"HTTP {method} {pathStart}", StringComparison.Ordinal));

        /// <summary>Kills the instance outright, as a crashed container.</summary>
        public void Kill()
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        public async Task WaitUntilHealthyAsync()
        {
            using var client = new HttpClient();
            var watch = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    if ((await client.GetAsync($"http://127.0.0.1:{Port}/health")).StatusCode == HttpStatusCode.OK)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                }

                if (_process.HasExited || watch.Elapsed > TimeSpan.FromSeconds(60))
                {
                    throw new InvalidOperationException($"{Name} did not become healthy:\n" + string.Join('\n', Log));
                }

                await Task.Delay(200);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        private void Add(string? line)
        {
            if (line is not null)
            {
                Log.Enqueue(line);
            }
        }
    }
}
