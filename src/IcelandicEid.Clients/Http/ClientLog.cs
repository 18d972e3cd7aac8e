using Microsoft.Extensions.Logging;

namespace IcelandicEid.Http;

/// <summary>The clients' log lines. Upstream answers are logged with personal data masked.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(101, LogLevel.Warning, "{Upstream} {Operation} failed ({Failure}); retry {Attempt} in {DelayMs} ms.")]
    public static partial void Retrying(ILogger logger, string upstream, string operation, int attempt, long delayMs, string failure);

    [LoggerMessage(102, LogLevel.Error, "{Upstream} circuit breaker opened for {BreakSeconds} s after repeated failures (last: {Failure}); logins fail fast with \"try again\" meanwhile.")]
    public static partial void BreakerOpened(ILogger logger, string upstream, double breakSeconds, string failure);

    [LoggerMessage(103, LogLevel.Information, "{Upstream} circuit breaker closed: calls go through again.")]
    public static partial void BreakerClosed(ILogger logger, string upstream);

    [LoggerMessage(104, LogLevel.Warning, "{Upstream} answered {Path} with HTTP {Status}: {Detail}.")]
    public static partial void ErrorAnswer(ILogger logger, string upstream, string path, int status, string? detail);
}
