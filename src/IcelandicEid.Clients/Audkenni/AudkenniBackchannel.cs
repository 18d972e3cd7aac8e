using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using IcelandicEid.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IcelandicEid.Audkenni;

/// <summary>A CIBA request Auðkenni accepted: its <c>auth_req_id</c> and the interval it asks polls to keep; or why not.</summary>
internal sealed record CibaStart(string? AuthRequestId, TimeSpan Interval, EidFailureReason? Failure, string? Detail);

/// <summary>A poll of the CIBA token endpoint: still waiting (perhaps asked to slow down), the tokens, or ended.</summary>
internal sealed record CibaPoll(EidPollStatus Status, AudkenniTokens? Tokens = null, bool SlowDown = false, EidFailureReason? Failure = null, string? Detail = null);

/// <summary>What one CIBA request asks of the person.</summary>
/// <param name="Method">SIM (login hint: the mobile number) or the app (login hint: the kennitala).</param>
/// <param name="LoginHint">The mobile number or kennitala.</param>
/// <param name="Message">The <c>binding_message</c>: at most 60 characters, one line.</param>
/// <param name="Hash">The <c>binding_content</c>, Base64: the hash the verification code is computed from.</param>
internal sealed record CibaRequest(EidMethod Method, string LoginHint, string Message, string Hash);

/// <summary>
/// Auðkenni's back channel (OpenID Connect CIBA, poll mode), the second way to talk to it: no session cookies, no
/// browser on the relying party's side. Start: an RS256-signed request object (<see cref="RequestObject"/>) posted to the
/// backchannel endpoint with the client's credentials; the answer's <c>auth_req_id</c> and <c>interval</c>. Poll: the
/// token endpoint with the grant <c>urn:openid:params:grant-type:ciba</c>; <c>authorization_pending</c> waits,
/// <c>slow_down</c> lengthens the login's interval by five seconds for good, <c>access_denied</c> is a decline,
/// <c>expired_token</c> a time-out. The tokens then go through the same verification as the tree's
/// (<see cref="AudkenniResults"/>).
/// </summary>
internal sealed class AudkenniBackchannel(Func<HttpClient> http, AudkenniOptions options, RSA requestKey, AudkenniResults results, TimeProvider time, UpstreamPipelines pipelines)
{
    /// <summary>The grant type of CIBA's token requests.</summary>
    public const string GrantType = "urn:openid:params:grant-type:ciba";

    /// <summary>How long a request object is valid.</summary>
    public static readonly TimeSpan RequestLifetime = TimeSpan.FromMinutes(5);

    /// <summary>What <c>slow_down</c> adds to the interval (OpenID CIBA Core, section 11).</summary>
    public static readonly TimeSpan SlowDownStep = TimeSpan.FromSeconds(5);

    /// <summary>The interval when the answer names none (CIBA Core's default).</summary>
    private static readonly TimeSpan s_defaultInterval = TimeSpan.FromSeconds(5);

    private readonly JsonWebTokenHandler _jwt = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly SigningCredentials _signing = new(new RsaSecurityKey(requestKey) { KeyId = options.RequestKeyId }, SecurityAlgorithms.RsaSha256);

    public async Task<CibaStart> StartAsync(CibaRequest request, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>
        {
            ["request"] = RequestObject(request),
            ["client_id"] = options.ClientId!,
            ["client_secret"] = options.ClientSecret!,
        };

        // A start is never sent twice once it may have arrived: a second request would be a second prompt on the phone.
        var answer = await results.OnceAsync(() => new HttpRequestMessage(HttpMethod.Post, results.OAuth(options.BackchannelPath)) { Content = new FormUrlEncodedContent(form) }, cancellationToken);
        var json = AudkenniResults.ParseJson(answer.Body);
        if (!AudkenniResults.IsSuccess(answer.Status))
        {
            var (reason, detail) = Error(answer.Status, json);
            return new(null, TimeSpan.Zero, reason == EidFailureReason.Other ? EidFailureReason.UpstreamError : reason, detail);
        }

        if (AudkenniResults.Text(json, "auth_req_id") is not { Length: > 0 } requestId)
        {
            return new(null, TimeSpan.Zero, EidFailureReason.UpstreamError, "backchannel answer without auth_req_id");
        }

        return new(requestId, Seconds(json?["interval"]) ?? s_defaultInterval, null, null);
    }

    public async Task<CibaPoll> PollAsync(string authRequestId, TimeSpan pace, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = GrantType,
            ["auth_req_id"] = authRequestId,
            ["client_id"] = options.ClientId!,
            ["client_secret"] = options.ClientSecret!,
        };
        var answer = await UpstreamPipelines.ExecuteAsync(
            pipelines.Poll,
            ct => pipelines.SendAsync(http(), () => new HttpRequestMessage(HttpMethod.Post, results.OAuth(options.BackchannelTokenPath)) { Content = new FormUrlEncodedContent(form) }, ct),
            pace,
            cancellationToken);
        var json = AudkenniResults.ParseJson(answer.Body);
        if (AudkenniResults.IsSuccess(answer.Status))
        {
            return AudkenniResults.Text(json, "id_token") is { } idToken && AudkenniResults.Text(json, "access_token") is { } accessToken
                ? new(EidPollStatus.Succeeded, new AudkenniTokens(idToken, accessToken, null, authRequestId))
                : new(EidPollStatus.Failed, Failure: EidFailureReason.FinishFailed, Detail: "access_token answered " + (int)answer.Status + " without tokens");
        }

        switch (AudkenniResults.Text(json, "error"))
        {
            case "authorization_pending":
                return new(EidPollStatus.Pending);
            case "slow_down":
                return new(EidPollStatus.Pending, SlowDown: true);
            case "expired_token":
                return new(EidPollStatus.Failed, Failure: EidFailureReason.TimedOut, Detail: "expired_token");
            case "access_denied":
                // A decline, unless Auðkenni's words say more (a blocked PIN, no electronic ID).
                var said = AudkenniErrorCodes.Classify(AudkenniResults.Text(json, "error_description"));
                return new(EidPollStatus.Failed, Failure: said is EidFailureReason.Other or EidFailureReason.UpstreamError ? EidFailureReason.Cancelled : said, Detail: Error(answer.Status, json).Detail);
            case "invalid_grant":
                // The auth_req_id is unknown or spent: after a token answer that was lost on the way, the person may
                // have approved; the login cannot be finished and must be started again.
                return new(EidPollStatus.Failed, Failure: EidFailureReason.FinishFailed, Detail: Error(answer.Status, json).Detail);
            default:
                var (reason, detail) = Error(answer.Status, json);
                return new(EidPollStatus.Failed, Failure: reason == EidFailureReason.Other ? EidFailureReason.UpstreamError : reason, Detail: detail);
        }
    }

    /// <summary>
    /// The signed request object: <c>iss</c> (the client id), <c>aud</c> (Auðkenni's issuer), <c>iat</c>, <c>nbf</c>,
    /// <c>exp</c>, <c>jti</c>, <c>login_hint</c>, <c>scope</c>, <c>acr_values</c> (the method), <c>binding_message</c>,
    /// <c>binding_content</c> (the hash), <c>vchoice</c>, <c>confirmation_message</c> and, when configured,
    /// <c>binding_message_long</c>.
    /// </summary>
    internal string RequestObject(CibaRequest request)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>
        {
            ["jti"] = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)),
            ["login_hint"] = request.LoginHint,
            ["scope"] = options.RelatedParty is { Length: > 0 } party ? "openid profile signature RELATEDPARTY:" + party : "openid profile signature",
            ["acr_values"] = request.Method == EidMethod.Sim ? options.SimAcrValue : options.AppAcrValue,
            ["binding_message"] = request.Message,
            ["binding_content"] = request.Hash,
            ["vchoice"] = options.VChoice ? "true" : "false",
            ["confirmation_message"] = options.ConfirmMessage ? "true" : "false",
        };
        if (options.LongMessage is { Length: > 0 } longMessage)
        {
            claims["binding_message_long"] = longMessage;
        }

        return _jwt.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.ClientId,
            Audience = options.RequestAudience ?? options.IssuerOrDefault,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + RequestLifetime,
            Claims = claims,
            SigningCredentials = _signing,
        });
    }

    /// <summary>The reason and the operator's detail of an OAuth error answer (personal data masked).</summary>
    private static (EidFailureReason Reason, string Detail) Error(HttpStatusCode status, JsonObject? json)
    {
        var error = AudkenniResults.Text(json, "error");
        var description = AudkenniResults.Text(json, "error_description");
        var reason = error == "unknown_user_id" ? EidFailureReason.NotFound : AudkenniErrorCodes.Classify(description);
        return (reason, $"{(int)status} {error ?? "(no error code)"} {PersonalData.Redact(description)}".TrimEnd());
    }

    /// <summary>A number of seconds (1 to 60) from an answer; null otherwise.</summary>
    private static TimeSpan? Seconds(JsonNode? node)
        => node is JsonValue value && (value.TryGetValue<int>(out var n) || (value.TryGetValue<string>(out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out n)))
            && n is > 0 and <= 60
            ? TimeSpan.FromSeconds(n)
            : null;
}
