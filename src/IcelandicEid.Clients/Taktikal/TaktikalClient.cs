using Microsoft.Extensions.Logging;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using IcelandicEid.Http;

namespace IcelandicEid.Taktikal;

/// <summary>
/// A typed client for Taktikal's Auth API: <c>POST /api/auth/start</c>, <c>POST /api/auth/poll</c>, the old blocking
/// <c>POST /api/auth</c> and <c>GET /api/management/flow</c>. Requests use the documented field names; answers are
/// read leniently. HTTP answers become typed results (a 403 from poll is a failed login); what cannot be asked or
/// understood is an <see cref="EidProviderException"/>.
/// </summary>
public sealed class TaktikalClient
{
    private readonly Func<HttpClient> _http;
    private readonly TaktikalOptions _options;
    private readonly Uri _baseUrl;
    private readonly UpstreamPipelines _pipelines;

    /// <summary>Creates the client. The <paramref name="http"/> client should have no timeout of its own (the pipelines time out).</summary>
    public TaktikalClient(HttpClient http, TaktikalOptions options, TimeProvider? timeProvider = null)
        : this(ToFactory(http), options, timeProvider)
    {
    }

    /// <summary>Creates the client with an <see cref="HttpClient"/> per call (from <c>IHttpClientFactory</c>, so handler
    /// rotation sees DNS changes), while the resilience pipelines and their circuit breaker stay this client's own.</summary>
    /// <param name="http">Gives the <see cref="HttpClient"/> for one call; it should have no timeout of its own.</param>
    /// <param name="options">The upstream's settings; validated here.</param>
    /// <param name="timeProvider">The clock of the pipelines; the system clock when null.</param>
    /// <param name="logger">Logs retries, breaker openings and error answers, identifiers masked.</param>
    public TaktikalClient(Func<HttpClient> http, TaktikalOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _http = http;
        _options = options;
        _baseUrl = UpstreamPipelines.WithTrailingSlash(options.BaseUrl);
        _pipelines = new UpstreamPipelines(options.Resilience, options.BlockingTimeout, timeProvider, logger, "Taktikal");
    }

    private static Func<HttpClient> ToFactory(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return () => http;
    }

    /// <summary><c>POST /api/auth/start</c>: sends the person a login request. Never retried once it may have reached Taktikal.</summary>
    public Task<TaktikalStartResult> StartAsync(TaktikalStartRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = new Dictionary<string, object?>
        {
            ["FlowKey"] = request.FlowKey ?? _options.FlowKey,
            ["AuthenticationContextType"] = request.AuthenticationContextType.ToString(),
        };
        if (request.AuthenticationContextType == TaktikalAuthenticationContextType.Sim)
        {
            body["PhoneNumber"] = request.PhoneNumber ?? throw new ArgumentException("A Sim start needs a PhoneNumber.", nameof(request));
            body["IncludeVerificationCode"] = request.IncludeVerificationCode;
        }
        else
        {
            body["Ssn"] = request.Ssn ?? throw new ArgumentException("An App start needs an Ssn.", nameof(request));
        }

        return UpstreamPipelines.ExecuteAsync(_pipelines.Start, async ct =>
        {
            var (status, text) = await _pipelines.SendAsync(_http(), () => Post("auth/start", body), ct);
            if (!IsSuccess(status))
            {
                var reason = status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden && AudkenniErrorCodes.Classify(LenientJson.ErrorText(text)) == EidFailureReason.Other
                    ? EidFailureReason.UpstreamError
                    : Classify(text);
                return new TaktikalStartResult { Failure = new EidFailure(reason, $"{(int)status}: {LenientJson.ErrorText(text)}") };
            }

            var json = LenientJson.ParseObject(text, "start");
            var id = json.String("authRequestId");
            if (string.IsNullOrWhiteSpace(id))
            {
                throw new UpstreamFormatException("Taktikal's start answer has no authRequestId.");
            }

            return new TaktikalStartResult
            {
                Response = new TaktikalStartResponse
                {
                    AuthRequestId = id,
                    VerificationCode = json.String("verificationCode"),
                    PollingInterval = json.Int("pollingInterval") ?? 0,
                },
            };
        }, null, cancellationToken);
    }

    /// <summary><c>POST /api/auth/poll</c>: how the login stands. A 403 is a failed login with Taktikal's reason.
    /// Retried on transient failures, never sooner than <paramref name="pollInterval"/>.</summary>
    public Task<TaktikalPollResult> PollAsync(
        string authRequestId, TaktikalLookupType? lookupType = null, TimeSpan? pollInterval = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(authRequestId);
        var body = new Dictionary<string, object?>
        {
            ["authRequestId"] = authRequestId,
            ["FlowKey"] = _options.FlowKey,
            ["LookupType"] = (lookupType ?? _options.LookupType).ToString(),
        };

        return UpstreamPipelines.ExecuteAsync(_pipelines.Poll, async ct =>
        {
            var (status, text) = await _pipelines.SendAsync(_http(), () => Post("auth/poll", body), ct);
            if (status == HttpStatusCode.Forbidden || (!IsSuccess(status) && status != HttpStatusCode.Unauthorized))
            {
                var message = LenientJson.ErrorText(text);
                return new TaktikalPollResult
                {
                    Status = EidPollStatus.Failed,
                    StatusMessage = message,
                    Failure = new EidFailure(Classify(text), $"{(int)status}: {message}"),
                };
            }

            if (status == HttpStatusCode.Unauthorized)
            {
                return new TaktikalPollResult
                {
                    Status = EidPollStatus.Failed,
                    Failure = new EidFailure(EidFailureReason.UpstreamError, "401: the flow key or credentials were refused"),
                };
            }

            var json = LenientJson.ParseObject(text, "poll");
            var waiting = json.Bool("waitingForUserInput")
                ?? throw new UpstreamFormatException("Taktikal's poll answer has no waitingForUserInput.");
            var statusMessage = json.String("statusMessage");
            if (waiting)
            {
                return new TaktikalPollResult { Status = EidPollStatus.Pending, StatusMessage = statusMessage };
            }

            if (json.Property("customer") is { ValueKind: JsonValueKind.Object } customer)
            {
                return new TaktikalPollResult { Status = EidPollStatus.Succeeded, Customer = TaktikalCustomer.From(customer), StatusMessage = statusMessage };
            }

            return new TaktikalPollResult
            {
                Status = EidPollStatus.Failed,
                StatusMessage = statusMessage,
                Failure = new EidFailure(AudkenniErrorCodes.Classify(statusMessage), statusMessage),
            };
        }, pollInterval, cancellationToken);
    }

    /// <summary>The old blocking <c>POST /api/auth</c>: starts a SIM login and answers when the person has. One attempt,
    /// <see cref="TaktikalOptions.BlockingTimeout"/>. Shows no verification code, so prefer start and poll.</summary>
    public Task<TaktikalPollResult> AuthenticateAsync(string phoneNumber, TaktikalLookupType? lookupType = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(phoneNumber);
        var body = new Dictionary<string, object?>
        {
            ["PhoneNumber"] = phoneNumber,
            ["FlowKey"] = _options.FlowKey,
            ["LookupType"] = (lookupType ?? _options.LookupType).ToString(),
        };

        return UpstreamPipelines.ExecuteAsync(_pipelines.Blocking, async ct =>
        {
            var (status, text) = await _pipelines.SendAsync(_http(), () => Post("auth", body), ct);
            if (!IsSuccess(status))
            {
                var message = LenientJson.ErrorText(text);
                return new TaktikalPollResult { Status = EidPollStatus.Failed, StatusMessage = message, Failure = new EidFailure(Classify(text), $"{(int)status}: {message}") };
            }

            var json = LenientJson.ParseObject(text, "auth");
            var customer = json.Property("customer") is { ValueKind: JsonValueKind.Object } nested ? nested : json;
            return new TaktikalPollResult { Status = EidPollStatus.Succeeded, Customer = TaktikalCustomer.From(customer) };
        }, null, cancellationToken);
    }

    /// <summary><c>GET /api/management/flow</c>: the flows of your account.</summary>
    public Task<IReadOnlyList<TaktikalFlow>> GetFlowsAsync(CancellationToken cancellationToken = default)
        => UpstreamPipelines.ExecuteAsync<IReadOnlyList<TaktikalFlow>>(_pipelines.Poll, async ct =>
        {
            var (status, text) = await _pipelines.SendAsync(_http(), () => WithAuth(new HttpRequestMessage(HttpMethod.Get, new Uri(_baseUrl, "management/flow"))), ct);
            if (!IsSuccess(status))
            {
                throw new EidProviderException(EidFailureReason.UpstreamError, $"Taktikal refused the flow list: {(int)status} {LenientJson.ErrorText(text)}");
            }

            var json = LenientJson.TryParse(text) ?? throw new UpstreamFormatException("Taktikal's flow list was not valid JSON.");
            var array = json.ValueKind == JsonValueKind.Array ? json
                : json.Property("flows") ?? json.Property("items") ?? json.Property("data")
                ?? throw new UpstreamFormatException("Taktikal's flow list is not an array.");
            if (array.ValueKind != JsonValueKind.Array)
            {
                throw new UpstreamFormatException("Taktikal's flow list is not an array.");
            }

            return array.EnumerateArray()
                .Select(flow => new TaktikalFlow
                {
                    FlowKey = flow.String("flowKey") ?? flow.String("key"),
                    Name = flow.String("name") ?? flow.String("title"),
                    Raw = flow.Clone(),
                })
                .ToList();
        }, null, cancellationToken);

    private HttpRequestMessage Post(string path, Dictionary<string, object?> body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUrl, path))
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        return WithAuth(request);
    }

    private HttpRequestMessage WithAuth(HttpRequestMessage request)
    {
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (!string.IsNullOrEmpty(_options.CompanyKey) && !string.IsNullOrEmpty(_options.ApiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(_options.CompanyKey + ":" + _options.ApiKey)));
        }

        return request;
    }

    /// <summary>Whether the circuit breaker is open.</summary>
    public bool IsCircuitOpen => _pipelines.IsCircuitOpen;

    /// <summary>Whether the API's host answers HTTP at all (any status), within <paramref name="timeout"/>. Sends no
    /// login request and costs nothing.</summary>
    public Task<bool> IsReachableAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
        => UpstreamPipelines.IsReachableAsync(_http(), _baseUrl, timeout, cancellationToken);

    private static bool IsSuccess(HttpStatusCode status) => (int)status is >= 200 and < 300;

    private static EidFailureReason Classify(string body) => AudkenniErrorCodes.Classify(LenientJson.ErrorText(body));
}
