using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace IcelandicEid.Emulator;

/// <summary>
/// Auðkenni's back channel (OpenID Connect CIBA, poll mode) as its documentation describes it: a request object signed
/// RS256 with the client's registered key, posted to <c>bc-authorize</c> with the client's credentials; then the token
/// endpoint with the CIBA grant, answering <c>authorization_pending</c>, <c>slow_down</c> (a poll sooner than the
/// interval), <c>access_denied</c>, <c>expired_token</c>, or the tokens. The same scripts, faults, signature formats and
/// verification material as the tree.
/// </summary>
public sealed partial class AudkenniEmulator
{
    /// <summary>The grant type of CIBA's token requests.</summary>
    public const string CibaGrantType = "urn:openid:params:grant-type:ciba";

    private readonly ConcurrentDictionary<string, Session> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _seenRequestIds = new(StringComparer.Ordinal);

    /// <summary>The key pair registered for <see cref="ClientId"/>: request objects must be signed with its private half.
    /// The emulator makes it so that a test or the sample can sign; a real relying party makes its own and gives
    /// Auðkenni the public half.</summary>
    public RSA ClientKey { get; } = RSA.Create(2048);

    /// <summary>The least interval the emulator enforces between a CIBA login's polls, whatever it announces (a sooner
    /// poll gets <c>slow_down</c>); null for the interval it announces (<see cref="WaitTime"/>, in whole seconds), which
    /// grows by five seconds with every <c>slow_down</c>.</summary>
    public TimeSpan? CibaEnforcedInterval { get; set; }

    /// <summary>The claims of the last request object that verified, for tests to read.</summary>
    public JsonObject? LastRequestObject { get; private set; }

    /// <summary>The registered client key's private half as PEM (PKCS#8), for the relying party to configure.</summary>
    public string ClientKeyPem() => ClientKey.ExportPkcs8PrivateKeyPem();

    private int AnnouncedIntervalSeconds => Math.Max(1, (int)Math.Ceiling(WaitTime.TotalSeconds));

    private async Task<IResult> BackchannelAsync(HttpContext ctx, EmulatorState state)
    {
        var now = state.Settings.Time.GetUtcNow();
        var form = ctx.Request.HasFormContentType ? await ctx.Request.ReadFormAsync() : null;
        if (form?["client_id"].ToString() != ClientId || form["client_secret"].ToString() != ClientSecret)
        {
            state.Record(new RecordedCall(now, "audkenni", "start", "POST", null, null, 401, false, null, null));
            return Results.Json(new { error = "invalid_client" }, statusCode: 401);
        }

        var (claims, problem) = ReadRequestObject(form["request"].ToString(), Issuer(ctx), now);
        if (claims is null)
        {
            state.Record(new RecordedCall(now, "audkenni", "start", "POST", null, null, 400, false, null, null));
            return Results.Json(new { error = "invalid_request", error_description = problem }, statusCode: 400);
        }

        LastRequestObject = claims;
        var identifier = (string)claims["login_hint"]!;
        var method = (string?)claims["acr_values"] == "sim-auth" ? "sim" : "app";
        var (outcome, after) = state.ScriptFor(identifier);
        if (outcome == ScriptedOutcome.NotFound)
        {
            state.Record(new RecordedCall(now, "audkenni", "start", "POST", identifier, null, 400, false, null, null));
            return Results.Json(new { error = "unknown_user_id", error_description = "mssp_105 User not found" }, statusCode: 400);
        }

        if (state.Settings.OneOpenRequestPerPerson && _sessions.Values.Any(s => s.Identifier == identifier && s.Ended is null && now - s.StartedAt < state.Settings.LoginLifetime))
        {
            state.Record(new RecordedCall(now, "audkenni", "start", "POST", identifier, null, 400, false, null, null));
            return Results.Json(new { error = "invalid_request", error_description = "mssp_209 A request for this user is already in progress" }, statusCode: 400);
        }

        var message = (string)claims["binding_message"]!;
        if ((string?)claims["binding_message_long"] is { Length: > 0 } longMessage)
        {
            message += " | " + longMessage;
        }

        var session = new Session(Token(), Token(), identifier, method, (string)claims["binding_content"]!, message, now, outcome, after);
        _sessions[session.AuthId] = session;
        _requests[session.AuthId] = session;
        state.Record(new RecordedCall(now, "audkenni", "start", "POST", identifier, session.AuthId[..8], 200, false, null, null, session.Message));
        return Results.Json(new { auth_req_id = session.AuthId, expires_in = (int)state.Settings.LoginLifetime.TotalSeconds, interval = AnnouncedIntervalSeconds });
    }

    private async Task<IResult> CibaTokenAsync(HttpContext ctx, EmulatorState state, Func<string, string> get)
    {
        var now = state.Settings.Time.GetUtcNow();

        // Faults on polls (endpoint "audkenni-poll"), as for the tree: slow, dropped, or a server error.
        switch (state.TakeFault("audkenni-poll"))
        {
            case { Kind: FaultKind.Reset }:
                ctx.Abort();
                return Results.Empty;
            case { Kind: FaultKind.ServerError or FaultKind.Unavailable } f:
                return Results.Json(new { error = "server_error" }, statusCode: f.Kind == FaultKind.ServerError ? 500 : 503);
            case { Kind: FaultKind.Slow } f:
                await Task.Delay(f.Delay ?? TimeSpan.FromSeconds(2), ctx.RequestAborted);
                break;
        }

        if (get("client_id") != ClientId || get("client_secret") != ClientSecret)
        {
            return Results.Json(new { error = "invalid_client" }, statusCode: 401);
        }

        var requestId = get("auth_req_id");
        if (!_requests.TryGetValue(requestId, out var session))
        {
            // Unknown, or spent: the tokens are given once.
            state.Record(new RecordedCall(now, "audkenni", "poll", "POST", null, requestId.Length >= 8 ? requestId[..8] : requestId, 400, false, null, null));
            return Results.Json(new { error = "invalid_grant", error_description = "Unknown or spent auth_req_id" }, statusCode: 400);
        }

        IResult Error(string error, string? description, bool tooEarly = false)
        {
            state.Record(new RecordedCall(now, "audkenni", "poll", "POST", session.Identifier, requestId[..8], 400, tooEarly, null, null));
            return Results.Json(new { error, error_description = description }, statusCode: 400);
        }

        lock (session)
        {
            // The interval announced, plus five seconds for every slow_down so far; at least the one enforced.
            var interval = TimeSpan.FromSeconds(AnnouncedIntervalSeconds) + session.SlowedBy;
            if (CibaEnforcedInterval is { } enforced && enforced > interval)
            {
                interval = enforced;
            }

            if (session.LastPollAt is { } last && now - last < interval - TimeSpan.FromMilliseconds(50))
            {
                // Sooner than allowed: slow_down, and from now on five seconds more are expected (CIBA Core 11).
                session.LastPollAt = now;
                session.SlowedBy += TimeSpan.FromSeconds(5);
                return Error("slow_down", "Polling too fast", tooEarly: true);
            }

            session.LastPollAt = now;
            if (now - session.StartedAt < session.After || session.Outcome == ScriptedOutcome.Never)
            {
                return Error("authorization_pending", "The user has not yet authorized the request");
            }

            session.Ended ??= now;
            switch (session.Outcome)
            {
                case ScriptedOutcome.Cancel:
                    _requests.TryRemove(requestId, out _);
                    return Error("access_denied", "mssp_401 The user cancelled");
                case ScriptedOutcome.Blocked:
                    _requests.TryRemove(requestId, out _);
                    return Error("access_denied", "mssp_402 PIN blocked");
                case ScriptedOutcome.TimeOut:
                    _requests.TryRemove(requestId, out _);
                    return Error("expired_token", "The auth_req_id has expired");
            }

            _requests.TryRemove(requestId, out _);
            session.Approved = true;
        }

        state.Record(new RecordedCall(now, "audkenni", "poll", "POST", session.Identifier, requestId[..8], 200, false, null, null));
        return await TokensAsync(ctx, state, session, requestId);
    }

    /// <summary>The claims of a request object that verifies (RS256 with <see cref="ClientKey"/>, issued by the client for
    /// this issuer, current, never seen before, with the documented members well-formed); or what is wrong.</summary>
    private (JsonObject? Claims, string? Problem) ReadRequestObject(string jwt, string issuer, DateTimeOffset now)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return (null, "request is not a signed JWT");
        }

        JsonObject? header, claims;
        byte[] signature;
        try
        {
            header = JsonNode.Parse(FromBase64Url(parts[0])) as JsonObject;
            claims = JsonNode.Parse(FromBase64Url(parts[1])) as JsonObject;
            signature = FromBase64Url(parts[2]);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
        {
            return (null, "request is not a signed JWT");
        }

        if (header is null || claims is null || (string?)header["alg"] != "RS256")
        {
            return (null, "request must be signed with RS256");
        }

        if (!ClientKey.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return (null, "request signature does not verify with the client's registered key");
        }

        string? Claim(string name) => claims[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        long? Time(string name) => claims[name] is JsonValue v && v.TryGetValue<long>(out var t) ? t : null;
        if (Claim("iss") != ClientId)
        {
            return (null, "iss must be the client id");
        }

        if (Claim("aud") != issuer && !(claims["aud"] is JsonArray audiences && audiences.Any(a => (string?)a == issuer)))
        {
            return (null, "aud must be " + issuer);
        }

        if (Time("exp") is not { } exp || exp < now.ToUnixTimeSeconds() || exp > now.AddHours(1).ToUnixTimeSeconds())
        {
            return (null, "exp is missing, past, or more than an hour ahead");
        }

        if (Claim("jti") is not { Length: > 0 } jti || !_seenRequestIds.TryAdd(jti, now))
        {
            return (null, "jti is missing or was used before");
        }

        if (Claim("login_hint") is not { Length: > 0 })
        {
            return (null, "login_hint is required");
        }

        if (Claim("scope") is not { } scope || !scope.Split(' ').Contains("openid", StringComparer.Ordinal))
        {
            return (null, "scope must include openid");
        }

        if (Claim("acr_values") is not ("app-auth" or "sim-auth"))
        {
            return (null, "acr_values must be app-auth or sim-auth");
        }

        if (Claim("binding_message") is not { Length: > 0 and <= 60 } message || message.Contains('\n', StringComparison.Ordinal))
        {
            return (null, "binding_message must be 1 to 60 characters on one line");
        }

        if (Claim("binding_content") is not { } content || !IsHash(content))
        {
            return (null, "binding_content must be the Base64 hash");
        }

        foreach (var flag in (ReadOnlySpan<string>)["vchoice", "confirmation_message"])
        {
            if (claims[flag] is not null && Claim(flag) is not ("true" or "false"))
            {
                return (null, flag + " must be \"true\" or \"false\"");
            }
        }

        if (Claim("binding_message_long") is { Length: > 200 })
        {
            return (null, "binding_message_long must be at most 200 characters");
        }

        return (claims, null);
    }

    private static bool IsHash(string text)
    {
        Span<byte> bytes = stackalloc byte[64];
        return Convert.TryFromBase64String(text, bytes, out var written) && written >= 20;
    }

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += (padded.Length % 4) switch { 2 => "==", 3 => "=", _ => string.Empty };
        return Convert.FromBase64String(padded);
    }

    /// <summary>The interval, in whole seconds, for logs and the root page.</summary>
    public string DescribeCiba() => string.Create(CultureInfo.InvariantCulture, $"CIBA at {OAuth}/bc-authorize (interval {AnnouncedIntervalSeconds} s)");
}
