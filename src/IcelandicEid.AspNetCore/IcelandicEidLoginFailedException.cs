using Microsoft.AspNetCore.Authentication;

namespace IcelandicEid.AspNetCore;

/// <summary>A login that ended without success; the failure passed to <c>OnRemoteFailure</c>.</summary>
public class IcelandicEidLoginFailedException : AuthenticationFailureException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why the login did not succeed.</param>
    /// <param name="innerException">What the app's <c>OnCreatingTicket</c> refused with, if that was why.</param>
    public IcelandicEidLoginFailedException(EidFailureReason reason, Exception? innerException = null)
        : base("The Icelandic eID login did not succeed: " + reason + ".", innerException) => Reason = reason;

    /// <summary>Why.</summary>
    public EidFailureReason Reason { get; }

    /// <summary>True when there was no login to finish at all: it expired, was already finished (another tab, the Back
    /// button) or the browser's reference was missing or not genuine.</summary>
    public bool LoginGone { get; init; }
}
