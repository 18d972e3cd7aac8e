using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using IcelandicEid.AspNetCore.Http;

namespace IcelandicEid.AspNetCore.Endpoints;

/// <summary>The JSON answers of the status endpoint and the JSON API: written with their length, so headers and body
/// leave in one write (no chunked encoding, no second send for its end), never cached.</summary>
internal static class JsonAnswer
{
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    // One writer and buffer per thread, reset for each answer: the status endpoint answers every waiting tab every second.
    [ThreadStatic]
    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Json)? t_writer;

    public static void Write<TState>(EidRequest r, int statusCode, TState state, Action<Utf8JsonWriter, TState> write)
    {
        var response = r.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        var (buffer, json) = t_writer ?? (new ArrayBufferWriter<byte>(256), new Utf8JsonWriter(Stream.Null, s_options));
        t_writer = null; // taken: a nested answer on this thread gets writers of its own
        json.Reset(buffer);
        json.WriteStartObject();
        write(json, state);
        json.WriteEndObject();
        json.Flush();
        response.ContentLength = buffer.WrittenCount;
        response.BodyWriter.Write(buffer.WrittenSpan);
        buffer.Clear(); // zeroed, so no answer outlives its request in the thread's buffer
        if (buffer.Capacity <= 4096)
        {
            t_writer = (buffer, json); // only on success: a callback that threw leaves its writer to the collector
        }
    }
}
