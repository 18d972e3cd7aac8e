using System.Text;
using System.Text.Json;
using IcelandicEid.AspNetCore;
using IcelandicEid.AspNetCore.Endpoints;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using IcelandicEid.AspNetCore.Http;

namespace IcelandicEid.Tests.Unit;

/// <summary>The JSON answers reuse one writer per thread: each answer must still be whole and only its own.</summary>
public class JsonAnswerTests
{
    [Fact]
    public async Task Answers_on_one_thread_are_each_whole_and_carry_nothing_of_the_one_before()
    {
        var longer = new string('x', 1000);
        var first = await AnswerAsync(json => json.WriteString("message", longer));
        Assert.Equal("{\"message\":\"" + longer + "\"}", first.Body);
        Assert.Equal(first.Body.Length, first.ContentLength);

        var second = await AnswerAsync(json => json.WriteString("status", "pending"));
        Assert.Equal("{\"status\":\"pending\"}", second.Body);
        Assert.Equal(second.Body.Length, second.ContentLength);
        Assert.Equal("application/json; charset=utf-8", second.ContentType);
        Assert.Equal("no-store", second.CacheControl);
    }

    [Fact]
    public async Task An_answer_whose_writing_failed_leaves_the_next_one_whole()
    {
        Assert.Throws<InvalidOperationException>(() => Answer(new DefaultHttpContext(), json =>
        {
            json.WriteStartArray("half");
            throw new InvalidOperationException("broken");
        }));

        var next = await AnswerAsync(json => json.WriteString("status", "failed"));
        Assert.Equal("{\"status\":\"failed\"}", next.Body);
    }

    [Fact]
    public async Task Icelandic_words_are_written_as_they_are()
    {
        var answer = await AnswerAsync(json => json.WriteString("message", "Bíð eftir staðfestingu í símanum þínum…"));
        Assert.Equal("{\"message\":\"Bíð eftir staðfestingu í símanum þínum…\"}", answer.Body);
        Assert.Equal(Encoding.UTF8.GetByteCount(answer.Body), answer.ContentLength);
    }

    private static async Task<(string Body, long? ContentLength, string? ContentType, string CacheControl)> AnswerAsync(Action<Utf8JsonWriter> write)
    {
        var context = new DefaultHttpContext();
        var body = new MemoryStream();
        context.Response.Body = body;
        Answer(context, write);
        await context.Response.BodyWriter.FlushAsync();
        return (Encoding.UTF8.GetString(body.ToArray()), context.Response.ContentLength, context.Response.ContentType, context.Response.Headers.CacheControl.ToString());
    }

    private static void Answer(HttpContext context, Action<Utf8JsonWriter> write)
    {
        var scheme = new AuthenticationScheme(IcelandicEidDefaults.AuthenticationScheme, null, typeof(IcelandicEidHandler));
        var request = new EidRequest(context, scheme, new IcelandicEidOptions(), NullLogger.Instance);
        JsonAnswer.Write(request, StatusCodes.Status200OK, write, static (json, write) => write(json));
    }
}
