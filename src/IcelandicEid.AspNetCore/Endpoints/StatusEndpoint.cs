using IcelandicEid.AspNetCore.Flow;
using IcelandicEid.AspNetCore.Http;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Endpoints;

/// <summary>The status of this browser's login as the pages and the JSON API see it.</summary>
internal readonly record struct LoginStatus(string Status, string Message, int StatusCode, EidLoginSummary? Login);

/// <summary><c>GET {BasePath}/status</c>: asked every second or so by every waiting tab. The hot path: one store call that
/// reads the summary and takes the poll lease when a poll is due; the whole (encrypted) state is read only to poll.</summary>
internal static class StatusEndpoint
{
    // The answer's names, encoded once.
    private static readonly JsonEncodedText s_status = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText s_message = JsonEncodedText.Encode("message");
    private static readonly JsonEncodedText s_method = JsonEncodedText.Encode("method");
    private static readonly JsonEncodedText s_code = JsonEncodedText.Encode("verificationCode");
    private static readonly JsonEncodedText s_secondsLeft = JsonEncodedText.Encode("secondsLeft");
    private static readonly JsonEncodedText s_retryAfterMs = JsonEncodedText.Encode("retryAfterMs");
    private static readonly JsonEncodedText s_reason = JsonEncodedText.Encode("reason");
    private static readonly JsonEncodedText s_next = JsonEncodedText.Encode("next");

    /// <summary>Reads this browser's login cookie and answers with the flow's status as JSON: the hot path.</summary>
    /// <param name="r">The request.</param>
    /// <param name="flow">The login flow.</param>
    /// <param name="includeNext">Whether an ended login's answer says where to go next (the pages' script follows it;
    /// the JSON API finishes through its own operation).</param>
    public static async Task<bool> HandleAsync(EidRequest r, LoginFlow flow, bool includeNext)
    {
        var outcome = r.ReadReference(out var id) switch
        {
            ReferenceProblem.None => await flow.StatusAsync(id),
            ReferenceProblem.Gone => new StatusOutcome.Gone(),
            ReferenceProblem.StoreFailed => new StatusOutcome.Unavailable(),
            _ => null, // no cookie, or a forged one
        };
        Write(r, Answer(r, outcome), includeNext);
        return true;
    }

    private static LoginStatus Answer(EidRequest r, StatusOutcome? outcome)
    {
        var texts = r.Texts;
        return outcome switch
        {
            StatusOutcome.Pending pending => new("pending", texts.StatusWaiting, StatusCodes.Status200OK, pending.Login),
            StatusOutcome.Succeeded succeeded => new("succeeded", texts.StatusSucceeded, StatusCodes.Status200OK, succeeded.Login),
            StatusOutcome.Failed failed => new("failed", texts.ForFailure(failed.Reason), StatusCodes.Status200OK, failed.Login),
            StatusOutcome.Gone => new("expired", r.ReferenceTimedOut() ? texts.FailureTimedOut : texts.FailureExpired, StatusCodes.Status200OK, null),
            StatusOutcome.Unavailable => new("unavailable", texts.FailureUnavailable, StatusCodes.Status503ServiceUnavailable, null),
            _ => new("invalid", texts.FailureExpired, StatusCodes.Status400BadRequest, null),
        };
    }

    /// <summary>Writes the status as JSON.</summary>
    public static void Write(EidRequest r, LoginStatus status, bool includeNext)
    {
        if (status.StatusCode == StatusCodes.Status503ServiceUnavailable)
        {
            r.Response.Headers.RetryAfter = "5";
        }

        JsonAnswer.Write(r, status.StatusCode, (r, status, includeNext), static (json, s) =>
        {
            var (r, status, includeNext) = s;
            json.WriteString(s_status, status.Status);
            json.WriteString(s_message, status.Message);
            if (status.Login is { } login)
            {
                json.WriteString(s_method, EidNames.Of(login.Method));
                json.WriteString(s_code, login.VerificationCode ?? string.Empty);
                json.WriteNumber(s_secondsLeft, r.SecondsLeft(login.ExpiresAt));
                if (login.Status == EidLoginStatus.Pending)
                {
                    var wait = Math.Min((login.NextPollAt - r.Time.GetUtcNow()).TotalMilliseconds, login.PollInterval.TotalMilliseconds);
                    json.WriteNumber(s_retryAfterMs, (int)Math.Ceiling(Math.Max(wait, r.Options.StatusRefreshInterval.TotalMilliseconds)));
                }
                else if (login.Status == EidLoginStatus.Failed)
                {
                    json.WriteString(s_reason, EidNames.ForBrowser(login.FailureReason ?? EidFailureReason.Other));
                }
            }

            if (includeNext && status.Status != "pending")
            {
                json.WriteString(s_next, r.FinishUrl);
            }
        });
    }
}
