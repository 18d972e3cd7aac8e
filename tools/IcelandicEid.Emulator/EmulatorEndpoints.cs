using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IcelandicEid.Emulator;

/// <summary>
/// The wire formats of Taktikal's Auth API and Vettvangur's Audkenni API, as their documents give them, including
/// both readings where the documents contradict themselves (API-key header style; POST or GET on the status endpoints).
/// </summary>
public static class EmulatorEndpoints
{
    // Control answers name enums (a fault's kind) by name.
    private static readonly System.Text.Json.JsonSerializerOptions s_controlJson = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    private static readonly string[] s_emojis = ["🐑", "🐴", "🐟", "🐳", "🦊", "🐦", "🌋", "🌊", "🌈", "⭐", "🍀", "🚗", "⛵", "🎈", "🔔", "🍎"];

    public static void Map(IEndpointRouteBuilder app, EmulatorState state)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(state);

        // Taktikal
        app.MapPost("/api/auth/start", ctx => Handle(ctx, state, "taktikal", "start", body => TaktikalStart(ctx, state, body)));
        app.MapPost("/api/auth/poll", ctx => Handle(ctx, state, "taktikal", "poll", body => TaktikalPoll(ctx, state, body)));
        app.MapPost("/api/auth", ctx => Handle(ctx, state, "taktikal", "blocking", body => TaktikalBlocking(ctx, state, body)));
        app.MapGet("/api/management/flow", ctx => Handle(ctx, state, "taktikal", "flow", _ => TaktikalFlows(ctx, state)));

        // Vettvangur: the status endpoints take POST (the text) and GET with a body (the curl examples).
        app.MapPost("/authorize-code", ctx => Handle(ctx, state, "vettvangur", "start", body => VettvangurCode(ctx, state, body)));
        app.MapMethods("/authorize-simple", ["POST", "GET"], ctx => Handle(ctx, state, "vettvangur", "blocking", body => VettvangurSimple(ctx, state, body)));
        app.MapMethods("/authorize-status", ["POST", "GET"], ctx => Handle(ctx, state, "vettvangur", "poll", body => VettvangurStatus(ctx, state, body, blocking: false)));
        app.MapMethods("/authorize-status-poll", ["POST", "GET"], ctx => Handle(ctx, state, "vettvangur", "blocking-poll", body => VettvangurStatus(ctx, state, body, blocking: true)));

        // Auðkenni's own API (the REST tree and OIDC).
        state.Audkenni.Map(app, state);

        // Control, for running the emulator by hand.
        app.MapPost("/_emulator/scripts", async (HttpContext ctx) =>
        {
            var body = await ReadJsonAsync(ctx);
            var identifier = Str(body, "identifier");
            if (identifier is null || !Enum.TryParse<ScriptedOutcome>(Str(body, "outcome"), true, out var outcome))
            {
                return Results.BadRequest(new { error = "identifier and outcome (Approve, Cancel, TimeOut, NotFound, Blocked, Never) are required" });
            }

            state.Script(
                identifier,
                outcome,
                Int(body, "afterMs") is { } ms ? TimeSpan.FromMilliseconds(ms) : Int(body, "afterSeconds") is { } s ? TimeSpan.FromSeconds(s) : null);
            return Results.NoContent();
        });
        app.MapPost("/_emulator/faults", async (HttpContext ctx) =>
        {
            var body = await ReadJsonAsync(ctx);
            if (!Enum.TryParse<FaultKind>(Str(body, "kind"), true, out var kind))
            {
                return Results.BadRequest(new { error = "kind must be one of " + string.Join(", ", Enum.GetNames<FaultKind>()) });
            }

            state.AddFault(new Fault(
                kind,
                Str(body, "endpoint") ?? "poll",
                double.TryParse(Str(body, "probability"), NumberStyles.Float, CultureInfo.InvariantCulture, out var p) ? p : 1.0,
                Int(body, "count"),
                Int(body, "delayMs") is { } ms ? TimeSpan.FromMilliseconds(ms) : null));
            return Results.NoContent();
        });
        app.MapDelete("/_emulator/faults", () =>
        {
            state.ClearFaults();
            return Results.NoContent();
        });
        app.MapGet("/_emulator/calls", () => Results.Json(state.Calls, s_controlJson));
        app.MapPost("/_emulator/reset", () =>
        {
            state.Reset();
            return Results.NoContent();
        });
        app.MapGet("/_emulator/stats", () => Results.Json(new
        {
            calls = state.Calls.Count,
            starts = state.Calls.Count(c => c.Endpoint == "start"),
            polls = state.Calls.Count(c => c.Endpoint == "poll"),
            faults = state.Calls.Count(c => c.Fault is not null),
            duplicateStarts = state.DuplicateStarts,
            tooEarlyPolls = state.TooEarlyPolls,
        }));
    }

    private sealed record Answer(int Status, string? Body, string? Identifier = null, string? Reference = null, bool TooEarly = false);

    private static async Task Handle(HttpContext ctx, EmulatorState state, string api, string endpoint, Func<JsonElement?, Task<Answer>> logic)
    {
        var now = state.Settings.Time.GetUtcNow();
        var authStyle = AuthStyle(ctx);
        JsonElement? body;
        try
        {
            body = await ReadJsonAsync(ctx);
        }
        catch (JsonException)
        {
            await Write(ctx, new Answer(400, Json(new { error = "The request body is not valid JSON." })));
            state.Record(new RecordedCall(now, api, endpoint, ctx.Request.Method, null, null, 400, false, null, authStyle));
            return;
        }

        var answer = await logic(body);
        var fault = state.TakeFault(endpoint);
        state.Record(new RecordedCall(now, api, endpoint, ctx.Request.Method, answer.Identifier, answer.Reference,
            fault is null || fault.Kind == FaultKind.Slow ? answer.Status : FaultStatus(fault.Kind), answer.TooEarly, fault?.Kind, authStyle,
            Str(body, "appAdditionalMessage") ?? Str(body, "challengeOrMessage")));

        switch (fault?.Kind)
        {
            case FaultKind.ServerError:
                await Write(ctx, new Answer(500, Json(new { error = "Internal server error (injected)" })));
                return;
            case FaultKind.Unavailable:
                await Write(ctx, new Answer(503, null));
                return;
            case FaultKind.TooManyRequests:
                ctx.Response.Headers.RetryAfter = "1";
                await Write(ctx, new Answer(429, Json(new { error = "Too many requests (injected)" })));
                return;
            case FaultKind.Reset:
                ctx.Abort();
                return;
            case FaultKind.MalformedJson:
                await Write(ctx, new Answer(200, "{\"waitingForUserInput\": tru"));
                return;
            case FaultKind.EmptyBody:
                await Write(ctx, new Answer(200, string.Empty));
                return;
            case FaultKind.Slow:
                await Task.Delay(fault.Delay ?? TimeSpan.FromSeconds(2), state.Settings.Time, ctx.RequestAborted);
                break;
        }

        await Write(ctx, answer);
    }

    private static int FaultStatus(FaultKind kind) => kind switch
    {
        FaultKind.ServerError => 500,
        FaultKind.Unavailable => 503,
        FaultKind.TooManyRequests => 429,
        FaultKind.Reset => 0,
        _ => 200,
    };

    // ---- Taktikal ----

    private static Task<Answer> TaktikalStart(HttpContext ctx, EmulatorState state, JsonElement? body)
    {
        if (TaktikalRefusal(ctx, state, body) is { } refused)
        {
            return Task.FromResult(refused);
        }

        var type = Str(body, "AuthenticationContextType");
        var sim = string.Equals(type, "Sim", StringComparison.OrdinalIgnoreCase);
        if (!sim && !string.Equals(type, "App", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(new Answer(400, Json(new { message = "AuthenticationContextType must be Sim or App" })));
        }

        var identifier = sim ? Str(body, "PhoneNumber") : Str(body, "Ssn");
        if (string.IsNullOrWhiteSpace(identifier))
        {
            return Task.FromResult(new Answer(400, Json(new { message = sim ? "PhoneNumber is required" : "Ssn is required" })));
        }

        var (outcome, after) = state.ScriptFor(identifier);
        if (outcome == ScriptedOutcome.NotFound)
        {
            return Task.FromResult(new Answer(400, Json(new { message = "mssp_105 User not found" }), identifier));
        }

        if (HasOpenRequest(state, identifier))
        {
            return Task.FromResult(new Answer(400, Json(new { message = AlreadyInProgress }), identifier));
        }

        var login = NewLogin(state, "taktikal", sim ? "sim" : "app", identifier, outcome, after, "1-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10)), digits: true);
        var includeCode = !sim || Bool(body, "IncludeVerificationCode") == true;
        return Task.FromResult(new Answer(200, Json(new
        {
            authRequestId = login.Reference,
            verificationCode = includeCode ? login.Code : string.Empty,
            pollingInterval = state.Settings.PollingIntervalSeconds,
        }), identifier, login.Reference));
    }

    private static Task<Answer> TaktikalPoll(HttpContext ctx, EmulatorState state, JsonElement? body)
    {
        if (TaktikalRefusal(ctx, state, body) is { } refused)
        {
            return Task.FromResult(refused);
        }

        var reference = Str(body, "authRequestId");
        if (reference is null || !state.Logins.TryGetValue(reference, out var login) || login.Api != "taktikal")
        {
            return Task.FromResult(new Answer(403, "Unknown authRequestId", null, reference));
        }

        var now = state.Settings.Time.GetUtcNow();
        if (TooEarly(login, now, TimeSpan.FromSeconds(state.Settings.PollingIntervalSeconds)))
        {
            return Task.FromResult(new Answer(429, Json(new { message = "Polled sooner than pollingInterval" }), login.Identifier, reference, TooEarly: true));
        }

        var lookup = Str(body, "LookupType") ?? "NameAddress";
        return Task.FromResult(Outcome(state, login, now) switch
        {
            ScriptedOutcome.Approve => new Answer(200, Json(new
            {
                waitingForUserInput = false,
                statusMessage = "ok",
                customer = Customer(login, lookup, state.Settings.FlowKey),
            }), login.Identifier, reference),
            null => new Answer(200, Json(new { waitingForUserInput = true, statusMessage = "Waiting for user", customer = (object?)null }), login.Identifier, reference),
            var ended => new Answer(403, FailureText(ended.Value), login.Identifier, reference),
        });
    }

    private static async Task<Answer> TaktikalBlocking(HttpContext ctx, EmulatorState state, JsonElement? body)
    {
        if (TaktikalRefusal(ctx, state, body) is { } refused)
        {
            return refused;
        }

        var phone = Str(body, "PhoneNumber");
        if (string.IsNullOrWhiteSpace(phone))
        {
            return new Answer(400, Json(new { message = "PhoneNumber is required" }));
        }

        var (outcome, after) = state.ScriptFor(phone);
        if (outcome == ScriptedOutcome.NotFound)
        {
            return new Answer(400, Json(new { message = "mssp_105 User not found" }), phone);
        }

        if (HasOpenRequest(state, phone))
        {
            return new Answer(400, Json(new { message = AlreadyInProgress }), phone);
        }

        var login = NewLogin(state, "taktikal", "sim", phone, outcome, after, "old-" + Guid.NewGuid().ToString("N"), digits: true);
        var ended = await WaitForEndAsync(state, login, ctx.RequestAborted);
        return ended == ScriptedOutcome.Approve
            ? new Answer(200, Json(Customer(login, Str(body, "LookupType") ?? "NameAddress", state.Settings.FlowKey)), phone, login.Reference)
            : new Answer(403, FailureText(ended), phone, login.Reference);
    }

    private static Task<Answer> TaktikalFlows(HttpContext ctx, EmulatorState state)
    {
        if (!TaktikalCredentialsOk(ctx, state))
        {
            return Task.FromResult(new Answer(401, Json(new { message = "Unauthorized" })));
        }

        return Task.FromResult(new Answer(200, Json(new[]
        {
            new { flowKey = state.Settings.FlowKey, name = "Emulator login flow" },
            new { flowKey = "other-flow", name = "Another flow" },
        })));
    }

    private static Answer? TaktikalRefusal(HttpContext ctx, EmulatorState state, JsonElement? body)
    {
        if (body is not { ValueKind: JsonValueKind.Object })
        {
            return new Answer(400, Json(new { message = "A JSON object body is required" }));
        }

        if (!TaktikalCredentialsOk(ctx, state))
        {
            return new Answer(401, Json(new { message = "Unauthorized" }));
        }

        return Str(body, "FlowKey") == state.Settings.FlowKey ? null : new Answer(401, Json(new { message = "Invalid flowKey" }));
    }

    private static bool TaktikalCredentialsOk(HttpContext ctx, EmulatorState state)
    {
        if (state.Settings.CompanyKey is null)
        {
            return true;
        }

        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(state.Settings.CompanyKey + ":" + state.Settings.TaktikalApiKey));
        return ctx.Request.Headers.Authorization.ToString() == expected;
    }

    private static object Customer(EmulatedLogin login, string lookup, string flowKey)
    {
        var ssn = login.Method == "app" ? login.Identifier : "1203894569";
        var phone = login.Method == "sim" ? login.Identifier : "7771234";
        var withAddress = !string.Equals(lookup, "Name", StringComparison.OrdinalIgnoreCase);
        var withFamily = string.Equals(lookup, "NameAddressFamily", StringComparison.OrdinalIgnoreCase);
        return new
        {
            name = "Guðrún Emúladóttir",
            ssn,
            phoneNumber = phone,
            address = withAddress ? "Hafnarstræti 9" : null,
            postalCode = withAddress ? "600" : null,
            city = withAddress ? "Akureyri" : null,
            token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10)),
            flowKey,
            meta = withFamily
                ? new Dictionary<string, string> { ["ParnerSsn"] = "0101302049", ["FamilyNumber"] = ssn, ["GenderCode"] = "2", ["FamilyStatus"] = "3" }
                : null,
        };
    }

    // ---- Vettvangur ----

    private static Task<Answer> VettvangurCode(HttpContext ctx, EmulatorState state, JsonElement? body)
    {
        if (VettvangurRefusal(ctx, state, body) is { } refused)
        {
            return Task.FromResult(refused);
        }

        var type = (Str(body, "authType") ?? "sim").ToLowerInvariant();
        var identifier = Str(body, "phoneNumberOrSsn")?.Replace("-", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal);
        if (type is not ("sim" or "app") || string.IsNullOrWhiteSpace(identifier))
        {
            return Task.FromResult(new Answer(400, Json(new { error = "authType (sim/app) and phoneNumberOrSsn are required" })));
        }

        var (outcome, after) = state.ScriptFor(identifier);
        var refusal = outcome == ScriptedOutcome.NotFound ? "mssp_105 User not found" : HasOpenRequest(state, identifier) ? AlreadyInProgress : null;
        if (refusal is not null)
        {
            // Vettvangur answers 200 with the upstream's error in the body.
            return Task.FromResult(new Answer(200, Json(new
            {
                identifier = Guid.Empty,
                challenge = (string?)null,
                challengeHash = (string?)null,
                authType = type,
                requestingApplication = Str(body, "requestingApplication"),
                error = refusal,
            }), identifier));
        }

        var emoji = Bool(body, "useEmojiChallenge") ?? true;
        var challenge = Str(body, "Challenge");
        var login = NewLogin(state, "vettvangur", type, identifier, outcome, after, Guid.NewGuid().ToString("D").ToUpperInvariant(), digits: !emoji);
        var code = type == "sim" && !string.IsNullOrEmpty(challenge) ? challenge : login.Code;
        return Task.FromResult(new Answer(200, Json(new
        {
            identifier = login.Reference,
            challenge = code,
            challengeHash = type == "app" ? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(code))) : null,
            authType = type,
            requestingApplication = Str(body, "requestingApplication"),
            error = (string?)null,
        }), identifier, login.Reference));
    }

    private static async Task<Answer> VettvangurSimple(HttpContext ctx, EmulatorState state, JsonElement? body)
    {
        if (VettvangurRefusal(ctx, state, body) is { } refused)
        {
            return refused;
        }

        var type = (Str(body, "authType") ?? "sim").ToLowerInvariant();
        var identifier = Str(body, "phoneNumberOrSsn")?.Replace("-", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal);
        if (string.IsNullOrWhiteSpace(identifier))
        {
            return new Answer(400, Json(new { error = "phoneNumberOrSsn is required" }));
        }

        var (outcome, after) = state.ScriptFor(identifier);
        if (outcome == ScriptedOutcome.NotFound)
        {
            return new Answer(200, Json(new { userInfo = (object?)null, error = "mssp_105 User not found" }), identifier);
        }

        if (HasOpenRequest(state, identifier))
        {
            return new Answer(200, Json(new { userInfo = (object?)null, error = AlreadyInProgress }), identifier);
        }

        var login = NewLogin(state, "vettvangur", type, identifier, outcome, after, Guid.NewGuid().ToString("D"), digits: true);
        var ended = await WaitForEndAsync(state, login, ctx.RequestAborted);
        return ended == ScriptedOutcome.Approve
            ? new Answer(200, Json(new { userInfo = UserInfo(login), error = (string?)null }), identifier, login.Reference)
            : new Answer(200, Json(new { userInfo = (object?)null, error = FailureText(ended) }), identifier, login.Reference);
    }

    private static async Task<Answer> VettvangurStatus(HttpContext ctx, EmulatorState state, JsonElement? body, bool blocking)
    {
        if (VettvangurRefusal(ctx, state, body) is { } refused)
        {
            return refused;
        }

        var reference = Str(body, "identifier");
        if (reference is null || !state.Logins.TryGetValue(reference, out var login) || login.Api != "vettvangur")
        {
            return new Answer(200, Json(new { finishedPendingUser = false, status = "Failed", userInfo = (object?)null, error = "Unknown identifier" }), null, reference);
        }

        var now = state.Settings.Time.GetUtcNow();
        if (!blocking && TooEarly(login, now, state.Settings.VettvangurMinimumInterval))
        {
            return new Answer(429, Json(new { error = "Status asked sooner than allowed" }), login.Identifier, reference, TooEarly: true);
        }

        var outcome = blocking ? await WaitForEndAsync(state, login, ctx.RequestAborted) : Outcome(state, login, now);
        return outcome switch
        {
            null => new Answer(200, Json(new { finishedPendingUser = false, status = "Pending", userInfo = (object?)null, error = (string?)null }), login.Identifier, reference),
            ScriptedOutcome.Approve => new Answer(200, Json(new { finishedPendingUser = true, status = "Success", userInfo = UserInfo(login), error = (string?)null }), login.Identifier, reference),
            var ended => new Answer(200, Json(new { finishedPendingUser = false, status = "Failed", userInfo = (object?)null, error = FailureText(ended.Value) }), login.Identifier, reference),
        };
    }

    private static Answer? VettvangurRefusal(HttpContext ctx, EmulatorState state, JsonElement? body)
    {
        if (AuthStyle(ctx) is null || ApiKey(ctx) != state.Settings.ApiKey)
        {
            return new Answer(401, Json(new { error = "A valid API key is required (Authorization: apiKey <key>, or an apiKey header)" }));
        }

        if (body is not { ValueKind: JsonValueKind.Object })
        {
            return new Answer(400, Json(new { error = "A JSON object body is required" }));
        }

        return string.IsNullOrWhiteSpace(Str(body, "requestingApplication"))
            ? new Answer(400, Json(new { error = "requestingApplication is required" }))
            : null;
    }

    private static object UserInfo(EmulatedLogin login)
        => new { name = "Guðrún Emúladóttir", ssn = login.Method == "app" ? login.Identifier : "1203894569" };

    private static string? AuthStyle(HttpContext ctx)
    {
        var authorization = ctx.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("apiKey ", StringComparison.OrdinalIgnoreCase))
        {
            return "authorization";
        }

        if (ctx.Request.Headers.ContainsKey("apiKey"))
        {
            return "apikey-header";
        }

        return authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase) ? "basic" : null;
    }

    private static string? ApiKey(HttpContext ctx)
    {
        var authorization = ctx.Request.Headers.Authorization.ToString();
        return authorization.StartsWith("apiKey ", StringComparison.OrdinalIgnoreCase)
            ? authorization["apiKey ".Length..].Trim()
            : ctx.Request.Headers["apiKey"].ToString();
    }

    // ---- shared ----

    private const string AlreadyInProgress = "mssp_209 An authentication is already in progress for this user";

    /// <summary>Whether a request for the same person is still open, which Auðkenni (under every provider) refuses to
    /// send a second of (<see cref="EmulatorSettings.OneOpenRequestPerPerson"/>).</summary>
    private static bool HasOpenRequest(EmulatorState state, string identifier)
    {
        if (!state.Settings.OneOpenRequestPerPerson)
        {
            return false;
        }

        var person = Person(identifier);
        var now = state.Settings.Time.GetUtcNow();
        return state.Logins.Values.Any(l => Person(l.Identifier) == person && Outcome(state, l, now) is null);
    }

    /// <summary>A phone number or kennitala as the upstream tells people apart: its digits, without Iceland's +354.</summary>
    private static string Person(string identifier)
    {
        // No kennitala begins with 35 (a day of the month, or 41-71 for companies), so ten digits from 354 are a phone.
        var digits = new string(identifier.Where(char.IsAsciiDigit).ToArray()).TrimStart('0');
        return digits.Length == 10 && digits.StartsWith("354", StringComparison.Ordinal) ? digits[3..] : digits;
    }

    private static EmulatedLogin NewLogin(EmulatorState state, string api, string method, string identifier, ScriptedOutcome outcome, TimeSpan after, string reference, bool digits)
    {
        var login = new EmulatedLogin
        {
            Reference = reference,
            Api = api,
            Method = method,
            Identifier = identifier,
            StartedAt = state.Settings.Time.GetUtcNow(),
            Outcome = outcome,
            After = after,
            Code = digits
                ? RandomNumberGenerator.GetInt32(0, 10_000).ToString("D4", CultureInfo.InvariantCulture)
                : string.Concat(Enumerable.Range(0, 4).Select(_ => s_emojis[RandomNumberGenerator.GetInt32(s_emojis.Length)])),
        };
        state.Logins[reference] = login;
        return login;
    }

    /// <summary>Null while pending; the outcome once it is due; TimeOut after the 180-second limit.</summary>
    private static ScriptedOutcome? Outcome(EmulatorState state, EmulatedLogin login, DateTimeOffset now)
    {
        var elapsed = now - login.StartedAt;
        if (elapsed >= state.Settings.LoginLifetime)
        {
            return login.Outcome == ScriptedOutcome.Approve && login.After < state.Settings.LoginLifetime ? ScriptedOutcome.Approve : ScriptedOutcome.TimeOut;
        }

        if (login.Outcome == ScriptedOutcome.Never || elapsed < login.After)
        {
            return null;
        }

        return login.Outcome;
    }

    private static async Task<ScriptedOutcome> WaitForEndAsync(EmulatorState state, EmulatedLogin login, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (Outcome(state, login, state.Settings.Time.GetUtcNow()) is { } outcome)
            {
                return outcome;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), state.Settings.Time, cancellationToken);
        }
    }

    private static bool TooEarly(EmulatedLogin login, DateTimeOffset now, TimeSpan interval)
    {
        lock (login.Lock)
        {
            var early = login.LastPollAt is { } last && now - last < interval;
            login.LastPollAt = now;
            return early;
        }
    }

    private static string FailureText(ScriptedOutcome outcome) => outcome switch
    {
        ScriptedOutcome.Cancel => "mssp_401 User cancelled the authentication",
        ScriptedOutcome.Blocked => "mssp_402 PIN blocked",
        _ => "mssp_208 Authentication timed out",
    };

    private static async Task<JsonElement?> ReadJsonAsync(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ctx.RequestAborted);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static JsonElement? Prop(JsonElement? obj, string name)
    {
        if (obj is not { ValueKind: JsonValueKind.Object } o)
        {
            return null;
        }

        foreach (var property in o.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static string? Str(JsonElement? obj, string name) => Prop(obj, name) switch
    {
        { ValueKind: JsonValueKind.String } v => v.GetString(),
        { ValueKind: JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False } v => v.GetRawText(),
        _ => null,
    };

    private static int? Int(JsonElement? obj, string name)
        => int.TryParse(Str(obj, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static bool? Bool(JsonElement? obj, string name) => bool.TryParse(Str(obj, name), out var value) ? value : null;

    private static string Json(object value) => JsonSerializer.Serialize(value, JsonSerializerOptions.Web);

    private static async Task Write(HttpContext ctx, Answer answer)
    {
        ctx.Response.StatusCode = answer.Status;
        if (answer.Body is { Length: > 0 } text)
        {
            ctx.Response.ContentType = text.StartsWith('{') || text.StartsWith('[') ? "application/json; charset=utf-8" : "text/plain; charset=utf-8";
            await ctx.Response.WriteAsync(text, ctx.RequestAborted);
        }
    }
}
