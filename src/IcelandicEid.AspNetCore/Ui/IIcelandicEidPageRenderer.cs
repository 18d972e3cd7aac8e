using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace IcelandicEid.AspNetCore.Ui;

/// <summary>Which of the handler's pages is being shown.</summary>
public enum IcelandicEidPageKind
{
    /// <summary>The form where the person enters a phone number or kennitala.</summary>
    Login,

    /// <summary>The verification code, live status, countdown and cancel button.</summary>
    Verify,

    /// <summary>A login that ended without success, or a bad or expired request, with a way to try again.</summary>
    Failure,

    /// <summary>The login address asked for by a person who is already logged in (Back after logging in): a way on to
    /// the site, and a way to log in again.</summary>
    SignedIn,
}

/// <summary>Everything a page needs. All URLs are relative to the site and already include the path base.</summary>
public sealed record IcelandicEidPageModel
{
    /// <summary>The page.</summary>
    public required IcelandicEidPageKind Kind { get; init; }

    /// <summary>The HTTP status code the page is sent with.</summary>
    public int StatusCode { get; init; } = StatusCodes.Status200OK;

    /// <summary>The words, in the request's language.</summary>
    public required IcelandicEidTexts Texts { get; init; }

    /// <summary>The scheme's display name.</summary>
    public string? DisplayName { get; init; }

    /// <summary>Who is asking (<c>IcelandicEidOptions.ServiceName</c>).</summary>
    public string? ServiceName { get; init; }

    /// <summary>The service's logo, if any.</summary>
    public string? LogoUrl { get; init; }

    /// <summary>The way back to the site.</summary>
    public string? HomeUrl { get; init; }

    /// <summary>The help link.</summary>
    public string? HelpUrl { get; init; }

    /// <summary>This page (or, for a failure, the form) in the other language (<see cref="IcelandicEidTexts.OtherLanguage"/>).</summary>
    public string? LanguageSwitchUrl { get; init; }

    /// <summary>The script that drives the verification page (no inline script is used).</summary>
    public required string ScriptUrl { get; init; }

    /// <summary>The built-in stylesheet.</summary>
    public required string StylesheetUrl { get; init; }

    /// <summary>An extra stylesheet of the host app (<c>IcelandicEidOptions.StylesheetPath</c>), if any.</summary>
    public string? ExtraStylesheetUrl { get; init; }

    /// <summary>Name of the anti-forgery form field.</summary>
    public string? AntiforgeryFieldName { get; init; }

    /// <summary>Value of the anti-forgery form field.</summary>
    public string? AntiforgeryToken { get; init; }

    /// <summary>Login: where the forms post.</summary>
    public string? StartUrl { get; init; }

    /// <summary>Login: the protected challenge state to post back.</summary>
    public string? State { get; init; }

    /// <summary>Login: a random value of this rendering of the form, posted back in a hidden field named
    /// <c>attempt</c>. Only a post that carries the same value joins a login this form already started (a double
    /// click); a custom page that leaves it out still works, without that join.</summary>
    public string? Attempt { get; init; }

    /// <summary>Login: whether SIM login is offered.</summary>
    public bool SimEnabled { get; init; }

    /// <summary>Login: whether app login is offered.</summary>
    public bool AppEnabled { get; init; }

    /// <summary>Login: the method of the form that had an error.</summary>
    public EidMethod? ErrorMethod { get; init; }

    /// <summary>Login: what the person had entered (after an error, or after cancelling).</summary>
    public string? EnteredValue { get; init; }

    /// <summary>Login: the method chosen first: the one with an error, the one last used in this browser, or SIM.</summary>
    public EidMethod? PreferredMethod { get; init; }

    /// <summary>Login: the error message for the form, or a general message.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>A notice that is not an error, for example that a request left on the phone can be ignored.</summary>
    public string? Notice { get; init; }

    /// <summary>Verify: SIM or app.</summary>
    public EidMethod Method { get; init; }

    /// <summary>Verify: where the request went, masked ("888 ••34", "2410••-••79").</summary>
    public string? SentTo { get; init; }

    /// <summary>Verify: the code, digits or emojis; may be empty.</summary>
    public string? VerificationCode { get; init; }

    /// <summary>Verify: seconds until the login expires.</summary>
    public int SecondsLeft { get; init; }

    /// <summary>Verify: the JSON status endpoint.</summary>
    public string? StatusUrl { get; init; }

    /// <summary>Verify: where the browser goes once the login has ended.</summary>
    public string? FinishUrl { get; init; }

    /// <summary>Verify: the page itself, for the "check now" button shown without JavaScript.</summary>
    public string? VerifyUrl { get; init; }

    /// <summary>Verify: where the cancel button posts.</summary>
    public string? CancelUrl { get; init; }

    /// <summary>Verify: how often the page asks for the status, in milliseconds.</summary>
    public int RefreshMilliseconds { get; init; }

    /// <summary>Failure: why, when a login ended; <see langword="null"/> for a bad or expired request.</summary>
    public EidFailureReason? FailureReason { get; init; }

    /// <summary>Failure: the message.</summary>
    public string? Message { get; init; }

    /// <summary>Failure: where "try again" leads; <see langword="null"/> when trying again cannot work yet.</summary>
    public string? RetryUrl { get; init; }

    /// <summary>Failure: the title, its own for each outcome; <see langword="null"/> for
    /// <see cref="IcelandicEidTexts.TitleFor"/> of <see cref="FailureReason"/>.</summary>
    public string? Title { get; init; }

    /// <summary>Failure: whether it is an error (shown as an alert) rather than something to wait out or act on.</summary>
    public bool IsError { get; init; } = true;

    /// <summary>Failure: the words of the "try again" link; <see langword="null"/> for <see cref="IcelandicEidTexts.TryAgain"/>.</summary>
    public string? RetryText { get; init; }

    /// <summary>Signed in: where the person goes on to.</summary>
    public string? ContinueUrl { get; init; }

    /// <summary>Verify: the last digits of the phone number or kennitala, for screen readers (the masked form is read as
    /// bullets).</summary>
    public string? SentToEnding { get; init; }
}

/// <summary>
/// Writes the handler's pages. Register your own implementation (<c>services.AddSingleton&lt;IIcelandicEidPageRenderer, MyRenderer&gt;()</c>)
/// to use the host app's look, or derive from <see cref="DefaultIcelandicEidPageRenderer"/> and override its layout.
/// </summary>
public interface IIcelandicEidPageRenderer
{
    /// <summary>Writes <paramref name="page"/> to the response, status code included.</summary>
    Task RenderAsync(HttpContext context, AuthenticationScheme scheme, IcelandicEidPageModel page);
}
