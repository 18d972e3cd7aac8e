using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace IcelandicEid.Http;

/// <summary>
/// The HTTP building block of every upstream (Taktikal, Vettvangur, Auðkenni): Polly pipelines that share one circuit
/// breaker, so a dead upstream stops being called whichever endpoint notices first, the one way to send a request and
/// read its answer (<see cref="SendAsync"/>, error answers logged with personal data masked), and the health check.
/// Each provider makes one per upstream and asks <c>IHttpClientFactory</c> for a client on every call.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>Start</b>: attempt timeout and the breaker; retried only when the connection could not be made at all, since a
/// start that may have reached the upstream sends the person a request on their phone and must never be sent twice.
/// The same holds for any call that must reach the upstream at most once, such as redeeming an authorization code.</item>
/// <item><b>Poll</b>: retried on connection errors, 5xx, 429, timeouts and unreadable answers, with jittered exponential
/// back-off that never waits less than the login's poll interval (nor less than a 429's Retry-After).</item>
/// <item><b>Blocking</b>: for the endpoints that hold the request open until the person answers; one attempt, long timeout.</item>
/// </list>
/// </remarks>
internal sealed class UpstreamPipelines
{
    private static readonly ResiliencePropertyKey<TimeSpan> s_interval = new("IcelandicEid.PollInterval");
    private readonly CircuitBreakerStateProvider _breakerState = new();
    private readonly ILogger _logger;
    private readonly string _upstream;

    /// <summary>Builds the pipelines; retries, breaker openings and error answers are logged for <paramref name="upstream"/>.</summary>
    public UpstreamPipelines(UpstreamResilienceOptions options, TimeSpan blockingTimeout, TimeProvider? timeProvider = null, ILogger? logger = null, string upstream = "upstream")
    {
        ArgumentNullException.ThrowIfNull(options);
        var time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _upstream = upstream;
        var breaker = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                StateProvider = _breakerState,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = options.BreakerSamplingDuration,
                BreakDuration = options.BreakerBreakDuration,
                OnOpened = args =>
                {
                    ClientLog.BreakerOpened(_logger, _upstream, args.BreakDuration.TotalSeconds, args.Outcome.Exception?.GetType().Name ?? "failure");
                    return default;
                },
                OnClosed = _ =>
                {
                    ClientLog.BreakerClosed(_logger, _upstream);
                    return default;
                },
            })
            .Build();

        Start = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>(NeverReachedUpstream),
                MaxRetryAttempts = 2,
                Delay = TimeSpan.FromMilliseconds(200),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                OnRetry = args => LogRetry("start", args.AttemptNumber, args.RetryDelay, args.Outcome.Exception),
            })
            .AddPipeline(breaker)
            .AddTimeout(options.AttemptTimeout)
            .Build();

        var retry = new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
            MaxRetryAttempts = Math.Max(1, options.MaxPollRetries),
            DelayGenerator = args =>
            {
                var interval = args.Context.Properties.GetValue(s_interval, TimeSpan.FromSeconds(1));
                var backoff = options.RetryBaseDelay * Math.Pow(2, args.AttemptNumber);
                var retryAfter = args.Outcome.Exception is UpstreamTransientException { RetryAfter: { } ra } ? ra : TimeSpan.Zero;
                var delay = Max(Max(interval, backoff), retryAfter);
                delay += delay * (Random.Shared.NextDouble() * 0.25);
                return ValueTask.FromResult<TimeSpan?>(delay);
            },
            OnRetry = args => LogRetry("poll", args.AttemptNumber, args.RetryDelay, args.Outcome.Exception),
        };
        var poll = new ResiliencePipelineBuilder { TimeProvider = time };
        if (options.MaxPollRetries > 0)
        {
            poll.AddRetry(retry);
        }

        Poll = poll.AddPipeline(breaker).AddTimeout(options.AttemptTimeout).Build();

        Blocking = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddPipeline(breaker)
            .AddTimeout(blockingTimeout)
            .Build();
    }

    /// <summary>Whether the shared circuit breaker is open (calls fail at once).</summary>
    public bool IsCircuitOpen => _breakerState.CircuitState is CircuitState.Open or CircuitState.Isolated;

    /// <summary>For start requests.</summary>
    public ResiliencePipeline Start { get; }

    /// <summary>For polls and other idempotent reads.</summary>
    public ResiliencePipeline Poll { get; }

    /// <summary>For endpoints that block until the person answers.</summary>
    public ResiliencePipeline Blocking { get; }

    /// <summary>Runs <paramref name="call"/> through <paramref name="pipeline"/>, turning what remains of a failure into an
    /// <see cref="EidProviderException"/> with a clear reason.</summary>
    public static async Task<T> ExecuteAsync<T>(
        ResiliencePipeline pipeline,
        Func<CancellationToken, ValueTask<T>> call,
        TimeSpan? pollInterval,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        if (pollInterval is { } interval)
        {
            context.Properties.Set(s_interval, interval);
        }

        try
        {
            return await pipeline.ExecuteAsync(static (ctx, state) => state(ctx.CancellationToken), context, call);
        }
        catch (BrokenCircuitException ex)
        {
            throw new EidProviderException(EidFailureReason.Unavailable, "The upstream's circuit breaker is open: it failed too often lately.", ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new EidProviderException(EidFailureReason.Unavailable, "The upstream did not answer in time.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new EidProviderException(EidFailureReason.Unavailable, "The upstream could not be reached: " + ex.HttpRequestError + ".", ex);
        }
        catch (IOException ex)
        {
            throw new EidProviderException(EidFailureReason.Unavailable, "The connection to the upstream broke.", ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Sends a request and reads the body; 5xx and 429 become <see cref="UpstreamTransientException"/>. Error
    /// answers are logged with the upstream's words, personal data masked.</summary>
    public async ValueTask<UpstreamAnswer> SendAsync(
        HttpClient http, Func<HttpRequestMessage> createRequest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(createRequest);
        using var request = createRequest();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var status = response.StatusCode;
        if ((int)status >= 400)
        {
            ClientLog.ErrorAnswer(_logger, _upstream, request.RequestUri?.AbsolutePath ?? string.Empty, (int)status, PersonalData.Redact(LenientJson.ErrorText(body)));
        }

        if ((int)status >= 500 || status == HttpStatusCode.TooManyRequests || status == HttpStatusCode.RequestTimeout)
        {
            var retryAfter = response.Headers.RetryAfter is { } ra
                ? ra.Delta ?? (ra.Date is { } date ? date - DateTimeOffset.UtcNow : null)
                : null;
            throw new UpstreamTransientException(status, retryAfter);
        }

        return new UpstreamAnswer(
            status,
            body,
            response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.ToArray() : [],
            response.Headers.Location);
    }

    private ValueTask LogRetry(string operation, int attempt, TimeSpan delay, Exception? exception)
    {
        ClientLog.Retrying(_logger, _upstream, operation, attempt + 1, (long)delay.TotalMilliseconds, exception?.GetType().Name ?? "failure");
        return default;
    }

    /// <summary>Whether <paramref name="url"/>'s host answers HTTP at all (any status) within <paramref name="timeout"/>.</summary>
    public static async Task<bool> IsReachableAsync(HttpClient http, Uri url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, url);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            return true;
        }
        catch (HttpRequestException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>The health of an upstream: unhealthy but degraded while its breaker is open, else whether it answers.</summary>
    public static async Task<EidUpstreamHealth> CheckHealthAsync(
        string name, bool circuitOpen, Func<Task<bool>> isReachable)
    {
        ArgumentNullException.ThrowIfNull(isReachable);
        if (circuitOpen)
        {
            return EidUpstreamHealth.Degraded(name + ": the circuit breaker is open after repeated failures.");
        }

        return await isReachable() ? EidUpstreamHealth.Healthy(name + " answers.") : EidUpstreamHealth.Unhealthy(name + " cannot be reached.");
    }

    /// <summary>A base URL with exactly one trailing slash, so relative paths append to it.</summary>
    public static Uri WithTrailingSlash(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var text = url.ToString();
        return new Uri(text.EndsWith('/') ? text : text + "/");
    }

    private static bool IsTransient(Exception exception) => exception is HttpRequestException
        or TimeoutRejectedException
        or UpstreamTransientException
        or UpstreamFormatException
        or IOException;

    private static bool NeverReachedUpstream(HttpRequestException exception)
        => exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            && exception.InnerException is System.Net.Sockets.SocketException;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>An upstream's answer, read whole.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Body">The body as text.</param>
/// <param name="SetCookies">The <c>Set-Cookie</c> headers (for upstreams with sticky sessions).</param>
/// <param name="Location">The <c>Location</c> header, unfollowed (redirects are answers here, not hops).</param>
internal sealed record UpstreamAnswer(HttpStatusCode Status, string Body, IReadOnlyList<string> SetCookies, Uri? Location)
{
    public void Deconstruct(out HttpStatusCode status, out string body)
    {
        status = Status;
        body = Body;
    }
}
