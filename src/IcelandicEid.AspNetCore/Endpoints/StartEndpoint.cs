using IcelandicEid.AspNetCore.Flow;
using IcelandicEid.AspNetCore.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Endpoints;

/// <summary><c>POST {BasePath}/start</c>: the login form's submit. Reads and checks the form, then lets
/// <see cref="LoginStarter"/> decide, and turns its outcome into a redirect or a page.</summary>
internal static class StartEndpoint
{
    public static async Task<bool> HandleAsync(EidRequest r, LoginFlow flow)
    {
        IFormCollection form;
        try
        {
            if (!r.Request.HasFormContentType)
            {
                return await Pages.LoginAsync(r, StatusCodes.Status400BadRequest, null, error: r.Texts.FormExpired);
            }

            form = await r.Request.ReadFormAsync(r.Context.RequestAborted);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or BadHttpRequestException)
        {
            Log.BadForm(r.Logger, ex);
            return await Pages.LoginAsync(r, StatusCodes.Status400BadRequest, null, error: r.Texts.FormExpired);
        }

        var state = form["state"].ToString();
        AuthenticationProperties? properties;
        try
        {
            properties = state.Length > 0 ? r.Options.StateDataFormat.Unprotect(state) : null;
            if (properties is null)
            {
                if (state.Length > 0)
                {
                    Log.BadChallengeState(r.Logger);
                }

                properties = r.DefaultProperties();
                state = r.Options.StateDataFormat.Protect(properties);
            }

            if (!await r.IsAntiforgeryValidAsync())
            {
                return await Pages.LoginAsync(r, StatusCodes.Status400BadRequest, state, error: r.Texts.FormExpired);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The data-protection key ring could not be read (its store is down): "try again", never a 500.
            Log.StoreError(r.Logger, ex);
            return await Pages.UnavailableAsync(r);
        }

        if (!EidNames.TryParseMethod(form["method"].ToString(), out var method)
            || (method == EidMethod.Sim && !r.Options.EnableSim) || (method == EidMethod.App && !r.Options.EnableApp))
        {
            Log.InvalidInput(r.Logger, "method", "not offered");
            return await Pages.LoginAsync(r, StatusCodes.Status400BadRequest, state, error: r.Texts.MethodNotAvailable);
        }

        // The page's form has a field per method; a programmatic post may send "identifier".
        var entered = form[method == EidMethod.Sim ? "phone" : "kennitala"].ToString();
        if (entered.Length == 0)
        {
            entered = form["identifier"].ToString();
        }

        Preferences.RememberMethod(r.Context, method);
        var check = IdentifierInput.Check(method, entered, DateOnly.FromDateTime(r.Time.GetUtcNow().UtcDateTime));
        if (!check.Valid)
        {
            Log.InvalidInput(r.Logger, method == EidMethod.Sim ? "phone" : "kennitala", check.LogReason ?? check.Problem.ToString());
            return await Pages.LoginAsync(r, StatusCodes.Status400BadRequest, state, method, entered.Length > 64 ? null : entered, r.Texts.ForIdentifier(check.Problem));
        }

        var outcome = await StartAsync(r, flow, method, check, properties, StartAttempt.Read(form[StartAttempt.FieldName].ToString()));
        if (outcome is not StartOutcome.Unavailable)
        {
            // For the form to come back filled in after a cancel or a failure; encrypted, and gone with the login.
            // It outlives the login a little, so that "try again" after a time-out is filled in too.
            Preferences.RememberEntered(r.Context, r.EnteredProtector, method, check.Identifier, r.Options.RemoteAuthenticationTimeout + EnteredGrace);
        }

        return await RespondAsync(r, outcome, properties, state, method);
    }

    /// <summary>The start itself, shared with the JSON API.</summary>
    public static async Task<StartOutcome> StartAsync(EidRequest r, LoginFlow flow, EidMethod method, IdentifierCheck check, AuthenticationProperties properties, string? attempt)
    {
        var ownProblem = r.ReadReference(out var ownId, quiet: true);
        BrowserIdentity browser;
        try
        {
            browser = r.ReadBrowser();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreError(r.Logger, ex);
            return new StartOutcome.Unavailable();
        }

        var input = new StartInput(
            method, check.Identifier, check.Masked, LoginProperties.Serialize(properties), browser, r.Context.Connection.RemoteIpAddress,
            ownProblem == ReferenceProblem.None ? ownId : null, ownProblem == ReferenceProblem.StoreFailed, r.Texts.Language, attempt);
        var outcome = await flow.StartAsync(input, r.Context.RequestAborted);
        if (browser.IsNew && outcome is not StartOutcome.Unavailable)
        {
            r.WriteBrowser(browser);
        }

        switch (outcome)
        {
            case StartOutcome.Joined joined:
                // A second tab or a re-click: the same login, the same code.
                r.WriteLoginCookie(joined.Login, LoginProperties.Read(joined.Login, r.Options.DefaultReturnUrl).RedirectUri);
                break;
            case StartOutcome.Started started:
                r.WriteLoginCookie(started.Login, properties.RedirectUri);
                await ((IcelandicEidEvents)r.Options.Events).LoginStarted(
                    new IcelandicEidLoginStartedContext(r.Context, r.Scheme, r.Options, properties, method, flow.Provider.Name));
                break;
        }

        return outcome;
    }

    /// <summary>How long what was entered is kept after the login's own time, for "try again" after a time-out.</summary>
    private static readonly TimeSpan EnteredGrace = TimeSpan.FromMinutes(15);

    private static Task<bool> RespondAsync(EidRequest r, StartOutcome outcome, AuthenticationProperties properties, string state, EidMethod method) => outcome switch
    {
        StartOutcome.Started or StartOutcome.Joined or StartOutcome.Resumed or StartOutcome.Sibling => Task.FromResult(r.SeeOther(r.HandlerUrl(IcelandicEidDefaults.VerifySubPath))),
        StartOutcome.Limited limited => Pages.WaitAsync(r, StatusCodes.Status429TooManyRequests, FailureView.TooMany(limited.Limit, method, r.Time.GetUtcNow() + limited.Wait), limited.Wait, state),

        // The upstream will not send a second request while one is open: say so, and when the open one ends at the latest.
        StartOutcome.InProgress open => Pages.WaitAsync(r, StatusCodes.Status409Conflict, FailureView.Pending(r.Time.GetUtcNow() + open.Wait), open.Wait, state),
        StartOutcome.Unavailable => Pages.UnavailableAsync(r, state),
        StartOutcome.Failed failed => FailurePage.RenderAsync(r, failed.Reason, properties, state, method),
        _ => Task.FromResult(true),
    };
}
