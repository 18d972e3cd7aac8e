using System.Text.Json.Nodes;

namespace IcelandicEid.Audkenni;

/// <summary>What a login asks of Auðkenni's authentication tree (api_v200 family), in the tree's words.</summary>
/// <param name="ClientId">The relying party's client id.</param>
/// <param name="RelatedParty">The related party, or empty.</param>
/// <param name="Identifier">The mobile number (SIM) or kennitala (app).</param>
/// <param name="Message">The message shown on the phone (at most 60 characters).</param>
/// <param name="VChoice">Whether the app shows three codes for the person to pick the one on the page.</param>
/// <param name="ConfirmMessage">Whether the app shows the long message in a prompt.</param>
/// <param name="Hash">The login's hash, Base64: the verification code is computed from it.</param>
/// <param name="MethodLabel">The label of the method in the tree's choice list ("sim", "app").</param>
/// <param name="AppTitle">The app title, for a tree that asks for one after the eight (api_v202); null for none.</param>
internal sealed record TreeAnswers(
    string ClientId, string RelatedParty, string Identifier, string Message, bool VChoice, bool ConfirmMessage, string Hash, string MethodLabel, string? AppTitle = null);

/// <summary>Why the tree's first answer could not be filled.</summary>
internal enum CallbackProblem
{
    /// <summary>Filled.</summary>
    None,

    /// <summary>Not the callbacks the tree is documented to ask for (fewer, or of other types).</summary>
    UnexpectedShape,

    /// <summary>The method's label is not among the choices.</summary>
    MethodNotOffered,
}

/// <summary>
/// Fills the callbacks of the tree's first answer, in the documented order: client id, related party, identifier,
/// message, <c>vchoice</c>, <c>confirmMessage</c>, hash, and the method choice. The method's index differs between
/// environments, so it is looked up by its label in the choice callback's <c>choices</c>, never assumed.
/// </summary>
internal static class AudkenniCallbacks
{
    private const int Count = 8;

    public static CallbackProblem Fill(JsonObject answer, TreeAnswers values)
    {
        if (answer["callbacks"] is not JsonArray callbacks || callbacks.Count < Count
            || callbacks.Take(Count).Any(c => c?["input"] is not JsonArray { Count: > 0 } input || input[0] is not JsonObject))
        {
            return CallbackProblem.UnexpectedShape;
        }

        string[] text = [values.ClientId, values.RelatedParty, values.Identifier, values.Message, values.VChoice ? "true" : "false", values.ConfirmMessage ? "true" : "false", values.Hash];
        for (var i = 0; i < text.Length; i++)
        {
            Input(callbacks[i]!)["value"] = text[i];
        }

        var choice = callbacks[Count - 1]!;
        var choices = (choice["output"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(o => (string?)o["name"] == "choices")?["value"] as JsonArray;
        if (choice["type"]?.GetValue<string>() != "ChoiceCallback" || choices is null)
        {
            return CallbackProblem.UnexpectedShape;
        }

        var index = choices.Select(c => c?.GetValue<string>()).ToList().FindIndex(c => string.Equals(c, values.MethodLabel, StringComparison.OrdinalIgnoreCase));
        if (index < 0)
        {
            return CallbackProblem.MethodNotOffered;
        }

        Input(choice)["value"] = index;

        // A later tree's extra callback (api_v202: the app title) comes after the eight.
        if (values.AppTitle is not null)
        {
            if (callbacks.Count <= Count || callbacks[Count]?["input"] is not JsonArray { Count: > 0 } || (string?)callbacks[Count]!["type"] != "NameCallback")
            {
                return CallbackProblem.UnexpectedShape;
            }

            Input(callbacks[Count]!)["value"] = values.AppTitle;
        }

        return CallbackProblem.None;
    }

    /// <summary>The re-post that asks again whether the person has answered.</summary>
    /// <summary>The pace a tree's answer asks for: its polling callback's <c>waitTime</c> (milliseconds), when there is
    /// one with a sensible value (up to a minute); otherwise null.</summary>
    public static TimeSpan? WaitTime(JsonObject? answer)
    {
        if (answer?["callbacks"] is not JsonArray callbacks)
        {
            return null;
        }

        foreach (var callback in callbacks)
        {
            if ((string?)callback?["type"] != "PollingWaitCallback" || callback["output"] is not JsonArray output)
            {
                continue;
            }

            foreach (var item in output)
            {
                if ((string?)item?["name"] == "waitTime"
                    && int.TryParse(item["value"]?.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms)
                    && ms is > 0 and <= 60_000)
                {
                    return TimeSpan.FromMilliseconds(ms);
                }
            }
        }

        return null;
    }

    public static JsonObject Poll(string authId, int waitMilliseconds) => new()
    {
        ["authId"] = authId,
        ["callbacks"] = new JsonArray(new JsonObject
        {
            ["type"] = "PollingWaitCallback",
            ["output"] = new JsonArray(
                new JsonObject { ["name"] = "waitTime", ["value"] = waitMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                new JsonObject { ["name"] = "message", ["value"] = "templates.user.LoginTemplate.pollingwaitmessage" }),
        }),
    };

    /// <summary>Whether a message may be shown on the phone: at most 60 characters, no line break (Auðkenni's rule for
    /// <c>binding_message</c>).</summary>
    public static bool IsValidMessage(string? message)
        => message is not null && message.Length <= 60 && !message.Contains('\n', StringComparison.Ordinal) && !message.Contains('\r', StringComparison.Ordinal);

    /// <summary>Whether a long confirmation message may be shown: at most 200 characters.</summary>
    public static bool IsValidLongMessage(string? message) => message is null || message.Length <= 200;

    private static JsonObject Input(JsonNode callback) => (JsonObject)callback["input"]![0]!;
}
