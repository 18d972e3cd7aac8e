using IcelandicEid.AspNetCore.Flow;
using IcelandicEid.AspNetCore.Http;
using Microsoft.AspNetCore.Authentication;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Endpoints;

/// <summary><c>POST {BasePath}/cancel</c>: the person's own cancel. Back to the form, keeping the return URL.</summary>
internal static class CancelEndpoint
{
    public static async Task<bool> HandleAsync(EidRequest r, LoginFlow flow)
    {
        if (!await r.IsAntiforgeryValidAsync())
        {
            return await Pages.ExpiredAsync(r, FailureView.FormExpired);
        }

        var state = await CancelAsync(r, flow);
        return r.SeeOther(r.LoginUrl(state) + (state is null ? "?" : "&") + "notice=cancelled");
    }

    /// <summary>Cancels this browser's login, if any; returns the protected state of where the person was going.</summary>
    public static async Task<string?> CancelAsync(EidRequest r, LoginFlow flow)
    {
        var (login, _) = await r.LoadLoginAsync(flow);
        AuthenticationProperties? properties = null;
        if (login is not null)
        {
            await flow.CancelAsync(login);
            properties = LoginProperties.Read(login, r.Options.DefaultReturnUrl);
        }
        else if (r.ReturnUrlFromReference() is { } returnUrl)
        {
            properties = new AuthenticationProperties { RedirectUri = returnUrl };
        }

        r.DeleteLoginCookie();
        return properties is null ? null : r.ProtectStateOrNull(properties);
    }
}
