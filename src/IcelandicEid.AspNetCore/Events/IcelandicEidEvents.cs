using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace IcelandicEid.AspNetCore;

/// <summary>
/// Hooks into a login. Set a delegate (<c>options.Events.OnCreatingTicket = ...</c>) or subclass and set
/// <c>options.EventsType</c>. Inherits <c>OnRemoteFailure</c>, <c>OnTicketReceived</c> and <c>OnAccessDenied</c>.
/// </summary>
public class IcelandicEidEvents : RemoteAuthenticationEvents
{
    /// <summary>Creates the events; <c>OnRemoteFailure</c> shows the built-in failure page.</summary>
    public IcelandicEidEvents() => OnRemoteFailure = RenderFailurePageAsync;

    /// <summary>
    /// The default <c>OnRemoteFailure</c>: shows the failure page for the login's <see cref="IcelandicEidLoginFailedException"/>
    /// (or "try again shortly" for anything else) through the registered <c>IIcelandicEidPageRenderer</c>, and marks
    /// the response handled. An app that replaces <c>OnRemoteFailure</c> can call this for the cases it leaves alone;
    /// a replacement that handles nothing makes the base class throw, as with every remote handler.
    /// </summary>
    /// <param name="context">The failure.</param>
    /// <returns>A task that completes when the page is written.</returns>
    public static Task RenderFailurePageAsync(RemoteFailureContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.HttpContext.RequestServices.GetRequiredService<IEidFailurePages>().RenderAsync(context);
    }

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
