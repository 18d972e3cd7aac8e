using Microsoft.Extensions.Logging;

namespace IcelandicEid.AspNetCore;

/// <summary>The handler's log lines. Identifiers appear only masked; a login is named by a short hash of its id.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Icelandic eID login {Login} started with {Provider} by {Method} for {MaskedIdentifier}.")]
    public static partial void LoginStarted(ILogger logger, string login, string provider, string method, string maskedIdentifier);

    [LoggerMessage(2, LogLevel.Information, "Icelandic eID login {Login} was approved by {Provider}.")]
    public static partial void LoginApproved(ILogger logger, string login, string provider);

    [LoggerMessage(3, LogLevel.Information, "Icelandic eID login {Login} ended without success at {Provider}: {Reason} ({Detail}).")]
    public static partial void LoginFailed(ILogger logger, string login, string provider, string reason, string? detail);

    [LoggerMessage(4, LogLevel.Information, "Icelandic eID login {Login} signed in.")]
    public static partial void LoginSignedIn(ILogger logger, string login);

    [LoggerMessage(5, LogLevel.Information, "Icelandic eID start refused by {Provider} by {Method} for {MaskedIdentifier}: {Reason} ({Detail}).")]
    public static partial void StartRefused(ILogger logger, string provider, string method, string maskedIdentifier, string reason, string? detail);

    [LoggerMessage(6, LogLevel.Warning, "Icelandic eID start at {Provider} failed: the upstream could not be asked ({Reason}).")]
    public static partial void StartError(ILogger logger, string provider, string reason, Exception exception);

    [LoggerMessage(7, LogLevel.Warning, "Icelandic eID poll of login {Login} at {Provider} failed ({Errors} in a row).")]
    public static partial void PollError(ILogger logger, string login, string provider, int errors, Exception exception);

    [LoggerMessage(8, LogLevel.Information, "Icelandic eID login form rejected: {Field} is invalid ({Error}).")]
    public static partial void InvalidInput(ILogger logger, string field, string error);

    [LoggerMessage(9, LogLevel.Warning, "Icelandic eID request refused: the anti-forgery token is missing or invalid.")]
    public static partial void AntiforgeryFailed(ILogger logger, Exception? exception);

    [LoggerMessage(10, LogLevel.Warning, "Icelandic eID request refused: the login reference cookie is missing, forged or expired ({Problem}).")]
    public static partial void BadReference(ILogger logger, string problem);

    [LoggerMessage(11, LogLevel.Information, "Icelandic eID login {Login} has no state: expired, cancelled or already finished.")]
    public static partial void StateGone(ILogger logger, string login);

    [LoggerMessage(12, LogLevel.Warning, "Icelandic eID return URL refused as not local; using the default.")]
    public static partial void ReturnUrlRefused(ILogger logger);

    [LoggerMessage(13, LogLevel.Information, "Icelandic eID login {Login} cancelled by the browser.")]
    public static partial void LoginCancelled(ILogger logger, string login);

    [LoggerMessage(14, LogLevel.Warning, "Icelandic eID login {Login} refused: the upstream's answer could not be turned into claims ({Problem}).")]
    public static partial void BadIdentity(ILogger logger, string login, string problem);

    [LoggerMessage(15, LogLevel.Warning, "Icelandic eID login {Login} refused by the OnCreatingTicket event.")]
    public static partial void TicketRefused(ILogger logger, string login, Exception? exception);

    [LoggerMessage(16, LogLevel.Error, "Icelandic eID state store failed.")]
    public static partial void StoreError(ILogger logger, Exception exception);

    [LoggerMessage(17, LogLevel.Warning, "Icelandic eID protected challenge state could not be read; using the default return URL.")]
    public static partial void BadChallengeState(ILogger logger);

    [LoggerMessage(19, LogLevel.Information, "Icelandic eID start refused by the abuse limits ({Limit}) by {Method} for {MaskedIdentifier}.")]
    public static partial void StartLimited(ILogger logger, string limit, string method, string maskedIdentifier);

    [LoggerMessage(18, LogLevel.Warning, "Icelandic eID login form could not be read.")]
    public static partial void BadForm(ILogger logger, Exception exception);

    [LoggerMessage(27, LogLevel.Error, "Icelandic eID scheme {Scheme} refuses its pages over plain HTTP outside Development: serve the app over HTTPS; behind a TLS-terminating proxy, use the forwarded-headers middleware with ForwardedHeaders.XForwardedProto (trusting only the proxy's network); or, for a proxy that cannot send that header, set IcelandicEid:AllowPlainHttp to true. Logged once.")]
    public static partial void PlainHttpRefused(ILogger logger, string scheme);

    [LoggerMessage(26, LogLevel.Information, "Icelandic eID start by {Method} for {MaskedIdentifier} refused: a login from a browser that has signed in with it is pending.")]
    public static partial void StartHeld(ILogger logger, string method, string maskedIdentifier);

    [LoggerMessage(20, LogLevel.Warning, "Icelandic eID start by {Method} for {MaskedIdentifier} contests a login pending in another browser, which can no longer sign in.")]
    public static partial void LoginContested(ILogger logger, string method, string maskedIdentifier);

    [LoggerMessage(21, LogLevel.Warning, "Icelandic eID login {Login} was contested by a start in another browser and fails, approved or not.")]
    public static partial void LoginSuperseded(ILogger logger, string login);

    [LoggerMessage(22, LogLevel.Warning, "Icelandic eID login {Login} from {Provider} refused: the approving ID is not the kennitala the login was started for.")]
    public static partial void IdentityMismatch(ILogger logger, string login, string provider);

    [LoggerMessage(23, LogLevel.Warning, "Icelandic eID login {Login}: {Provider} could not withdraw the request on the phone.")]
    public static partial void UpstreamCancelFailed(ILogger logger, string login, string provider, Exception exception);

    [LoggerMessage(24, LogLevel.Warning, "Icelandic eID login failed unexpectedly; the person is asked to try again.")]
    public static partial void UnexpectedFailure(ILogger logger, Exception? exception);

    [LoggerMessage(25, LogLevel.Information, "Icelandic eID JSON API request refused: {Problem}.")]
    public static partial void ApiRefused(ILogger logger, string problem);

    [LoggerMessage(28, LogLevel.Warning, "Icelandic eID scheme {Scheme} has no ServiceName: its pages name the site's host and the phone names nobody. Set IcelandicEid:ServiceName to the name people know the service by.")]
    public static partial void NoServiceName(ILogger logger, string scheme);
}
