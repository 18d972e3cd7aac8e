using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using IcelandicEid.Http;
using Polly;

namespace IcelandicEid.Audkenni;

/// <summary>A started tree: its authId, the session cookies the flow must keep (it is sticky), and the pace its
/// polling callback asks for (<c>waitTime</c>), when it gave one.</summary>
internal sealed record TreeStart(string? AuthId, string? Cookies, EidFailureReason? Failure, string? Detail, TimeSpan? WaitTime = null);

/// <summary>A poll of the tree: still waiting, answered (with the cookies to finish with), or ended.</summary>
internal sealed record TreePoll(EidPollStatus Status, string Cookies, EidFailureReason? Failure = null, string? Detail = null, TimeSpan? WaitTime = null);


/// <summary>
/// Auðkenni's REST authentication tree and OIDC endpoints. Start: the tree's first answer, its callbacks filled
/// (<see cref="AudkenniCallbacks"/>). Poll: the polling callback re-posted with the login's session cookies. Finish:
/// <c>/authorize</c> with PKCE (S256), a state and a nonce, the code read from the redirect without following it,
/// <c>/access_token</c>, then the same verification as CIBA's (<see cref="AudkenniResults"/>: id_token, userinfo,
/// signature and certificate). Nothing unverified becomes a person.
/// Every call goes through the upstreams' shared building block (<see cref="UpstreamPipelines"/>): the start and every
/// step of the finish at most once once they may have arrived, polls of the tree retried, one circuit breaker.
/// </summary>
internal sealed class AudkenniClient(Func<HttpClient> http, AudkenniOptions options, AudkenniResults results, UpstreamPipelines pipelines)
{
    /// <summary>Whether the circuit breaker is open.</summary>
    public bool IsCircuitOpen => pipelines.IsCircuitOpen;

    /// <summary>Whether Auðkenni's host answers HTTP at all (any status) within <paramref name="timeout"/>.</summary>
    public Task<bool> IsReachableAsync(TimeSpan timeout, CancellationToken cancellationToken)
        => UpstreamPipelines.IsReachableAsync(http(), options.BaseUrl, timeout, cancellationToken);

    private Uri Authenticate(bool tree) => new(options.BaseUrl, options.AuthenticatePath + (tree ? "?authIndexType=service&authIndexValue=" + Uri.EscapeDataString(options.Tree) : string.Empty));

    private Uri OAuth(string path) => results.OAuth(path);

    public async Task<TreeStart> StartAsync(EidMethod method, string identifier, string message, string hash, CancellationToken cancellationToken)
    {
        var cookies = new CookieJar(null);
        var (status, first) = await PostJsonAsync(Authenticate(tree: true), null, cookies, pipelines.Start, null, cancellationToken);
        if (status != HttpStatusCode.OK || first is null)
        {
            return Failed(status, first);
        }

        var answers = new TreeAnswers(options.ClientId!, options.RelatedParty, identifier, message, options.VChoice, options.ConfirmMessage, hash,
            method == EidMethod.Sim ? options.SimMethodLabel : options.AppMethodLabel, options.AppTitle);
        var problem = AudkenniCallbacks.Fill(first, answers);
        if (problem != CallbackProblem.None)
        {
            return new(null, null, EidFailureReason.UpstreamError, "tree answer: " + problem);
        }

        var (filledStatus, polling) = await PostJsonAsync(Authenticate(tree: true), first, cookies, pipelines.Start, null, cancellationToken);
        if (filledStatus != HttpStatusCode.OK || polling?["authId"]?.GetValue<string>() is not { Length: > 0 } authId)
        {
            return Failed(filledStatus, polling);
        }

        return new(authId, cookies.ToString(), null, null, AudkenniCallbacks.WaitTime(polling));
    }

    public async Task<TreePoll> PollAsync(string authId, string cookieHeader, TimeSpan pace, CancellationToken cancellationToken)
    {
        var cookies = new CookieJar(cookieHeader);
        var (status, answer) = await PostJsonAsync(Authenticate(tree: false), AudkenniCallbacks.Poll(authId, (int)pace.TotalMilliseconds), cookies, pipelines.Poll, pace, cancellationToken);
        if (status == HttpStatusCode.OK && answer?["tokenId"] is not null)
        {
            return new(EidPollStatus.Succeeded, cookies.ToString());
        }

        if (status == HttpStatusCode.OK && answer?["callbacks"] is JsonArray)
        {
            return new(EidPollStatus.Pending, cookies.ToString(), WaitTime: AudkenniCallbacks.WaitTime(answer));
        }

        var failed = Failed(status, answer);

        // A 401 while polling with no code is the person declining (as public clients observe).
        var reason = status == HttpStatusCode.Unauthorized && failed.Failure is EidFailureReason.Other ? EidFailureReason.Cancelled : failed.Failure!.Value;
        return new(EidPollStatus.Failed, cookies.ToString(), reason, failed.Detail);
    }

    public async Task<TreeResult> FinishAsync(EidMethod method, string cookieHeader, string hash, CancellationToken cancellationToken)
    {
        var cookies = new CookieJar(cookieHeader);
        var verifier = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var state = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var nonce = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        var redirect = options.RedirectUri!.ToString();
        var authorize = OAuth("authorize") + "?" + string.Join('&', new Dictionary<string, string?>
        {
            ["service"] = options.Tree,
            ["client_id"] = options.ClientId,
            ["response_type"] = "code",
            ["scope"] = "openid profile signature",
            ["code_challenge"] = System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
            ["code_challenge_method"] = "S256",
            ["state"] = state,
            ["nonce"] = nonce,
            ["redirect_uri"] = redirect,
        }.Select(p => p.Key + "=" + Uri.EscapeDataString(p.Value ?? string.Empty)));
        var response = await OnceAsync(() => cookies.Apply(new HttpRequestMessage(HttpMethod.Get, authorize)), cancellationToken);
        var location = response.Location;
        var query = location is null ? null : Query(location.IsAbsoluteUri ? location.Query : new Uri(new Uri(redirect), location).Query);
        if (query is null || !query.TryGetValue("code", out var code) || code.Length == 0)
        {
            // No code: the login was not (or no longer) approved; public clients see this when it has timed out.
            return new(null, EidFailureReason.TimedOut, "authorize gave no code (" + (int)response.Status + ")");
        }

        if (!query.TryGetValue("state", out var returned) || returned != state)
        {
            return new(null, EidFailureReason.NotVerified, "authorize answered another state");
        }

        var tokenResponse = await OnceAsync(
            () => cookies.Apply(new HttpRequestMessage(HttpMethod.Post, OAuth("access_token"))
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["grant_type"] = "authorization_code",
                    ["client_id"] = options.ClientId!,
                    ["client_secret"] = options.ClientSecret!,
                    ["redirect_uri"] = redirect,
                    ["code_verifier"] = verifier,
                    ["code"] = code,
                }),
            }),
            cancellationToken);
        var tokenJson = AudkenniResults.ParseJson(tokenResponse.Body);
        if (!AudkenniResults.IsSuccess(tokenResponse.Status) || AudkenniResults.Text(tokenJson, "id_token") is not { } idToken || AudkenniResults.Text(tokenJson, "access_token") is not { } accessToken)
        {
            return new(null, EidFailureReason.FinishFailed, "access_token answered " + (int)tokenResponse.Status);
        }

        return await results.VerifyAsync(method, new AudkenniTokens(idToken, accessToken, nonce, null), hash, cookies.Apply, cancellationToken);
    }

    private async Task<(HttpStatusCode Status, JsonObject? Body)> PostJsonAsync(
        Uri uri, JsonObject? body, CookieJar cookies, ResiliencePipeline pipeline, TimeSpan? pollInterval, CancellationToken cancellationToken)
    {
        var text = body?.ToJsonString() ?? string.Empty;
        var answer = await UpstreamPipelines.ExecuteAsync(
            pipeline,
            ct => pipelines.SendAsync(
                http(),
                () =>
                {
                    var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(text, Encoding.UTF8, "application/json") };
                    request.Headers.Add("Accept-API-Version", "resource=2.0,protocol=1.0");
                    return cookies.Apply(request);
                },
                ct),
            pollInterval,
            cancellationToken);
        cookies.Take(answer.SetCookies);
        return (answer.Status, AudkenniResults.ParseJson(answer.Body));
    }

    /// <summary>A step of the finish: sent at most once once it may have arrived (a code is redeemed once only).</summary>
    private Task<UpstreamAnswer> OnceAsync(Func<HttpRequestMessage> request, CancellationToken cancellationToken) => results.OnceAsync(request, cancellationToken);

    private static Dictionary<string, string> Query(string query)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            values.TryAdd(Uri.UnescapeDataString(parts[0]), parts.Length == 2 ? Uri.UnescapeDataString(parts[1].Replace('+', ' ')) : string.Empty);
        }

        return values;
    }

    private static TreeStart Failed(HttpStatusCode status, JsonObject? body)
    {
        var message = body?["message"]?.ToString();
        var reason = AudkenniErrorCodes.Classify(message);
        return new(null, null, reason == EidFailureReason.Other && status != HttpStatusCode.Unauthorized ? EidFailureReason.UpstreamError : reason,
            $"{(int)status} {PersonalData.Redact(message)}");
    }

    /// <summary>The session cookies of one login, carried in its (server-side, encrypted) reference between calls.</summary>
    private sealed class CookieJar(string? header)
    {
        private readonly Dictionary<string, string> _cookies = Parse(header);

        public HttpRequestMessage Apply(HttpRequestMessage request)
        {
            if (_cookies.Count > 0)
            {
                request.Headers.Add("Cookie", ToString());
            }

            return request;
        }

        public void Take(IReadOnlyList<string> setCookies)
        {
            foreach (var value in setCookies)
            {
                var pair = value.Split(';', 2)[0].Split('=', 2);
                if (pair.Length == 2 && pair[0].Trim().Length > 0)
                {
                    _cookies[pair[0].Trim()] = pair[1].Trim();
                }
            }
        }

        public override string ToString() => string.Join("; ", _cookies.Select(c => c.Key + "=" + c.Value));

        private static Dictionary<string, string> Parse(string? header)
            => (header ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
    }
}
