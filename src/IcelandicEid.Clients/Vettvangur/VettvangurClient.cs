using Microsoft.Extensions.Logging;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IcelandicEid.Http;

namespace IcelandicEid.Vettvangur;

/// <summary>
/// A typed client for Vettvangur's Audkenni API: <c>/authorize-code</c>, <c>/authorize-simple</c>,
/// <c>/authorize-status</c> and <c>/authorize-status-poll</c> (named as Vettvangur's own .NET client names them).
/// The API-key header style and the status endpoints' HTTP method are options, since the document contradicts itself.
/// </summary>
public sealed class VettvangurClient
{
    private readonly Func<HttpClient> _http;
    private readonly VettvangurOptions _options;
    private readonly Uri _baseUrl;
    private readonly UpstreamPipelines _pipelines;

    /// <summary>Creates the client. The <paramref name="http"/> client should have no timeout of its own.</summary>
    public VettvangurClient(HttpClient http, VettvangurOptions options, TimeProvider? timeProvider = null)
        : this(ToFactory(http), options, timeProvider)
    {
    }

    /// <summary>Creates the client with an <see cref="HttpClient"/> per call (from <c>IHttpClientFactory</c>, so handler
    /// rotation sees DNS changes), while the resilience pipelines and their circuit breaker stay this client's own.</summary>
    /// <param name="http">Gives the <see cref="HttpClient"/> for one call; it should have no timeout of its own.</param>
    /// <param name="options">The upstream's settings; validated here.</param>
    /// <param name="timeProvider">The clock of the pipelines; the system clock when null.</param>
    /// <param name="logger">Logs retries, breaker openings and error answers, identifiers masked.</param>
    public VettvangurClient(Func<HttpClient> http, VettvangurOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _http = http;
        _options = options;
        _baseUrl = UpstreamPipelines.WithTrailingSlash(options.BaseUrl);
        _pipelines = new UpstreamPipelines(options.Resilience, options.BlockingTimeout, timeProvider, logger, "Vettvangur");
    }

    private static Func<HttpClient> ToFactory(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return () => http;
    }

    /// <summary><c>/authorize-code</c>: sends the person a request and returns the challenge. Never retried once it may
    /// have reached Vettvangur.</summary>
    public Task<VettvangurCodeResult> AuthorizeWithCodeAsync(VettvangurCodeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new Dictionary<string, object?>
        {
            ["authType"] = AuthType(request.AuthType),
            ["phoneNumberOrSsn"] = request.PhoneNumberOrSsn,
            ["requestingApplication"] = _options.RequestingApplication,
            ["useEmojiChallenge"] = request.UseEmojiChallenge ?? _options.UseEmojiChallenge,
            ["lang"] = request.Lang ?? "is",
        };
        AddIfSet(body, "Challenge", request.Challenge);
        AddIfSet(body, "simChallengePrefix", request.SimChallengePrefix ?? _options.SimChallengePrefix);
        AddIfSet(body, "appAdditionalMessage", request.AppAdditionalMessage ?? _options.AppAdditionalMessage);

        return UpstreamPipelines.ExecuteAsync(_pipelines.Start, async ct =>
        {
            var (status, text) = await _pipelines.SendAsync(_http(), () => Request(HttpMethod.Post, "authorize-code", body), ct);
            if (!IsSuccess(status))
            {
                return new VettvangurCodeResult { Failure = Refusal(status, text) };
            }

            var response = VettvangurCodeResponse.From(LenientJson.ParseObject(text, "authorize-code"));
            if (!string.IsNullOrWhiteSpace(response.Error))
            {
                return new VettvangurCodeResult { Response = response, Failure = new EidFailure(AudkenniErrorCodes.Classify(response.Error), response.Error) };
            }

            if (response.Identifier == Guid.Empty)
            {
                throw new UpstreamFormatException("Vettvangur's authorize-code answer has no identifier.");
            }

            return new VettvangurCodeResult { Response = response };
        }, null, cancellationToken);
    }

    /// <summary><c>/authorize-simple</c>: the whole login in one call that blocks until the person answers (minutes).
    /// Not recommended for the app, which shows a code the caller never sees.</summary>
    public Task<VettvangurStatusResult> AuthorizeSimpleAsync(VettvangurSimpleRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new Dictionary<string, object?>
        {
            ["authType"] = AuthType(request.AuthType),
            ["phoneNumberOrSsn"] = request.PhoneNumberOrSsn,
            ["requestingApplication"] = _options.RequestingApplication,
            ["lang"] = request.Lang ?? "is",
        };
        AddIfSet(body, "challengeOrMessage", request.ChallengeOrMessage);

        return UpstreamPipelines.ExecuteAsync(_pipelines.Blocking, async ct =>
        {
            var (status, text) = await _pipelines.SendAsync(_http(), () => Request(HttpMethod.Post, "authorize-simple", body), ct);
            if (!IsSuccess(status))
            {
                var failure = Refusal(status, text);
                return new VettvangurStatusResult { Status = EidPollStatus.Failed, Error = failure.Detail, Failure = failure };
            }

            var json = LenientJson.ParseObject(text, "authorize-simple");
            var error = json.String("error");
            var user = VettvangurUserInfo.From(json);
            if (!string.IsNullOrWhiteSpace(error) || user is null)
            {
                return new VettvangurStatusResult { Status = EidPollStatus.Failed, Error = error, Failure = new EidFailure(AudkenniErrorCodes.Classify(error), error) };
            }

            return new VettvangurStatusResult { Status = EidPollStatus.Succeeded, FinishedPendingUser = true, UserInfo = user };
        }, null, cancellationToken);
    }

    /// <summary><c>/authorize-status</c>: how the login stands, at once. Retried on transient failures, never sooner than
    /// <paramref name="pollInterval"/>.</summary>
    public Task<VettvangurStatusResult> GetAuthorizationStatusAsync(
        Guid identifier, string? lang = null, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
        => StatusAsync("authorize-status", _pipelines.Poll, identifier, lang, pollInterval ?? _options.PollInterval, cancellationToken);

    /// <summary><c>/authorize-status-poll</c>: blocks while the login is pending and answers when it has ended.</summary>
    public Task<VettvangurStatusResult> PollAuthorizationStatusAsync(Guid identifier, string? lang = null, CancellationToken cancellationToken = default)
        => StatusAsync("authorize-status-poll", _pipelines.Blocking, identifier, lang, null, cancellationToken);

    private Task<VettvangurStatusResult> StatusAsync(
        string path, Polly.ResiliencePipeline pipeline, Guid identifier, string? lang, TimeSpan? pollInterval, CancellationToken cancellationToken)
    {
        var body = new Dictionary<string, object?>
        {
            ["identifier"] = identifier.ToString("D").ToUpperInvariant(),
            ["requestingApplication"] = _options.RequestingApplication,
            ["lang"] = lang ?? "is",
        };
        var method = _options.StatusMethod == VettvangurStatusMethod.Get ? HttpMethod.Get : HttpMethod.Post;

        return UpstreamPipelines.ExecuteAsync(pipeline, async ct =>
        {
            var (status, text) = await _pipelines.SendAsync(_http(), () => Request(method, path, body), ct);
            if (!IsSuccess(status))
            {
                var failure = Refusal(status, text);
                return new VettvangurStatusResult { Status = EidPollStatus.Failed, Error = failure.Detail, Failure = failure };
            }

            var json = LenientJson.ParseObject(text, path);
            var error = json.String("error");
            var state = ParseStatus(json.Property("status"));
            var finished = json.Bool("finishedPendingUser") ?? false;
            var user = VettvangurUserInfo.From(json);
            if (state is null)
            {
                if (!string.IsNullOrWhiteSpace(error))
                {
                    state = EidPollStatus.Failed;
                }
                else if (finished && user is not null)
                {
                    state = EidPollStatus.Succeeded;
                }
                else
                {
                    throw new UpstreamFormatException($"Vettvangur's {path} answer has no status Vettvangur documents.");
                }
            }

            if (state == EidPollStatus.Succeeded && user is null)
            {
                throw new UpstreamFormatException($"Vettvangur's {path} answer says Success but has no userInfo.");
            }

            return new VettvangurStatusResult
            {
                Status = state.Value,
                FinishedPendingUser = finished,
                UserInfo = user,
                Error = error,
                Failure = state == EidPollStatus.Failed ? new EidFailure(AudkenniErrorCodes.Classify(error), error) : null,
            };
        }, pollInterval, cancellationToken);
    }

    private static EidPollStatus? ParseStatus(JsonElement? value) => value?.ValueKind switch
    {
        JsonValueKind.String => value.Value.GetString()?.Trim().ToUpperInvariant() switch
        {
            "PENDING" or "0" => EidPollStatus.Pending,
            "SUCCESS" or "SUCCEEDED" or "1" => EidPollStatus.Succeeded,
            "FAILED" or "FAILURE" or "2" => EidPollStatus.Failed,
            _ => null,
        },
        JsonValueKind.Number => value.Value.TryGetInt32(out var n) ? n switch
        {
            0 => EidPollStatus.Pending,
            1 => EidPollStatus.Succeeded,
            2 => EidPollStatus.Failed,
            _ => null,
        } : null,
        _ => null,
    };

    private HttpRequestMessage Request(HttpMethod method, string path, Dictionary<string, object?> body)
    {
        var request = new HttpRequestMessage(method, new Uri(_baseUrl, path))
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_options.ApiKeyHeader == VettvangurApiKeyHeader.ApiKeyHeader)
        {
            request.Headers.TryAddWithoutValidation("apiKey", _options.ApiKey);
        }
        else
        {
            request.Headers.TryAddWithoutValidation("Authorization", "apiKey " + _options.ApiKey);
        }

        return request;
    }

    private static EidFailure Refusal(HttpStatusCode status, string body)
    {
        var message = LenientJson.ErrorText(body);
        var reason = status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
            ? EidFailureReason.UpstreamError
            : AudkenniErrorCodes.Classify(message);
        return new EidFailure(reason, $"{(int)status}: {message}");
    }

    private static string AuthType(EidMethod method) => method == EidMethod.Sim ? "sim" : "app";

    /// <summary>Whether the circuit breaker is open.</summary>
    public bool IsCircuitOpen => _pipelines.IsCircuitOpen;

    /// <summary>Whether the API's host answers HTTP at all (any status), within <paramref name="timeout"/>. Sends no
    /// login request and costs nothing.</summary>
    public Task<bool> IsReachableAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
        => UpstreamPipelines.IsReachableAsync(_http(), _baseUrl, timeout, cancellationToken);

    private static bool IsSuccess(HttpStatusCode status) => (int)status is >= 200 and < 300;

    private static void AddIfSet(Dictionary<string, object?> body, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            body[name] = value;
        }
    }
}
