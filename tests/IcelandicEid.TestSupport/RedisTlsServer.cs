using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IcelandicEid.Tests.Infrastructure;

/// <summary>
/// Debian's <c>redis-server</c> on loopback speaking TLS only (<c>tls-port</c>), with a certificate authority made for
/// the test, and access control: the default user needs <see cref="AdminPassword"/>, and <see cref="User"/> has exactly
/// the rights given to <see cref="StartAsync"/>. <see cref="RedisSentinelSet.Missing"/> says what to install.
/// </summary>
public sealed class RedisTlsServer : IAsyncDisposable
{
    public const string User = "eid";
    public const string Password = "eid-password-of-the-test";
    public const string AdminPassword = "admin-password-of-the-test";
    private readonly string _dir = Directory.CreateTempSubdirectory("eid-tls-").FullName;
    private Process? _process;

    public int Port { get; } = RedisServer.FreePort();

    /// <summary>The certificate authority that issued the server's certificate (PEM).</summary>
    public string CertificateAuthorityPath => Path.Combine(_dir, "ca.crt");

    /// <summary>A StackExchange.Redis configuration string for <see cref="User"/> over TLS.</summary>
    public string Configuration
        => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)},ssl=true,sslHost=localhost,user={User},password={Password},abortConnect=false,connectTimeout=3000,syncTimeout=3000";

    /// <param name="acl">The ACL rules of <see cref="User"/> after <c>on &gt;password</c>, as Redis's <c>user</c> directive.</param>
    public static async Task<RedisTlsServer> StartAsync(string acl)
    {
        var server = new RedisTlsServer();
        try
        {
            server.WriteCertificates();
            var config = Path.Combine(server._dir, "redis.conf");
            await File.WriteAllTextAsync(config, string.Join('\n',
                "port 0",
                $"tls-port {server.Port}",
                "bind 127.0.0.1",
                $"tls-cert-file {Path.Combine(server._dir, "server.crt")}",
                $"tls-key-file {Path.Combine(server._dir, "server.key")}",
                $"tls-ca-cert-file {server.CertificateAuthorityPath}",
                "tls-auth-clients no",
                "save \"\"",
                "appendonly no",
                $"user default on >{AdminPassword} ~* &* +@all",
                $"user {User} on >{Password} {acl}",
                string.Empty));
            var start = new ProcessStartInfo(RedisServer.FindOnPath("redis-server")!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(config);
            server._process = Process.Start(start)!;
            server._process.OutputDataReceived += (_, _) => { };
            server._process.ErrorDataReceived += (_, _) => { };
            server._process.BeginOutputReadLine();
            server._process.BeginErrorReadLine();
            var watch = Stopwatch.StartNew();
            while (!await server.ListeningAsync())
            {
                if (server._process.HasExited || watch.Elapsed > TimeSpan.FromSeconds(20))
                {
                    throw new InvalidOperationException("redis-server with TLS did not start (exit code " + (server._process.HasExited ? server._process.ExitCode.ToString(CultureInfo.InvariantCulture) : "none") + ").");
                }

                await Task.Delay(100);
            }

            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<bool> ListeningAsync()
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private void WriteCertificates()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Test Redis CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddYears(1));

        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var certificate = request.Create(ca, now.AddDays(-1), now.AddMonths(6), RandomNumberGenerator.GetBytes(12));

        File.WriteAllText(CertificateAuthorityPath, ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_dir, "server.crt"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(_dir, "server.key"), serverKey.ExportRSAPrivateKeyPem());
    }
}
