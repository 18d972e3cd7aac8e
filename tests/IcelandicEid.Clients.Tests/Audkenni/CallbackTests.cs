using System.Text.Json.Nodes;
using IcelandicEid.Audkenni;

namespace IcelandicEid.Tests.Audkenni;

/// <summary>The tree's first answer, in the shape of ForgeRock's REST authentication (NameCallbacks with a prompt, then
/// a ChoiceCallback), filled as the api_v200 family documents.</summary>
public class CallbackTests
{
    private static readonly TreeAnswers Answers = new("client-1", "", "8881234", "Innskráning hjá Einingu", false, false, "AAECAw==", "sim");

    [Theory]
    [InlineData(new[] { "app", "sim", "card" }, 1)]
    [InlineData(new[] { "sim", "app" }, 0)] // another environment, another order: looked up by label
    public void The_callbacks_are_filled_in_order_and_the_method_is_chosen_by_its_label(string[] choices, int expected)
    {
        var answer = FirstAnswer(choices);
        Assert.Equal(CallbackProblem.None, AudkenniCallbacks.Fill(answer, Answers));
        var values = answer["callbacks"]!.AsArray().Select(c => c!["input"]![0]!["value"]!.ToJsonString()).ToList();
        Assert.Equal(["\"client-1\"", "\"\"", "\"8881234\"", "\"Innskráning hjá Einingu\"", "\"false\"", "\"false\"", "\"AAECAw==\"", expected.ToString(System.Globalization.CultureInfo.InvariantCulture)], values.Select(v => System.Text.RegularExpressions.Regex.Unescape(v)));
    }

    [Fact]
    public void An_answer_of_another_shape_or_without_the_method_is_refused_not_guessed()
    {
        Assert.Equal(CallbackProblem.MethodNotOffered, AudkenniCallbacks.Fill(FirstAnswer(["app", "card"]), Answers));
        var short_ = FirstAnswer(["sim"]);
        short_["callbacks"]!.AsArray().RemoveAt(3);
        Assert.Equal(CallbackProblem.UnexpectedShape, AudkenniCallbacks.Fill(short_, Answers));
        Assert.Equal(CallbackProblem.UnexpectedShape, AudkenniCallbacks.Fill(new JsonObject { ["authId"] = "x" }, Answers));
    }

    [Fact]
    public void Messages_on_the_phone_follow_Audkennis_limits()
    {
        Assert.True(AudkenniCallbacks.IsValidMessage(new string('a', 60)));
        Assert.False(AudkenniCallbacks.IsValidMessage(new string('a', 61)));
        Assert.False(AudkenniCallbacks.IsValidMessage("two\nlines"));
        Assert.True(AudkenniCallbacks.IsValidLongMessage(new string('a', 200)));
        Assert.False(AudkenniCallbacks.IsValidLongMessage(new string('a', 201)));
        var poll = AudkenniCallbacks.Poll("auth-id", 5000);
        Assert.Equal("PollingWaitCallback", (string?)poll["callbacks"]![0]!["type"]);
        Assert.Equal("auth-id", (string?)poll["authId"]);
    }

    private static JsonObject FirstAnswer(string[] choices)
    {
        string[] prompts = ["Sláðu inn clientId", "Sláðu inn Related Party", "Sláðu inn símanúmer eða kennitölu", "Sláðu inn skilaboð til notanda", "Nota vchoice (true eða false)", "Nota confirmMessage (true eða false)", "Sláðu inn Hash gildi"];
        var callbacks = new JsonArray();
        var id = 1;
        foreach (var prompt in prompts)
        {
            callbacks.Add(new JsonObject
            {
                ["type"] = "NameCallback",
                ["output"] = new JsonArray(new JsonObject { ["name"] = "prompt", ["value"] = prompt }),
                ["input"] = new JsonArray(new JsonObject { ["name"] = $"IDToken{id++}", ["value"] = "" }),
            });
        }

        callbacks.Add(new JsonObject
        {
            ["type"] = "ChoiceCallback",
            ["output"] = new JsonArray(
                new JsonObject { ["name"] = "prompt", ["value"] = "Veldu auðkenningarleið" },
                new JsonObject { ["name"] = "choices", ["value"] = new JsonArray(choices.Select(c => (JsonNode)JsonValue.Create(c)!).ToArray()) },
                new JsonObject { ["name"] = "defaultChoice", ["value"] = 0 }),
            ["input"] = new JsonArray(new JsonObject { ["name"] = $"IDToken{id}", ["value"] = 0 }),
        });
        return new JsonObject { ["authId"] = "eyJ0eXAiOiJKV1QifQ.e30.sig", ["callbacks"] = callbacks };
    }
}
