using IcelandicEid.AspNetCore.Flow;
using IcelandicEid.AspNetCore.Http;
using IcelandicEid.AspNetCore.Ui;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Endpoints;

/// <summary><c>GET {BasePath}/verify</c>: the verification code, live status, countdown and cancel button.</summary>
internal static class VerifyEndpoint
{
    public static async Task<bool> HandleAsync(EidRequest r, LoginFlow flow)
    {
        var (login, problem) = await r.LoadLoginAsync(flow);
        if (login is null)
        {
            return problem == ReferenceProblem.StoreFailed ? await Pages.UnavailableAsync(r) : await Pages.NoLoginAsync(r);
        }

        login = await flow.RefreshAsync(login);
        if (login.IsCompleted)
        {
            return r.SeeOther(r.FinishUrl);
        }

        await Pages.RenderAsync(r, Pages.WithAntiforgery(r, IcelandicEidPageKind.Verify) with
        {
            Method = login.Method,
            SentTo = Preferences.Masked(login.Method, login.Identifier),
            SentToEnding = login.Identifier.Length >= 7 ? login.Identifier[^2..] : null,
            VerificationCode = login.VerificationCode,
            VerifyUrl = r.HandlerUrl(IcelandicEidDefaults.VerifySubPath),
            SecondsLeft = r.SecondsLeft(login.ExpiresAt),
            StatusUrl = r.HandlerUrl(IcelandicEidDefaults.StatusSubPath),
            FinishUrl = r.FinishUrl,
            CancelUrl = r.HandlerUrl(IcelandicEidDefaults.CancelSubPath),
            RefreshMilliseconds = (int)r.Options.StatusRefreshInterval.TotalMilliseconds,
        }, antiforgery: true);
        return true;
    }
}
