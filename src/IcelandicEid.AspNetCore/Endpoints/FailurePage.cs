using IcelandicEid.AspNetCore.Flow;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using IcelandicEid.State;
using IcelandicEid.AspNetCore.Http;

namespace IcelandicEid.AspNetCore.Endpoints;

/// <summary>
/// The failure page: what <c>OnRemoteFailure</c> shows by default, for a login that ended without success at the
/// finish (raised by the base class) or at the start (raised here the same way).
/// </summary>
internal sealed class FailurePage : IEidFailurePages
{
    /// <inheritdoc />
    public Task RenderAsync(RemoteFailureContext context) => RenderDefaultAsync(context);

    /// <summary>A start that failed: raises <c>OnRemoteFailure</c> and shows the page unless the app's event answered.</summary>
    public static async Task<bool> RenderAsync(EidRequest r, EidFailureReason reason, AuthenticationProperties properties, string? state, EidMethod? method = null)
    {
        var context = new RemoteFailureContext(r.Context, r.Scheme, r.Options, new IcelandicEidLoginFailedException(reason)) { Properties = properties };
        await r.Options.Events.RemoteFailure(context);
        if (context.Result is { } result)
        {
            return result.Handled || !result.Skipped;
        }

        return await ShowAsync(r, reason, state ?? r.ProtectStateOrNull(properties), method);
    }

    /// <summary>The default <c>OnRemoteFailure</c>: the page for the failure, and the response handled.</summary>
    public static async Task RenderDefaultAsync(RemoteFailureContext context)
    {
        var services = context.HttpContext.RequestServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<IcelandicEidHandler>();
        var r = new EidRequest(context.HttpContext, context.Scheme, (IcelandicEidOptions)context.Options, logger);
        var properties = context.Properties ?? r.DefaultProperties();
        r.Response.Clear();
        switch (context.Failure)
        {
            case IcelandicEidLoginFailedException { LoginGone: true }:
                await Pages.NoLoginAsync(r);
                break;
            case IcelandicEidLoginFailedException failed:
                await ShowAsync(r, failed.Reason, r.ProtectStateOrNull(properties));
                break;
            default:
                // Anything unexpected reads as "try again shortly", never as a server error page.
                Log.UnexpectedFailure(logger, context.Failure);
                await Pages.UnavailableAsync(r, r.ProtectStateOrNull(properties));
                break;
        }

        context.HandleResponse();
    }

    private static Task<bool> ShowAsync(EidRequest r, EidFailureReason reason, string? state, EidMethod? method = null)
        => Pages.FailureAsync(
            r,
            reason switch
            {
                EidFailureReason.Unavailable => StatusCodes.Status503ServiceUnavailable,
                EidFailureReason.UpstreamError or EidFailureReason.FinishFailed => StatusCodes.Status502BadGateway,
                _ => StatusCodes.Status200OK,
            },
            FailureView.Of(reason, method),
            state);
}
