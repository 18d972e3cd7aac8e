using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace IcelandicEid.AspNetCore.Endpoints;

/// <summary>The JSON answers of the status endpoint and the JSON API: written with their length, so headers and body
/// leave in one write (no chunked encoding, no second send for its end), never cached.</summary>
internal static class JsonAnswer
{
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    public static void Write<TState>(EidRequest r, int statusCode, TState state, Action<Utf8JsonWriter, TState> write)
    {
        var response = r.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, s_options))
        {
            json.WriteStartObject();
            write(json, state);
            json.WriteEndObject();
        }

        response.ContentLength = buffer.WrittenCount;
        response.BodyWriter.Write(buffer.WrittenSpan);
    }
}
