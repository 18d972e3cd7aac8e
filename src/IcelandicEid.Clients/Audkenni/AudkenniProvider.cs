using System.Text.Json;
using System.Text.Json.Serialization;
using IcelandicEid.Http;
using Microsoft.Extensions.Logging;

namespace IcelandicEid.Audkenni;

/// <summary>
/// The provider named <c>Audkenni</c>: Auðkenni's own API with no middleman, over its REST tree or CIBA
/// (<see cref="AudkenniOptions.Protocol"/>). A start sends a random hash (the phone shows the code computed from it, and
/// so does the page); what the login needs later (the tree's authId and session cookies, or CIBA's auth_req_id, and the
/// hash) travels in its reference, which stays on the server (encrypted in the store), so any instance can poll it. A
/// login is polled and finished the way it was started. When the person has approved, the finish runs as its own step,
/// once (<see cref="FinishOnceAsync"/>), and returns the person only if everything verifies.
/// </summary>
internal sealed partial class AudkenniProvider(AudkenniClient client, AudkenniBackchannel? backchannel, AudkenniResults results, AudkenniOptions options, ILogger logger) : IIcelandicEidProvider, IEidProviderHealth
{
    public string Name => "Audkenni";

    /// <summary>The provider over the upstreams' shared HTTP building block.</summary>
    public static AudkenniProvider Create(AudkenniOptions options, Func<HttpClient> http, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var pipelines = new UpstreamPipelines(options.Resilience, options.Resilience.AttemptTimeout, time, logger, "Auðkenni");
        var tokens = new AudkenniIdTokens(http, new Uri(options.BaseUrl, options.OAuthPath.TrimEnd('/') + "/connect/jwk_uri"), options.IssuerOrDefault, options.ClientId!, time, options.KeysCacheDuration, TimeSpan.FromSeconds(30), options.Resilience.AttemptTimeout);
        var results = new AudkenniResults(http, options, tokens, options.LoadRoots(), options.LoadIntermediates(), time, pipelines);
        var backchannel = options.Protocol == AudkenniProtocol.Ciba
            ? new AudkenniBackchannel(http, options, AudkenniRequestKey.Load(options), results, time, pipelines)
            : null;
        return new AudkenniProvider(new AudkenniClient(http, options, results, pipelines), backchannel, results, options, logger);
    }

    public Task<EidUpstreamHealth> CheckHealthAsync(CancellationToken cancellationToken)
        => UpstreamPipelines.CheckHealthAsync(Name, client.IsCircuitOpen, () => client.IsReachableAsync(TimeSpan.FromSeconds(5), cancellationToken));

    public async Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var hash = Convert.ToBase64String(AudkenniVerificationCode.NewHash());
        var code = AudkenniVerificationCode.ComputeFromBase64(hash);
        if (backchannel is not null)
        {
            var requested = await backchannel.StartAsync(new CibaRequest(request.Method, request.Identifier, options.Message ?? PhoneMessage(request), hash), cancellationToken);
            if (requested.Failure is { } refused)
            {
                return EidStartResult.Failed(refused, requested.Detail);
            }

            // Never sooner than Auðkenni's interval, nor than the option.
            return EidStartResult.Started(new Reference(requested.AuthRequestId!, string.Empty, hash, Reference.Ciba).Encode(), code, Max(requested.Interval, options.PollInterval));
        }

        // With the confirmation prompt on, the tree's message callback carries the long message (up to 200 characters).
        var message = options.ConfirmMessage && options.LongMessage is { } longMessage ? longMessage : options.Message ?? PhoneMessage(request);
        var started = await client.StartAsync(request.Method, request.Identifier, message, hash, cancellationToken);
        if (started.Failure is { } failure)
        {
            return EidStartResult.Failed(failure, started.Detail);
        }

        var reference = new Reference(started.AuthId!, started.Cookies!, hash);
        // Never sooner than the tree asks (its waitTime), nor than the option: the handler keeps this pace per login and
        // across instances (the poll lease).
        return EidStartResult.Started(reference.Encode(), code, Max(started.WaitTime ?? TimeSpan.Zero, options.PollInterval));
    }

    public async Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Reference.Decode(request.Reference) is not { } reference)
        {
            return EidPollResult.Failed(EidFailureReason.UpstreamError, "unreadable reference");
        }

        // The login's own pace (Auðkenni's or the option, whichever is longer), also for the retries' back-off.
        var pace = Max(request.PollInterval, options.PollInterval);
        if (reference.Protocol == Reference.Ciba)
        {
            return await PollBackchannelAsync(request.Method, reference, pace, cancellationToken);
        }

        var poll = await client.PollAsync(reference.AuthId, reference.Cookies, pace, cancellationToken);
        switch (poll.Status)
        {
            case EidPollStatus.Pending:
                // A tree that now asks for more time between polls gets it for the rest of the login.
                return poll.WaitTime is { } wait && wait > pace ? EidPollResult.PendingAtLeast(wait) : EidPollResult.Pending;
            case EidPollStatus.Failed:
                return EidPollResult.Failed(poll.Failure ?? EidFailureReason.Other, poll.Detail);
        }

        return await FinishOnceAsync(ct => client.FinishAsync(request.Method, poll.Cookies, reference.Hash, ct), cancellationToken);
    }

    /// <summary>A poll of CIBA's token endpoint; <c>slow_down</c> lengthens the login's interval for good.</summary>
    private async Task<EidPollResult> PollBackchannelAsync(EidMethod method, Reference reference, TimeSpan pace, CancellationToken cancellationToken)
    {
        if (backchannel is null)
        {
            // Started with CIBA, the app now configured for the tree: the key to finish it is gone.
            return EidPollResult.Failed(EidFailureReason.UpstreamError, "a CIBA login, but Protocol is no longer Ciba");
        }

        var poll = await backchannel.PollAsync(reference.AuthId, pace, cancellationToken);
        switch (poll.Status)
        {
            case EidPollStatus.Pending when poll.SlowDown:
                SlowDown(logger, (long)(pace + AudkenniBackchannel.SlowDownStep).TotalMilliseconds);
                return EidPollResult.PendingAtLeast(pace + AudkenniBackchannel.SlowDownStep);
            case EidPollStatus.Pending:
                return EidPollResult.Pending;
            case EidPollStatus.Failed:
                if (poll.Failure == EidFailureReason.FinishFailed)
                {
                    FinishFailed(logger, PersonalData.Redact(poll.Detail));
                }

                return EidPollResult.Failed(poll.Failure ?? EidFailureReason.Other, poll.Detail);
        }

        return await FinishOnceAsync(ct => results.VerifyAsync(method, poll.Tokens!, reference.Hash, r => r, ct), cancellationToken);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>
    /// The finish (the tree's authorize and code redemption; for both, id_token, userinfo, certificate and signature),
    /// run once after the poll that reports approval. Whatever goes wrong here ends the login: an unreachable or failing token endpoint is
    /// <see cref="EidFailureReason.FinishFailed"/>, never an exception the handler would count as a failed poll and
    /// retry, since the tree has been spent and a code can be redeemed once only.
    /// </summary>
    private async Task<EidPollResult> FinishOnceAsync(Func<CancellationToken, Task<TreeResult>> finish, CancellationToken cancellationToken)
    {
        TreeResult result;
        try
        {
            result = await finish(cancellationToken);
        }
        catch (EidProviderException ex)
        {
            result = new TreeResult(null, EidFailureReason.FinishFailed, ex.Message);
        }

        if (result.Person is { } person)
        {
            return EidPollResult.Success(person);
        }

        var reason = result.Failure ?? EidFailureReason.NotVerified;
        if (reason == EidFailureReason.FinishFailed)
        {
            FinishFailed(logger, PersonalData.Redact(result.Detail));
        }

        return EidPollResult.Failed(reason, result.Detail);
    }

    [LoggerMessage(110, LogLevel.Error, "Auðkenni: the person approved, but the OIDC finish failed ({Detail}); the login ends with finish-failed and is not retried (a code is redeemed once only).")]
    private static partial void FinishFailed(ILogger logger, string? detail);

    [LoggerMessage(111, LogLevel.Warning, "Auðkenni asked a CIBA login to slow down; it is polled every {IntervalMs} ms from now on, on every instance.")]
    private static partial void SlowDown(ILogger logger, long intervalMs);

    /// <summary>Who is asking, in the person's language, at most 60 characters.</summary>
    private static string PhoneMessage(EidStartRequest request)
    {
        var lead = request.Language == "en" ? "Log in to " : "Innskráning hjá ";
        if (string.IsNullOrWhiteSpace(request.ServiceName))
        {
            return request.Language == "en" ? "Log in" : "Innskráning";
        }

        var message = (lead + request.ServiceName.Trim()).ReplaceLineEndings(" ");
        return message.Length <= 60 ? message : message[..59] + "…";
    }

    /// <summary>What a login needs between calls; base64url JSON, kept server-side only. <see cref="AuthId"/> is the
    /// tree's authId or CIBA's auth_req_id, as <see cref="Protocol"/> says (absent: the tree).</summary>
    private sealed record Reference(
        [property: JsonPropertyName("a")] string AuthId,
        [property: JsonPropertyName("c")] string Cookies,
        [property: JsonPropertyName("h")] string Hash,
        [property: JsonPropertyName("p"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Protocol = null)
    {
        public const string Ciba = "ciba";

        public string Encode() => System.Buffers.Text.Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(this));

        public static Reference? Decode(string value)
        {
            try
            {
                return JsonSerializer.Deserialize<Reference>(System.Buffers.Text.Base64Url.DecodeFromChars(value));
            }
            catch (Exception ex) when (ex is FormatException or JsonException)
            {
                return null;
            }
        }
    }
}
