namespace IcelandicEid.AspNetCore.Flow;

/// <summary>The one spelling of method and failure-reason names, used alike in logs, metrics, JSON and pages.</summary>
internal static class EidNames
{
    public const string Sim = "sim";
    public const string App = "app";

    public static string Of(EidMethod method) => method == EidMethod.Sim ? Sim : App;

    public static bool TryParseMethod(string? value, out EidMethod method)
    {
        switch (value)
        {
            case Sim:
                method = EidMethod.Sim;
                return true;
            case App:
                method = EidMethod.App;
                return true;
            default:
                method = default;
                return false;
        }
    }

    /// <summary>The operator's name of a reason (logs, metrics): every reason apart.</summary>
    public static string Of(EidFailureReason reason) => reason switch
    {
        EidFailureReason.Cancelled => "cancelled",
        EidFailureReason.TimedOut => "timed-out",
        EidFailureReason.NotFound => "not-found",
        EidFailureReason.Blocked => "blocked",
        EidFailureReason.UpstreamError => "upstream-error",
        EidFailureReason.Unavailable => "unavailable",
        EidFailureReason.AlreadyInProgress => "already-in-progress",
        EidFailureReason.Contested => "contested",
        EidFailureReason.IdentityMismatch => "identity-mismatch",
        EidFailureReason.NotVerified => "not-verified",
        EidFailureReason.FinishFailed => "finish-failed",
        _ => "other",
    };

    /// <summary>The metrics' name of a poll's outcome.</summary>
    public static string Of(EidPollStatus status) => status switch
    {
        EidPollStatus.Pending => "pending",
        EidPollStatus.Succeeded => "succeeded",
        _ => "failed",
    };

    /// <summary>The browser's name of a reason (JSON): the page's cases, so that an app can say what the page says
    /// (no request could be sent, an ID locked by wrong PINs); anything else is <c>failed</c>.</summary>
    public static string ForBrowser(EidFailureReason reason) => reason switch
    {
        EidFailureReason.Other => "failed",
        _ => Of(reason),
    };
}
