namespace IcelandicEid.Http;

/// <summary>How calls to an upstream are made resilient (Polly v8).</summary>
public sealed class UpstreamResilienceOptions
{
    /// <summary>Timeout of one HTTP attempt. Default 10 seconds.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many times a failed poll is retried (connection errors, 5xx, 429, timeouts, unreadable answers).
    /// Retries wait at least the login's poll interval, with jitter. Default 2.</summary>
    public int MaxPollRetries { get; set; } = 2;

    /// <summary>First retry back-off before jitter; it doubles per attempt and is never below the poll interval. Default 1 second.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Circuit breaker: the share of failed calls in the sampling window that opens it. Default 0.5.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Circuit breaker: calls needed in the window before it may open. Default 20, so that a few unlucky
    /// calls on a quiet site do not open it.</summary>
    public int BreakerMinimumThroughput { get; set; } = 20;

    /// <summary>Circuit breaker: the sampling window. Default 30 seconds.</summary>
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Circuit breaker: how long it stays open, failing calls at once. Default 15 seconds.</summary>
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    internal void AddErrors(OptionErrors errors)
    {
        if (AttemptTimeout <= TimeSpan.Zero)
        {
            errors.Add("Resilience:AttemptTimeout", "must be more than zero");
        }

        if (MaxPollRetries is < 0 or > 10)
        {
            errors.Add("Resilience:MaxPollRetries", "must be between 0 and 10");
        }

        if (RetryBaseDelay < TimeSpan.Zero)
        {
            errors.Add("Resilience:RetryBaseDelay", "must not be negative");
        }

        if (BreakerFailureRatio is <= 0 or > 1)
        {
            errors.Add("Resilience:BreakerFailureRatio", "must be more than 0 and at most 1");
        }

        if (BreakerMinimumThroughput < 2)
        {
            errors.Add("Resilience:BreakerMinimumThroughput", "must be at least 2");
        }

        if (BreakerSamplingDuration < TimeSpan.FromMilliseconds(500))
        {
            errors.Add("Resilience:BreakerSamplingDuration", "must be at least 0.5 seconds");
        }

        if (BreakerBreakDuration < TimeSpan.FromMilliseconds(500))
        {
            errors.Add("Resilience:BreakerBreakDuration", "must be at least 0.5 seconds");
        }
    }
}
