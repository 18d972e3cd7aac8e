using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IcelandicEid.Emulator;

/// <summary>Switchable faults of the Auðkenni mode.</summary>
[Flags]
public enum AudkenniFault
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>The id_token is signed with another key under a published key id.</summary>
    WrongSignature = 1,

    /// <summary>The id_token names a key id the JWKS does not hold.</summary>
    UnknownKeyId = 2,

    /// <summary>The id_token has expired.</summary>
    ExpiredToken = 4,

    /// <summary>The certificate returned is another person's.</summary>
    OtherPersonsCertificate = 8,

    /// <summary>No signature or certificate in the userinfo.</summary>
    NoSignature = 16,

    /// <summary>The certificate is issued under a root the relying party does not trust.</summary>
    UntrustedCertificate = 32,

    /// <summary>The id_token names the person by <c>sub</c> alone (no <c>nationalRegisterId</c>).</summary>
    TokenWithoutRegisterId = 64,

    /// <summary>The userinfo, its certificate and signature (all valid) are another person's than the id_token's.</summary>
    UserInfoOfAnotherPerson = 128,

    /// <summary>The id_token names nobody (neither <c>sub</c> nor <c>nationalRegisterId</c>).</summary>
    TokenNamesNobody = 256,

    /// <summary>CIBA: the id_token says it answers another <c>auth_req_id</c>.</summary>
    OtherAuthRequestId = 512,
}

/// <summary>The format of the signature the emulator's userinfo returns (Auðkenni documents "PKCS#7 or PKCS#1").</summary>
public enum AudkenniSignatureFormat
{
    /// <summary>PKCS#1 v1.5 over SHA-256 of the hash bytes, the certificate in its own field.</summary>
    Pkcs1,

    /// <summary>PKCS#1 v1.5 with the 32 hash bytes taken as the SHA-256 digest, the certificate in its own field.</summary>
    Pkcs1OverDigest,

    /// <summary>CMS SignedData, detached, the signer's certificate inside it and no certificate field.</summary>
    CmsDetached,

    /// <summary>CMS SignedData with the hash as its content, the certificate inside it and in its own field.</summary>
    CmsAttached,
}

/// <summary>
/// Auðkenni's own API as its documentation and public clients describe it: the REST authentication tree (api_v200:
/// eight callbacks, then a polling callback, sticky session cookies), then OIDC with PKCE (authorize, access_token,
/// userinfo) and a JWKS; with its own test root certificate and signing key, issuing a certificate to each test person.
/// </summary>
public sealed partial class AudkenniEmulator : IDisposable
{
    public const string ClientId = "emulator-client";
    public const string ClientSecret = "emulator-secret";
    private const string Realm = "/sso/json/realms/root/realms/audkenni";
    private const string OAuth = "/sso/oauth2/realms/root/realms/audkenni";
    private readonly RSA _signingKey = RSA.Create(2048);
    private readonly RSA _otherKey = RSA.Create(2048);
    private readonly X509Certificate2 _strangerRoot;
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Session> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Session> _tokens = new(StringComparer.Ordinal);

    public AudkenniEmulator()
    {
        Root = Authority("CN=Emulator Fullgilt audkenni test root", out _rootKey);
        _strangerRoot = Authority("CN=Emulator stranger root", out _strangerKey);
    }

    private readonly RSA _rootKey;
    private readonly RSA _strangerKey;

    /// <summary>The root a relying party configures to trust this emulator's certificates.</summary>
    public X509Certificate2 Root { get; }

    /// <summary>Faults switched on.</summary>
    public AudkenniFault Faults { get; set; }

    /// <summary>The signature format of results. Default PKCS#1.</summary>
    public AudkenniSignatureFormat SignatureFormat { get; set; }

    /// <summary>The serial number of the people's certificates it issues (random when null), so that a test can revoke
    /// them in a list made with <see cref="Crl"/>.</summary>
    public byte[]? PersonSerial { get; set; }

    /// <summary>A certificate revocation list of this emulator's root, listing <paramref name="revokedSerials"/>,
    /// current from a minute ago for <paramref name="validFor"/> (DER).</summary>
    public byte[] Crl(IEnumerable<byte[]> revokedSerials, TimeSpan validFor)
    {
        var builder = new CertificateRevocationListBuilder();
        var now = DateTimeOffset.UtcNow;
        foreach (var serial in revokedSerials)
        {
            builder.AddEntry(serial, now.AddMinutes(-5));
        }

        return builder.Build(Root, System.Numerics.BigInteger.One, now + validFor, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, now.AddMinutes(-1));
    }

    /// <summary>The <c>waitTime</c> the tree's polling callback asks for, and the pace below which a poll counts as too
    /// early. Default 1 s, so that tests run quickly; Auðkenni's trees are documented with 5 s.</summary>
    public TimeSpan WaitTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The person's name the emulator returns for every identifier.</summary>
    public static string PersonName => "Guðrún Emúladóttir";

    /// <summary>The kennitala returned for a SIM login (an app login returns the one it was started for).</summary>
    public const string SimKennitala = "1203894569";

    public void Reset()
    {
        Faults = AudkenniFault.None;
        SignatureFormat = AudkenniSignatureFormat.Pkcs1;
        WaitTime = TimeSpan.FromSeconds(1);
        PersonSerial = null;
        CibaEnforcedInterval = null;
        LastRequestObject = null;
        _requests.Clear();
        _seenRequestIds.Clear();
        _sessions.Clear();
        _codes.Clear();
        _tokens.Clear();
    }

    public void Map(IEndpointRouteBuilder app, EmulatorState state)
    {
        app.MapPost(Realm + "/authenticate", ctx => AuthenticateAsync(ctx, state));
        app.MapGet(OAuth + "/authorize", (HttpContext ctx) => Authorize(ctx, state));
        app.MapPost(OAuth + "/access_token", async (HttpContext ctx) => await (await AccessTokenAsync(ctx, state)).ExecuteAsync(ctx));
        app.MapPost(OAuth + "/bc-authorize", async (HttpContext ctx) => await (await BackchannelAsync(ctx, state)).ExecuteAsync(ctx));
        app.MapMethods(OAuth + "/userinfo", ["GET", "POST"], (HttpContext ctx) => UserInfo(ctx, state));
        app.MapGet(OAuth + "/connect/jwk_uri", () => Results.Text(Jwks(), "application/json"));
    }

    public void Dispose()
    {
        _signingKey.Dispose();
        _otherKey.Dispose();
        ClientKey.Dispose();
        _rootKey.Dispose();
        _strangerKey.Dispose();
        Root.Dispose();
        _strangerRoot.Dispose();
    }

    private async Task AuthenticateAsync(HttpContext ctx, EmulatorState state)
    {
        var now = state.Settings.Time.GetUtcNow();
        var body = ctx.Request.ContentLength is > 0 || ctx.Request.Headers.TransferEncoding.Count > 0
            ? JsonNode.Parse(await new StreamReader(ctx.Request.Body).ReadToEndAsync()) as JsonObject
            : null;
        if (body?["callbacks"] is not JsonArray callbacks)
        {
            // Step 1: the tree's first answer. "app" first, so that a client that assumes "sim" is at 0 fails.
            await Answer(ctx, 200, FirstAnswer(ctx.Request.Query["authIndexValue"] == "api_v202"));
            state.Record(new RecordedCall(now, "audkenni", "tree", "POST", null, null, 200, false, null, null));
            return;
        }

        if ((string?)callbacks[0]?["type"] == "PollingWaitCallback")
        {
            await PollAsync(ctx, state, body, now);
            return;
        }

        string? Value(int i) => callbacks.Count > i ? callbacks[i]?["input"]?[0]?["value"]?.ToString() : null;
        var identifier = Value(2);
        var choice = int.TryParse(Value(7), out var c) ? c : -1;
        if (Value(0) != ClientId || string.IsNullOrEmpty(identifier) || choice is not (0 or 1) || string.IsNullOrEmpty(Value(6)))
        {
            await Answer(ctx, 400, new JsonObject { ["code"] = 400, ["message"] = "Bad callbacks" });
            return;
        }

        var method = choice == 1 ? "sim" : "app";
        var (outcome, after) = state.ScriptFor(identifier);
        if (outcome == ScriptedOutcome.NotFound)
        {
            await Fail(ctx, state, now, "start", identifier, "mssp_105");
            return;
        }

        if (state.Settings.OneOpenRequestPerPerson && _sessions.Values.Any(s => s.Identifier == identifier && s.Ended is null && now - s.StartedAt < state.Settings.LoginLifetime))
        {
            await Fail(ctx, state, now, "start", identifier, "mssp_209");
            return;
        }

        var title = Value(8);
        var session = new Session(Token(), Token(), identifier, method, Value(6)!, title is { Length: > 0 } ? Value(3) + " | " + title : Value(3) ?? string.Empty, now, outcome, after);
        _sessions[session.AuthId] = session;
        ctx.Response.Headers.Append("Set-Cookie", $"audsso={session.Cookie}; Path=/; HttpOnly");
        ctx.Response.Headers.Append("Set-Cookie", "audssossolb=03; Path=/");
        state.Record(new RecordedCall(now, "audkenni", "start", "POST", identifier, session.AuthId[..8], 200, false, null, null, session.Message));
        await Answer(ctx, 200, PollingAnswer(session.AuthId, WaitTime));
    }

    private async Task PollAsync(HttpContext ctx, EmulatorState state, JsonObject body, DateTimeOffset now)
    {
        // Faults on polls (endpoint "audkenni-poll"): slow, dropped (connection reset), or a server error.
        switch (state.TakeFault("audkenni-poll"))
        {
            case { Kind: FaultKind.Reset }:
                ctx.Abort();
                return;
            case { Kind: FaultKind.ServerError or FaultKind.Unavailable } f:
                await Answer(ctx, f.Kind == FaultKind.ServerError ? 500 : 503, new JsonObject { ["code"] = 500, ["message"] = "injected" });
                return;
            case { Kind: FaultKind.Slow } f:
                await Task.Delay(f.Delay ?? TimeSpan.FromSeconds(2), ctx.RequestAborted);
                break;
        }

        var authId = (string?)body["authId"] ?? string.Empty;
        if (!_sessions.TryGetValue(authId, out var session) || ctx.Request.Cookies["audsso"] != session.Cookie)
        {
            // The flow is sticky: without its session cookie the poll reaches nothing.
            await Answer(ctx, 401, new JsonObject { ["code"] = 401, ["reason"] = "Unauthorized", ["message"] = "Session not found" });
            state.Record(new RecordedCall(now, "audkenni", "poll", "POST", null, authId.Length >= 8 ? authId[..8] : authId, 401, false, null, null));
            return;
        }

        // Sooner than the tree asked (a little slack for the clocks of two processes).
        var tooEarly = session.LastPollAt is { } last && now - last < WaitTime - TimeSpan.FromMilliseconds(50);
        session.LastPollAt = now;
        var due = now - session.StartedAt >= session.After;
        if (!due || session.Outcome == ScriptedOutcome.Never)
        {
            state.Record(new RecordedCall(now, "audkenni", "poll", "POST", session.Identifier, authId[..8], 200, tooEarly, null, null));
            await Answer(ctx, 200, PollingAnswer(authId, WaitTime));
            return;
        }

        session.Ended = now;
        var error = session.Outcome switch
        {
            ScriptedOutcome.Cancel => "mssp_401",
            ScriptedOutcome.TimeOut => "mssp_208",
            ScriptedOutcome.Blocked => "mssp_402",
            _ => null,
        };
        if (error is not null)
        {
            await Fail(ctx, state, now, "poll", session.Identifier, error);
            return;
        }

        session.Approved = true;
        state.Record(new RecordedCall(now, "audkenni", "poll", "POST", session.Identifier, authId[..8], 200, tooEarly, null, null));
        await Answer(ctx, 200, new JsonObject { ["tokenId"] = Token(), ["successUrl"] = "/enduser/?realm=/audkenni", ["realm"] = "/audkenni" });
    }

    private IResult Authorize(HttpContext ctx, EmulatorState state)
    {
        var q = ctx.Request.Query;
        var redirect = q["redirect_uri"].ToString();
        var session = _sessions.Values.FirstOrDefault(s => s.Cookie == ctx.Request.Cookies["audsso"]);
        if (q["client_id"] != ClientId || q["response_type"] != "code" || q["code_challenge_method"] != "S256" || string.IsNullOrEmpty(q["code_challenge"]) || redirect.Length == 0)
        {
            return Results.BadRequest(new { error = "invalid_request" });
        }

        if (session is not { Approved: true })
        {
            return Results.Redirect(redirect + "?error=access_denied&state=" + Uri.EscapeDataString(q["state"].ToString()));
        }

        session.Challenge = q["code_challenge"].ToString();
        session.Nonce = q["nonce"].ToString();
        var code = Token();
        _codes[code] = session;
        state.Record(new RecordedCall(state.Settings.Time.GetUtcNow(), "audkenni", "authorize", "GET", session.Identifier, null, 302, false, null, null));
        return Results.Redirect(redirect + "?code=" + code + "&state=" + Uri.EscapeDataString(q["state"].ToString()));
    }

    private async Task<IResult> AccessTokenAsync(HttpContext ctx, EmulatorState state)
    {
        var form = ctx.Request.HasFormContentType ? await ctx.Request.ReadFormAsync() : null;
        string Get(string name) => form?[name].ToString() is { Length: > 0 } v ? v : ctx.Request.Query[name].ToString();
        if (Get("grant_type") == CibaGrantType)
        {
            return await CibaTokenAsync(ctx, state, Get);
        }

        if (Get("client_id") != ClientId || Get("client_secret") != ClientSecret || Get("grant_type") != "authorization_code"
            || !_codes.TryRemove(Get("code"), out var session))
        {
            return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
        }

        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(Get("code_verifier"))));
        if (challenge != session.Challenge)
        {
            return Results.Json(new { error = "invalid_grant", error_description = "PKCE" }, statusCode: 400);
        }

        return await TokensAsync(ctx, state, session, authRequestId: null);
    }

    /// <summary>The tokens of a login that was approved, once its code or auth_req_id is spent. Faults on this answer
    /// (endpoint "audkenni-token") come after the spending, as when the answer of a redemption that worked is lost: a
    /// server error, a dropped connection, or a slow answer.</summary>
    private async Task<IResult> TokensAsync(HttpContext ctx, EmulatorState state, Session session, string? authRequestId)
    {
        var now = state.Settings.Time.GetUtcNow();
        switch (state.TakeFault("audkenni-token"))
        {
            case { Kind: FaultKind.Reset }:
                state.Record(new RecordedCall(now, "audkenni", "token", "POST", session.Identifier, null, 0, false, null, null));
                ctx.Abort();
                return Results.Empty;
            case { Kind: FaultKind.ServerError or FaultKind.Unavailable } f:
                state.Record(new RecordedCall(now, "audkenni", "token", "POST", session.Identifier, null, f.Kind == FaultKind.ServerError ? 500 : 503, false, null, null));
                return Results.Json(new { error = "server_error" }, statusCode: f.Kind == FaultKind.ServerError ? 500 : 503);
            case { Kind: FaultKind.Slow } f:
                await Task.Delay(f.Delay ?? TimeSpan.FromSeconds(2), ctx.RequestAborted);
                break;
        }

        var access = Token();
        _tokens[access] = session;
        var faults = Faults;
        var expires = faults.HasFlag(AudkenniFault.ExpiredToken) ? now.AddMinutes(-10) : now.AddMinutes(5);
        var header = new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = faults.HasFlag(AudkenniFault.UnknownKeyId) ? "unknown" : "emulator-1" };
        var payload = new JsonObject
        {
            ["iss"] = Issuer(ctx),
            ["aud"] = ClientId,
            ["sub"] = Kennitala(session),
            ["iat"] = expires.AddMinutes(-6).ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["name"] = PersonName,
            ["nationalRegisterId"] = Kennitala(session),
        };
        if (session.Nonce is not null)
        {
            payload["nonce"] = session.Nonce;
        }

        if (authRequestId is not null)
        {
            payload["urn:openid:params:jwt:claim:auth_req_id"] = faults.HasFlag(AudkenniFault.OtherAuthRequestId) ? Token() : authRequestId;
        }

        if (faults.HasFlag(AudkenniFault.TokenWithoutRegisterId) || faults.HasFlag(AudkenniFault.TokenNamesNobody))
        {
            payload.Remove("nationalRegisterId");
        }

        if (faults.HasFlag(AudkenniFault.TokenNamesNobody))
        {
            payload.Remove("sub");
        }

        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var key = faults.HasFlag(AudkenniFault.WrongSignature) ? _otherKey : _signingKey;
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        state.Record(new RecordedCall(now, "audkenni", "token", "POST", session.Identifier, null, 200, false, null, null));
        return Results.Json(new { access_token = access, id_token = signingInput + "." + Base64Url(signature), token_type = "Bearer", expires_in = 300 });
    }

    private IResult UserInfo(HttpContext ctx, EmulatorState state)
    {
        var bearer = ctx.Request.Headers.Authorization.ToString();
        if (!bearer.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.TryGetValue(bearer[7..], out var session))
        {
            return Results.Json(new { error = "invalid_token" }, statusCode: 401);
        }

        var faults = Faults;
        var another = faults.HasFlag(AudkenniFault.UserInfoOfAnotherPerson);
        var kennitala = another ? "0101302049" : Kennitala(session);
        var name = another ? "Jón Annar Jónsson" : PersonName;
        var info = new Dictionary<string, object?> { ["sub"] = kennitala, ["name"] = name, ["nationalRegisterId"] = kennitala };
        if (!faults.HasFlag(AudkenniFault.NoSignature))
        {
            var (issuerCert, issuerKey) = faults.HasFlag(AudkenniFault.UntrustedCertificate) ? (_strangerRoot, _strangerKey) : (Root, _rootKey);
            using var personKey = RSA.Create(2048);
            var certKennitala = faults.HasFlag(AudkenniFault.OtherPersonsCertificate) ? "0101302049" : kennitala;
            using var certificate = Person(faults.HasFlag(AudkenniFault.OtherPersonsCertificate) ? "Jón Annar Jónsson" : name, certKennitala, personKey, issuerCert, issuerKey, state.Settings.Time.GetUtcNow());
            var hash = Convert.FromBase64String(session.Hash);
            info["certificate"] = Convert.ToBase64String(certificate.RawData);
            switch (SignatureFormat)
            {
                case AudkenniSignatureFormat.Pkcs1:
                    info["signature"] = Convert.ToBase64String(personKey.SignData(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
                    break;
                case AudkenniSignatureFormat.Pkcs1OverDigest:
                    info["signature"] = Convert.ToBase64String(personKey.SignHash(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
                    break;
                default:
                    using (var signer = certificate.CopyWithPrivateKey(personKey))
                    {
                        var detached = SignatureFormat == AudkenniSignatureFormat.CmsDetached;
                        var cms = new System.Security.Cryptography.Pkcs.SignedCms(new System.Security.Cryptography.Pkcs.ContentInfo(hash), detached);
                        cms.ComputeSignature(new System.Security.Cryptography.Pkcs.CmsSigner(signer) { IncludeOption = X509IncludeOption.EndCertOnly });
                        info["signature"] = Convert.ToBase64String(cms.Encode());
                        if (detached)
                        {
                            info.Remove("certificate");
                        }
                    }

                    break;
            }
        }

        state.Record(new RecordedCall(state.Settings.Time.GetUtcNow(), "audkenni", "userinfo", ctx.Request.Method, session.Identifier, null, 200, false, null, null));
        return Results.Json(info);
    }

    private static string Kennitala(Session session) => session.Method == "app" ? session.Identifier : SimKennitala;

    private static string Issuer(HttpContext ctx) => $"{ctx.Request.Scheme}://{ctx.Request.Host}{OAuth}";

    private string Jwks()
    {
        var p = _signingKey.ExportParameters(false);
        return JsonSerializer.Serialize(new { keys = new[] { new { kty = "RSA", use = "sig", alg = "RS256", kid = "emulator-1", n = Base64Url(p.Modulus!), e = Base64Url(p.Exponent!) } } });
    }

    private static async Task Fail(HttpContext ctx, EmulatorState state, DateTimeOffset now, string endpoint, string identifier, string code)
    {
        state.Record(new RecordedCall(now, "audkenni", endpoint, "POST", identifier, null, 401, false, null, null));
        await Answer(ctx, 401, new JsonObject { ["code"] = 401, ["reason"] = "Unauthorized", ["message"] = code });
    }

    private static Task Answer(HttpContext ctx, int status, JsonObject body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync(body.ToJsonString());
    }

    private static JsonObject FirstAnswer(bool appTitle)
    {
        string[] prompts = ["Sláðu inn clientId", "Sláðu inn Related Party", "Sláðu inn símanúmer eða kennitölu", "Sláðu inn skilaboð til notanda", "Nota vchoice (true eða false)", "Nota confirmMessage (true eða false)", "Sláðu inn Hash gildi"];
        var callbacks = new JsonArray();
        for (var i = 0; i < prompts.Length; i++)
        {
            callbacks.Add(new JsonObject
            {
                ["type"] = "NameCallback",
                ["output"] = new JsonArray(new JsonObject { ["name"] = "prompt", ["value"] = prompts[i] }),
                ["input"] = new JsonArray(new JsonObject { ["name"] = $"IDToken{i + 1}", ["value"] = string.Empty }),
            });
        }

        callbacks.Add(new JsonObject
        {
            ["type"] = "ChoiceCallback",
            ["output"] = new JsonArray(
                new JsonObject { ["name"] = "prompt", ["value"] = "Veldu auðkenningarleið" },
                new JsonObject { ["name"] = "choices", ["value"] = new JsonArray("app", "sim") },
                new JsonObject { ["name"] = "defaultChoice", ["value"] = 0 }),
            ["input"] = new JsonArray(new JsonObject { ["name"] = "IDToken8", ["value"] = 0 }),
        });
        if (appTitle)
        {
            callbacks.Add(new JsonObject
            {
                ["type"] = "NameCallback",
                ["output"] = new JsonArray(new JsonObject { ["name"] = "prompt", ["value"] = "Sláðu inn titil fyrir app" }),
                ["input"] = new JsonArray(new JsonObject { ["name"] = "IDToken9", ["value"] = string.Empty }),
            });
        }

        return new JsonObject { ["authId"] = Token(), ["callbacks"] = callbacks };
    }

    private static JsonObject PollingAnswer(string authId, TimeSpan waitTime) => new()
    {
        ["authId"] = authId,
        ["callbacks"] = new JsonArray(new JsonObject
        {
            ["type"] = "PollingWaitCallback",
            ["output"] = new JsonArray(
                new JsonObject { ["name"] = "waitTime", ["value"] = ((int)waitTime.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture) },
                new JsonObject { ["name"] = "message", ["value"] = "templates.user.LoginTemplate.pollingwaitmessage" }),
        }),
    };

    private static X509Certificate2 Authority(string subject, out RSA key)
    {
        key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddYears(-2), DateTimeOffset.UtcNow.AddYears(10));
    }

    private X509Certificate2 Person(string name, string kennitala, RSA key, X509Certificate2 issuer, RSA issuerKey, DateTimeOffset now)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCountryOrRegion("IS");
        subject.AddCommonName(name);
        subject.Add("2.5.4.5", kennitala, System.Formats.Asn1.UniversalTagNumber.PrintableString);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2"), new Oid("1.3.6.1.5.5.7.3.4")], false));
        var generator = X509SignatureGenerator.CreateForRSA(issuerKey, RSASignaturePadding.Pkcs1);
        return request.Create(issuer.SubjectName, generator, now.AddYears(-1), now.AddYears(4), PersonSerial ?? RandomNumberGenerator.GetBytes(12));
    }

    private static string Token() => Base64Url(RandomNumberGenerator.GetBytes(24));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed class Session(string authId, string cookie, string identifier, string method, string hash, string message, DateTimeOffset startedAt, ScriptedOutcome outcome, TimeSpan after)
    {
        public string AuthId { get; } = authId;

        public string Cookie { get; } = cookie;

        public string Identifier { get; } = identifier;

        public string Method { get; } = method;

        public string Hash { get; } = hash;

        public string Message { get; } = message;

        public DateTimeOffset StartedAt { get; } = startedAt;

        public ScriptedOutcome Outcome { get; } = outcome;

        public TimeSpan After { get; } = after;

        public DateTimeOffset? LastPollAt { get; set; }

        public DateTimeOffset? Ended { get; set; }

        public bool Approved { get; set; }

        public string? Challenge { get; set; }

        public string? Nonce { get; set; }

        /// <summary>CIBA: what <c>slow_down</c> answers have added to the interval.</summary>
        public TimeSpan SlowedBy { get; set; }
    }
}
