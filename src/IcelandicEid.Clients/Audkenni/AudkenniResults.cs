using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using IcelandicEid.Http;

namespace IcelandicEid.Audkenni;

/// <summary>The finished login: the verified person, or why it failed.</summary>
internal sealed record TreeResult(EidPerson? Person, EidFailureReason? Failure, string? Detail);

/// <summary>The tokens an Auðkenni token endpoint answered, and what binds them to this login.</summary>
/// <param name="IdToken">The id_token, not yet verified.</param>
/// <param name="AccessToken">The access token for <c>/userinfo</c>.</param>
/// <param name="Nonce">The nonce the login sent (the tree's authorize); null for CIBA, which has none.</param>
/// <param name="AuthRequestId">The CIBA <c>auth_req_id</c>: an id_token that names one must name this one; null for the tree.</param>
internal sealed record AudkenniTokens(string IdToken, string AccessToken, string? Nonce, string? AuthRequestId);

/// <summary>
/// What turns Auðkenni's tokens into a person, the same for the tree and for CIBA: the id_token verified
/// (<see cref="AudkenniIdTokens"/>) and naming a person, <c>/userinfo</c> fetched once and naming that same person, and
/// the signature over the login's hash (PKCS#7 or PKCS#1, <see cref="AudkenniSignatures"/>) made with that person's
/// certificate, chained to a configured root and checked for revocation as configured
/// (<see cref="AudkenniCertificates"/>). Nothing unverified becomes a person.
/// </summary>
internal sealed class AudkenniResults(
    Func<HttpClient> http, AudkenniOptions options, AudkenniIdTokens tokens, X509Certificate2Collection roots, X509Certificate2Collection intermediates, TimeProvider time, UpstreamPipelines pipelines)
{
    private const string AuthRequestIdClaim = "urn:openid:params:jwt:claim:auth_req_id";

    /// <summary>The OIDC endpoint <paramref name="path"/> under <see cref="AudkenniOptions.OAuthPath"/>.</summary>
    public Uri OAuth(string path) => new(options.BaseUrl, options.OAuthPath.TrimEnd('/') + "/" + path.TrimStart('/'));

    /// <summary>Verifies <paramref name="answer"/> and returns the person, or why the login fails.
    /// <paramref name="decorate"/> adds what the login's calls carry (the tree's session cookies).</summary>
    public async Task<TreeResult> VerifyAsync(
        EidMethod method, AudkenniTokens answer, string hash, Func<HttpRequestMessage, HttpRequestMessage> decorate, CancellationToken cancellationToken)
    {
        var check = await tokens.ValidateAsync(answer.IdToken, answer.Nonce, cancellationToken);
        if (check.Problem != IdTokenProblem.None)
        {
            return new(null, check.Problem == IdTokenProblem.KeysUnavailable ? EidFailureReason.Unavailable : EidFailureReason.NotVerified, "id_token: " + check.Problem);
        }

        // A CIBA id_token that says which request it answers must answer this one.
        if (answer.AuthRequestId is { } requestId && check.Claims!.TryGetValue(AuthRequestIdClaim, out var named)
            && !string.Equals(named?.ToString(), requestId, StringComparison.Ordinal))
        {
            return new(null, EidFailureReason.NotVerified, "id_token: answers another auth_req_id");
        }

        var infoResponse = await OnceAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, OAuth("userinfo"));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", answer.AccessToken);
                return decorate(request);
            },
            cancellationToken);
        var info = ParseJson(infoResponse.Body);
        var name = Text(info, "name");
        var kennitala = Text(info, "nationalRegisterId");
        if (!IsSuccess(infoResponse.Status) || string.IsNullOrWhiteSpace(name) || kennitala is null || !Kennitala.TryParse(kennitala, out var parsed))
        {
            return new(null, EidFailureReason.FinishFailed, "userinfo answered " + (int)infoResponse.Status);
        }

        // The verified id_token decides who logged in: it must name a person (nationalRegisterId, or a sub that is a
        // kennitala), and the userinfo (and with it the certificate and signature checked below) must be that person.
        if (PersonOf(check.Claims!) is not { } tokenPerson)
        {
            return new(null, EidFailureReason.NotVerified, "the id_token names no person");
        }

        if (tokenPerson != parsed.Value
            || (Text(info, "sub") is { } infoSub && check.Claims!.TryGetValue("sub", out var tokenSub) && !string.Equals(tokenSub?.ToString(), infoSub, StringComparison.Ordinal)))
        {
            return new(null, EidFailureReason.NotVerified, "userinfo names another person than the id_token");
        }

        var meta = new Dictionary<string, string> { ["Method"] = method == EidMethod.Sim ? "sim" : "app" };
        var signatureText = Text(info, "signature");
        var certificateText = Text(info, "certificate");
        if (string.IsNullOrWhiteSpace(signatureText))
        {
            if (!options.AllowMissingSignature)
            {
                return new(null, EidFailureReason.NotVerified, "no signature");
            }
        }
        else
        {
            // PKCS#7 (CMS SignedData) or PKCS#1, detected from what arrived; then the signer must be the person.
            var signed = AudkenniSignatures.Verify(signatureText, certificateText, Convert.FromBase64String(hash));
            using var signer = signed.Signer;
            if (signed.Problem is { } signatureProblem)
            {
                return new(null, EidFailureReason.NotVerified, "signature (" + signed.Format + "): " + signatureProblem);
            }

            var problem = AudkenniCertificates.Verify(signer, intermediates, roots, name, kennitala, time.GetUtcNow(), options.RevocationPolicy);
            if (problem != CertificateProblem.None || signer is null)
            {
                return new(null, EidFailureReason.NotVerified, "certificate: " + problem);
            }

            meta["CertificateIssuer"] = signer.Issuer;
            meta["CertificateSerialNumber"] = signer.SerialNumber;
            meta["SignatureFormat"] = signed.Format == SignatureFormat.Cms ? "cms" : "pkcs1";
        }

        return new(new EidPerson { Name = name.Trim(), NationalId = parsed.Value, Meta = meta }, null, null);
    }

    /// <summary>A call sent at most once once it may have arrived (a code or an auth_req_id is redeemed once only).</summary>
    public Task<UpstreamAnswer> OnceAsync(Func<HttpRequestMessage> request, CancellationToken cancellationToken)
        => UpstreamPipelines.ExecuteAsync(pipelines.Start, ct => pipelines.SendAsync(http(), request, ct), null, cancellationToken);

    public static bool IsSuccess(HttpStatusCode status) => (int)status is >= 200 and < 300;

    public static JsonObject? ParseJson(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A string member of an answer; null when absent or not a string (an upstream that answers garbage gets a
    /// failed login, never an exception).</summary>
    public static string? Text(JsonObject? json, string name)
        => json?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>The kennitala a verified id_token names: its nationalRegisterId, else its sub when that is a kennitala.</summary>
    private static string? PersonOf(IReadOnlyDictionary<string, object> claims)
    {
        foreach (var name in (ReadOnlySpan<string>)["nationalRegisterId", "sub"])
        {
            if (claims.TryGetValue(name, out var value) && value?.ToString() is { } text && Kennitala.TryParse(text, out var person))
            {
                return person.Value;
            }
        }

        return null;
    }
}
