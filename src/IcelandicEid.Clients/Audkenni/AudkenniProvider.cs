using System.Text.Json;
using System.Text.Json.Serialization;
using IcelandicEid.Http;
using Microsoft.Extensions.Logging;

namespace IcelandicEid.Audkenni;

/// <summary>
/// The provider named <c>Audkenni</c>: Auðkenni's own API with no middleman. A start fills the tree with a random hash
/// (the phone shows the code computed from it, and so does the page); the login's authId, session cookies and hash
/// travel in its reference, which stays on the server (encrypted in the store), so any instance can poll it. When the
/// person has approved, the OIDC finish runs as its own step, once (<see cref="FinishOnceAsync"/>), and returns the
/// person only if everything verifies.
/// </summary>
internal sealed partial class AudkenniProvider(AudkenniClient client, AudkenniOptions options, ILogger logger) : IIcelandicEidProvider, IEidProviderHealth
{
    public string Name => "Audkenni";

    /// <summary>The provider over the upstreams' shared HTTP building block.</summary>
    public static AudkenniProvider Create(AudkenniOptions options, Func<HttpClient> http, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var pipelines = new UpstreamPipelines(options.Resilience, options.Resilience.AttemptTimeout, time, logger, "Auðkenni");
        var tokens = new AudkenniIdTokens(http, new Uri(options.BaseUrl, options.OAuthPath.TrimEnd('/') + "/connect/jwk_uri"), options.IssuerOrDefault, options.ClientId!, time, options.KeysCacheDuration, TimeSpan.FromSeconds(30), options.Resilience.AttemptTimeout);
        return new AudkenniProvider(new AudkenniClient(http, options, tokens, options.LoadRoots(), options.LoadIntermediates(), time, pipelines), options, logger);
    }

    public Task<EidUpstreamHealth> CheckHealthAsync(CancellationToken cancellationToken)
        => UpstreamPipelines.CheckHealthAsync(Name, client.IsCircuitOpen, () => client.IsReachableAsync(TimeSpan.FromSeconds(5), cancellationToken));

    public async Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var hash = Convert.ToBase64String(AudkenniVerificationCode.NewHash());
        // With the confirmation prompt on, the message callback carries the long message (up to 200 characters).
        var message = options.ConfirmMessage && options.LongMessage is { } longMessage ? longMessage : options.Message ?? PhoneMessage(request);
        var started = await client.StartAsync(request.Method, request.Identifier, message, hash, cancellationToken);
        if (started.Failure is { } failure)
        {
            return EidStartResult.Failed(failure, started.Detail);
        }

        var reference = new Reference(started.AuthId!, started.Cookies!, hash);
        // Never sooner than the tree asks (its waitTime), nor than the option: the handler keeps this pace per login and
        // across instances (the poll lease).
        var pace = started.WaitTime is { } wait && wait > options.PollInterval ? wait : options.PollInterval;
        return EidStartResult.Started(reference.Encode(), AudkenniVerificationCode.ComputeFromBase64(hash), pace);
    }

    public async Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Reference.Decode(request.Reference) is not { } reference)
        {
            return EidPollResult.Failed(EidFailureReason.UpstreamError, "unreadable reference");
        }

        // The login's own pace (the tree's waitTime or the option, whichever is longer), also for the retries' back-off.
        var pace = request.PollInterval is { } interval && interval > options.PollInterval ? interval : options.PollInterval;
        var poll = await client.PollAsync(reference.AuthId, reference.Cookies, pace, cancellationToken);
        switch (poll.Status)
        {
            case EidPollStatus.Pending:
                // A tree that now asks for more time between polls gets it for the rest of the login.
                return poll.WaitTime is { } wait && wait > pace ? EidPollResult.PendingAtLeast(wait) : EidPollResult.Pending;
            case EidPollStatus.Failed:
                return EidPollResult.Failed(poll.Failure ?? EidFailureReason.Other, poll.Detail);
        }

        return await FinishOnceAsync(request.Method, poll.Cookies, reference.Hash, cancellationToken);
    }

    /// <summary>
    /// The OIDC finish (authorize, code redemption, id_token, userinfo, certificate and signature), run once after the
    /// poll that reports approval. Whatever goes wrong here ends the login: an unreachable or failing token endpoint is
    /// <see cref="EidFailureReason.FinishFailed"/>, never an exception the handler would count as a failed poll and
    /// retry, since the tree has been spent and a code can be redeemed once only.
    /// </summary>
    private async Task<EidPollResult> FinishOnceAsync(EidMethod method, string cookies, string hash, CancellationToken cancellationToken)
    {
        TreeResult result;
        try
        {
            result = await client.FinishAsync(method, cookies, hash, cancellationToken);
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

    /// <summary>What a login needs between calls; base64url JSON, kept server-side only.</summary>
    private sealed record Reference(
        [property: JsonPropertyName("a")] string AuthId,
        [property: JsonPropertyName("c")] string Cookies,
        [property: JsonPropertyName("h")] string Hash)
    {
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
