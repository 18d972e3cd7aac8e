using Microsoft.AspNetCore.Authentication;

namespace IcelandicEid.AspNetCore;

/// <summary>The built-in failure pages, as a service: what the default <c>OnRemoteFailure</c> shows, so that the events
/// reach the pages through the app's services instead of naming an endpoint.</summary>
internal interface IEidFailurePages
{
    /// <summary>Shows the page for the failure and marks the response handled.</summary>
    Task RenderAsync(RemoteFailureContext context);
}
