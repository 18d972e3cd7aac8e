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

            string? notice = null;
            if (r.Request.Query["notice"] == "cancelled")
            {
                notice = providerCancels ? r.Texts.FailureCancelled : r.Texts.CancelledIgnorePhone;
            }

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
