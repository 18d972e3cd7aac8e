using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IcelandicEid.Redis;

/// <summary>At startup in Production, warns when the data-protection key ring goes to Redis unencrypted: read access
/// to Redis would then be enough to forge a sign-in cookie for any kennitala.</summary>
internal sealed partial class KeyRingProtectionCheck(
    IOptions<KeyManagementOptions> keys,
    IHostEnvironment environment,
    ILogger<KeyRingProtectionCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (keys.Value.XmlEncryptor is null)
        {
            if (environment.IsProduction())
            {
                Unprotected(logger);
            }
            else
            {
                UnprotectedOutsideProduction(logger);
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(1, LogLevel.Warning, "The data-protection key ring is kept in Redis without encryption at rest: anyone who can read Redis can forge sign-in cookies. Set KeyRingEncryptionSecret in AddIcelandicEidRedis, or use ProtectKeysWithCertificate.")]
    private static partial void Unprotected(ILogger logger);

    [LoggerMessage(2, LogLevel.Debug, "The data-protection key ring is kept in Redis without encryption at rest (acceptable outside Production).")]
    private static partial void UnprotectedOutsideProduction(ILogger logger);
}
