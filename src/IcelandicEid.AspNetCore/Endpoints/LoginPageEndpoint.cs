using IcelandicEid.AspNetCore.Flow;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using IcelandicEid.State;
using IcelandicEid.AspNetCore.Http;

namespace IcelandicEid.AspNetCore.Endpoints;

/// <summary><c>GET {BasePath}/login</c>: the form where the person enters a phone number or kennitala.</summary>
internal static class LoginPageEndpoint
{
    public static async Task<bool> HandleAsync(EidRequest r, bool providerCancels)
    {
        var state = r.Request.Query["state"].ToString();
        try
        {
            if (state.Length == 0 || r.Options.StateDataFormat.Unprotect(state) is null)
            {
                if (state.Length > 0)
                {
                    Log.BadChallengeState(r.Logger);
                }

                var given = r.Request.Query[r.Options.ReturnUrlParameter].ToString();
                var returnUrl = ReturnUrls.Normalize(given);
                if (given.Length > 0 && returnUrl is null)
                {
                    Log.ReturnUrlRefused(r.Logger);
                }

                state = r.Options.StateDataFormat.Protect(new AuthenticationProperties { RedirectUri = returnUrl ?? r.Options.DefaultReturnUrl });
            }

            // Tabs of one browser share this id, so that two near-simultaneous starts join one login.
            var browser = r.ReadBrowser();
            if (browser.IsNew)
            {
                r.WriteBrowser(browser);
            }

            // Back after logging in lands here: say so and offer the way on, never the bare form as if nothing happened.
            if (r.Request.Query["again"] != "1" && await r.IsSignedInAsync())
            {
                var target = r.Options.StateDataFormat.Unprotect(state)?.RedirectUri is { } redirect && ReturnUrls.Normalize(redirect) is { } local
                    ? local
                    : r.PathBase + r.Options.DefaultReturnUrl;
                await Pages.SignedInAsync(r, target, state);
                return true;
            }

            var notice = r.Request.Query["notice"].ToString() switch
            {
                "cancelled" => providerCancels ? r.Texts.CancelledHere : r.Texts.CancelledIgnorePhone,
                "contested" => r.Texts.StartHereNotice,
                _ => null,
            };

            return await Pages.LoginAsync(r, StatusCodes.Status200OK, state, notice: notice);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not IOException)
        {
            // The data-protection key ring could not be read (its store is down): "try again", never a 500.
            Log.StoreError(r.Logger, ex);
            if (r.Response.HasStarted)
            {
                return true;
            }

            r.Response.Clear();
            return await Pages.UnavailableAsync(r);
        }
    }
}
