using System.Text.Json;
using IcelandicEid.AspNetCore.Flow;
using IcelandicEid.AspNetCore.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Endpoints;

/// <summary>
/// The headless JSON API over the same flow, for single-page apps, Blazor and native apps:
/// <c>POST {BasePath}/api/start</c>, <c>GET /api/status</c>, <c>POST /api/cancel</c>, <c>POST /api/finish</c>. The
/// browser holds the same protected login cookie as with the pages. Every call must carry the
/// <see cref="IcelandicEidDefaults.ApiRequestHeader"/> header and, when the browser sends one, a same-origin
/// <c>Origin</c>: a cross-site form cannot add the header, and a cross-origin script cannot send it without a CORS
/// preflight, which is never granted here.
/// </summary>
internal static class JsonApiEndpoint
{
    private const int MaxBody = 4 * 1024;

    /// <summary>Serves the API's start, status and cancel. The finish is the handler's own (it signs in through the
    /// base class, as the pages' finish does); this class only checks the call and writes the finish's answers.</summary>
    public static async Task<bool> HandleAsync(EidRequest r, LoginFlow flow, string operation)
    {
        var post = HttpMethods.IsPost(r.Request.Method);
        var get = HttpMethods.IsGet(r.Request.Method);
        switch (operation)
        {
            case "/start" or "/cancel" when !post:
                return r.MethodNotAllowed("POST");
            case "/status" when !get:
                return r.MethodNotAllowed("GET");
            case not ("/start" or "/cancel" or "/status"):
                return false;
        }

        if (!await RefuseForeignCallAsync(r))
        {
            return true;
        }

        switch (operation)
        {
            case "/status":
                await StatusEndpoint.HandleAsync(r, flow, includeNext: false);
                return true;
            case "/cancel":
                await CancelEndpoint.CancelAsync(r, flow);
                return await WriteAsync(r, StatusCodes.Status200OK, w => w.WriteString("status", "cancelled"));
            default:
                return await StartAsync(r, flow);
        }
    }

    /// <summary>Whether the call may go on: with the API header and, when the browser sends one, a same-origin
    /// <c>Origin</c>; otherwise it is answered 403 here.</summary>
    public static async Task<bool> RefuseForeignCallAsync(EidRequest r)
    {
        if (IsSameOriginApiCall(r))
        {
            return true;
        }

        await ErrorAsync(r, StatusCodes.Status403Forbidden, "forbidden", "The request must come from this site's own script, with the " + IcelandicEidDefaults.ApiRequestHeader + " header.");
        return false;
    }

    private static async Task<bool> StartAsync(EidRequest r, LoginFlow flow)
    {
        string? methodName, identifier, returnUrl, attempt;
        try
        {
            if (r.Request.ContentLength > MaxBody || !(r.Request.ContentType ?? string.Empty).StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            {
                return await ErrorAsync(r, StatusCodes.Status400BadRequest, "bad-request", "Send a JSON object of at most 4 KB: {\"method\":\"sim\",\"identifier\":\"…\",\"returnUrl\":\"/…\"}.");
            }

            // At most 4 KB is read, also from a chunked body that gave no Content-Length.
            var bytes = new byte[MaxBody + 1];
            var read = 0;
            int n;
            while (read < bytes.Length && (n = await r.Request.Body.ReadAsync(bytes.AsMemory(read), r.Context.RequestAborted)) > 0)
            {
                read += n;
            }

            if (read > MaxBody)
            {
                Log.ApiRefused(r.Logger, "body over 4 KB");
                return await ErrorAsync(r, StatusCodes.Status400BadRequest, "bad-request", "The body is over 4 KB.");
            }

            using var body = JsonDocument.Parse(bytes.AsMemory(0, read));
            var root = body.RootElement;
            methodName = Text(root, "method");
            identifier = Text(root, "identifier");
            returnUrl = Text(root, "returnUrl");
            attempt = Text(root, StartAttempt.FieldName);
        }
        catch (Exception ex) when (ex is JsonException or IOException or BadHttpRequestException or InvalidOperationException)
        {
            Log.ApiRefused(r.Logger, "malformed JSON");
            return await ErrorAsync(r, StatusCodes.Status400BadRequest, "bad-request", "The body is not a JSON object.");
        }

        if (!EidNames.TryParseMethod(methodName, out var method)
            || (method == EidMethod.Sim && !r.Options.EnableSim) || (method == EidMethod.App && !r.Options.EnableApp))
        {
            Log.InvalidInput(r.Logger, "method", "not offered");
            return await ErrorAsync(r, StatusCodes.Status400BadRequest, "invalid-method", r.Texts.MethodNotAvailable);
        }

        var check = IdentifierInput.Check(method, identifier ?? string.Empty, DateOnly.FromDateTime(r.Time.GetUtcNow().UtcDateTime));
        if (!check.Valid)
        {
            Log.InvalidInput(r.Logger, method == EidMethod.Sim ? "phone" : "kennitala", check.LogReason ?? check.Problem.ToString());
            return await ErrorAsync(r, StatusCodes.Status400BadRequest, "invalid-identifier", r.Texts.ForIdentifier(check.Problem));
        }

        var safeReturnUrl = ReturnUrls.Normalize(returnUrl);
        if (!string.IsNullOrEmpty(returnUrl) && safeReturnUrl is null)
        {
            Log.ReturnUrlRefused(r.Logger);
        }

        var properties = new AuthenticationProperties { RedirectUri = safeReturnUrl ?? r.Options.DefaultReturnUrl };
        var outcome = await StartEndpoint.StartAsync(r, flow, method, check, properties, StartAttempt.Read(attempt));
        switch (outcome)
        {
            case { Waiting: { } login }:
                StatusEndpoint.Write(r, new LoginStatus("pending", r.Texts.StatusWaiting, StatusCodes.Status200OK, EidLoginSummary.From(login)), includeNext: false);
                return true;
            case StartOutcome.Sibling:
                // Another call from this browser started this identifier's login a moment ago; its answer set the
                // login cookie, so this browser reads the login with /api/status.
                return await ErrorAsync(r, StatusCodes.Status409Conflict, "already-started", r.Texts.StatusWaiting);
            case StartOutcome.Limited limited:
                return await WaitAsync(r, StatusCodes.Status429TooManyRequests, "limited", string.Format(System.Globalization.CultureInfo.InvariantCulture, r.Texts.FailureTooManyRequests, r.Texts.FormatWait(limited.Wait)), limited.Wait);
            case StartOutcome.InProgress open:
                return await WaitAsync(r, StatusCodes.Status409Conflict, "already-in-progress", string.Format(System.Globalization.CultureInfo.InvariantCulture, r.Texts.FailureLoginPending, r.Texts.FormatWait(open.Wait)), open.Wait);
            case StartOutcome.Failed failed:
                return await ErrorAsync(r, failed.Reason is EidFailureReason.Unavailable ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status502BadGateway, EidNames.ForBrowser(failed.Reason), r.Texts.ForFailure(failed.Reason));
            case StartOutcome.Unavailable:
                return await ErrorAsync(r, StatusCodes.Status503ServiceUnavailable, "unavailable", r.Texts.FailureUnavailable);
            default:
                return true;
        }
    }

    /// <summary>The finish's answer when nobody is signed in: still waiting, gone, or failed.</summary>
    internal static Task<bool> WriteFinishAnswerAsync(EidRequest r, HandleRequestResult result, bool waiting)
    {
        if (waiting)
        {
            return WriteAsync(r, StatusCodes.Status409Conflict, w =>
            {
                w.WriteString("status", "pending");
                w.WriteString("message", r.Texts.StatusWaiting);
            });
        }

        var failure = result.Failure as IcelandicEidLoginFailedException;
        var reason = failure?.Reason ?? EidFailureReason.Unavailable;
        if (failure is { LoginGone: true })
        {
            return ErrorAsync(r, StatusCodes.Status400BadRequest, "expired", r.Texts.FailureExpired);
        }

        return WriteAsync(r, reason == EidFailureReason.Unavailable ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK, w =>
        {
            w.WriteString("status", "failed");
            w.WriteString("reason", EidNames.ForBrowser(reason));
            w.WriteString("message", r.Texts.ForFailure(reason));
        });
    }

    /// <summary>The finish's answer once the person is signed in: where the app goes next.</summary>
    internal static Task<bool> WriteSignedInAsync(EidRequest r, string next)
        => WriteAsync(r, StatusCodes.Status200OK, w =>
        {
            w.WriteString("status", "signed-in");
            w.WriteString("returnUrl", next);
        });

    /// <summary>The API's cross-site request forgery check: the custom header, and a same-origin <c>Origin</c> if any.</summary>
    private static bool IsSameOriginApiCall(EidRequest r)
    {
        var request = r.Request;
        if (!request.Headers.ContainsKey(IcelandicEidDefaults.ApiRequestHeader))
        {
            Log.ApiRefused(r.Logger, "no " + IcelandicEidDefaults.ApiRequestHeader + " header");
            return false;
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !string.Equals(origin, request.Scheme + "://" + request.Host.Value, StringComparison.OrdinalIgnoreCase))
        {
            Log.ApiRefused(r.Logger, "cross-origin");
            return false;
        }

        return true;
    }

    private static string? Text(JsonElement root, string name)
        => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Task<bool> WaitAsync(EidRequest r, int status, string error, string message, TimeSpan wait)
    {
        var seconds = (int)Math.Ceiling(Math.Max(1, wait.TotalSeconds));
        r.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return WriteAsync(r, status, w =>
        {
            w.WriteString("error", error);
            w.WriteString("message", message);
            w.WriteNumber("retryAfterSeconds", seconds);
        });
    }

    private static Task<bool> ErrorAsync(EidRequest r, int status, string error, string message)
    {
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            r.Response.Headers.RetryAfter = "5";
        }

        return WriteAsync(r, status, w =>
        {
            w.WriteString("error", error);
            w.WriteString("message", message);
        });
    }

    private static Task<bool> WriteAsync(EidRequest r, int status, Action<Utf8JsonWriter> write)
    {
        JsonAnswer.Write(r, status, write, static (json, write) => write(json));
        return Task.FromResult(true);
    }
}
