using System.Net;

namespace IcelandicEid.Http;

/// <summary>The upstream answered with a status that is worth retrying (5xx, 429).</summary>
internal sealed class UpstreamTransientException : EidProviderException
{
    /// <summary>Creates the exception.</summary>
    public UpstreamTransientException(HttpStatusCode statusCode, TimeSpan? retryAfter)
        : base(EidFailureReason.Unavailable, $"The upstream answered {(int)statusCode} {statusCode}.")
    {
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The upstream's Retry-After, if any.</summary>
    public TimeSpan? RetryAfter { get; }
}

/// <summary>The upstream answered something that is not the documented format (malformed JSON, empty body, missing fields).</summary>
internal sealed class UpstreamFormatException : EidProviderException
{
    /// <summary>Creates the exception.</summary>
    public UpstreamFormatException(string message, Exception? innerException = null)
        : base(EidFailureReason.UpstreamError, message, innerException)
    {
    }
}
