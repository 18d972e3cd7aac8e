using System.Globalization;
using System.Text.Json;

namespace IcelandicEid.Http;

/// <summary>Lenient reading of upstream JSON: property names in any case, numbers or strings where either may come,
/// missing optional fields. What cannot be read at all is an <see cref="UpstreamFormatException"/>.</summary>
internal static class LenientJson
{
    /// <summary>Parses a body that must be a JSON object.</summary>
    public static JsonElement ParseObject(string body, string what)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            throw new UpstreamFormatException($"The upstream's {what} answer was empty.");
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new UpstreamFormatException($"The upstream's {what} answer was JSON but not an object.");
            }

            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new UpstreamFormatException($"The upstream's {what} answer was not valid JSON.", ex);
        }
    }

    /// <summary>Tries to parse any JSON value; null if the body is not JSON.</summary>
    public static JsonElement? TryParse(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A property, found without regard to case.</summary>
    public static JsonElement? Property(this JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (obj.TryGetProperty(name, out var exact))
        {
            return exact;
        }

        foreach (var property in obj.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    /// <summary>A string (numbers and booleans are written as text); null when missing or null.</summary>
    public static string? String(this JsonElement obj, string name) => obj.Property(name) is { } value ? AsString(value) : null;

    /// <summary>An integer from a number or a numeric string.</summary>
    public static int? Int(this JsonElement obj, string name)
    {
        var value = obj.Property(name);
        return value?.ValueKind switch
        {
            JsonValueKind.Number when value.Value.TryGetInt32(out var i) => i,
            JsonValueKind.Number when value.Value.TryGetDouble(out var d) && d is >= int.MinValue and <= int.MaxValue => (int)Math.Ceiling(d),
            JsonValueKind.String when int.TryParse(value.Value.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) => s,
            _ => null,
        };
    }

    /// <summary>A boolean from true/false or "true"/"false".</summary>
    public static bool? Bool(this JsonElement obj, string name)
    {
        var value = obj.Property(name);
        return value?.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(value.Value.GetString(), out var b) => b,
            _ => null,
        };
    }

    /// <summary>An object's properties as strings.</summary>
    public static Dictionary<string, string> StringMap(this JsonElement obj, string name)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (obj.Property(name) is { ValueKind: JsonValueKind.Object } map)
        {
            foreach (var property in map.EnumerateObject())
            {
                if (AsString(property.Value) is { } text)
                {
                    result[property.Name] = text;
                }
            }
        }

        return result;
    }

    /// <summary>The text of a failure body: its <c>error</c>, <c>message</c>, <c>statusMessage</c>, <c>reason</c> or
    /// <c>title</c> if it is JSON, else the body itself (cut to 500 characters).</summary>
    public static string? ErrorText(string body)
    {
        if (TryParse(body) is { } json)
        {
            if (json.ValueKind == JsonValueKind.String)
            {
                return Cut(json.GetString());
            }

            foreach (var name in new[] { "error", "message", "statusMessage", "reason", "title", "detail" })
            {
                if (json.String(name) is { Length: > 0 } text)
                {
                    return Cut(text);
                }
            }
        }

        return Cut(body);
    }

    private static string? AsString(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };

    private static string? Cut(string? text)
        => string.IsNullOrWhiteSpace(text) ? null : text.Length <= 500 ? text.Trim() : text[..500].Trim();
}
