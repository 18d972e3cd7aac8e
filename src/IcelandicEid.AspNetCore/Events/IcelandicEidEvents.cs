using Microsoft.AspNetCore.Authentication;

namespace IcelandicEid.AspNetCore;

/// <summary>
/// Hooks into a login. Set a delegate (<c>options.Events.OnCreatingTicket = ...</c>) or subclass and set
/// <c>options.EventsType</c>. Inherits <c>OnRemoteFailure</c>, <c>OnTicketReceived</c> and <c>OnAccessDenied</c>.
/// </summary>
public class IcelandicEidEvents : RemoteAuthenticationEvents
{
    /// <summary>Called after a login has started with the upstream, before the verification-code page.</summary>
    public Func<IcelandicEidLoginStartedContext, Task> OnLoginStarted { get; set; } = _ => Task.CompletedTask;

    /// <summary>Called when the person has approved, before sign-in: add, change or remove claims, or refuse with
    /// <c>context.Fail(...)</c>.</summary>
    public Func<IcelandicEidCreatingTicketContext, Task> OnCreatingTicket { get; set; } = _ => Task.CompletedTask;

    /// <summary>Invokes <see cref="OnLoginStarted"/>.</summary>
    public virtual Task LoginStarted(IcelandicEidLoginStartedContext context) => OnLoginStarted(context);

    /// <summary>Invokes <see cref="OnCreatingTicket"/>.</summary>
    public virtual Task CreatingTicket(IcelandicEidCreatingTicketContext context) => OnCreatingTicket(context);
}
