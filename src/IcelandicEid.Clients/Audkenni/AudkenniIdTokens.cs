using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IcelandicEid.Audkenni;

/// <summary>Why an <c>id_token</c> was not accepted.</summary>
internal enum IdTokenProblem
{
    /// <summary>Accepted.</summary>
    None,

    /// <summary>Not a signed JWT at all.</summary>
    Malformed,

    /// <summary>Signed with a key the JWKS does not hold, even after fetching it again.</summary>
    UnknownKey,

    /// <summary>The signature does not verify (or an algorithm other than RS256).</summary>
    BadSignature,

    /// <summary>Another issuer.</summary>
    WrongIssuer,

    /// <summary>Issued for another client.</summary>
    WrongAudience,

    /// <summary>Expired, or not valid yet.</summary>
    Expired,

    /// <summary>Not the nonce this login sent.</summary>
    WrongNonce,

    /// <summary>The JWKS could not be fetched.</summary>
    KeysUnavailable,
}

/// <summary>An id_token's check: the problem, or the claims of a token that verified.</summary>
internal sealed record IdTokenCheck(IdTokenProblem Problem, IReadOnlyDictionary<string, object>? Claims = null);

/// <summary>
/// Verifies Auðkenni's <c>id_token</c>s, never trusting them: RS256 against the JWKS (fetched, cached for
/// <c>cacheFor</c>, fetched again at once when a token names a key id it does not hold, at most once per
/// <c>refetchAfter</c>), the issuer, the audience (the client id), expiry and not-before on the given clock with a
/// small skew, and the nonce the login sent. A fetch of the keys is bounded by <c>fetchTimeout</c>: a key server that
/// stalls makes the logins waiting on it fail as unavailable in that time, not hold them for the whole poll.
/// </summary>
internal sealed class AudkenniIdTokens(
    Func<HttpClient> http, Uri jwksUri, string issuer, string clientId, TimeProvider time, TimeSpan cacheFor, TimeSpan refetchAfter, TimeSpan? fetchTimeout = null)
{
    private static readonly TimeSpan s_skew = TimeSpan.FromSeconds(30);
    private readonly JsonWebTokenHandler _handler = new();
    private readonly SemaphoreSlim _fetch = new(1, 1);
    private (JsonWebKeySet Keys, DateTimeOffset FetchedAt)? _keys;
    private int _fetches;

    /// <summary>Checks <paramref name="idToken"/>; <paramref name="nonce"/> is the one the login sent, or null where the
    /// protocol has none (CIBA's tokens come straight from the token endpoint, to the authenticated client, for the
    /// auth_req_id it holds).</summary>
    public async Task<IdTokenCheck> ValidateAsync(string idToken, string? nonce, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(idToken) || !_handler.CanReadToken(idToken))
        {
            return new(IdTokenProblem.Malformed);
        }

        JsonWebToken token;
        try
        {
            token = _handler.ReadJsonWebToken(idToken);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenMalformedException)
        {
            return new(IdTokenProblem.Malformed);
        }

        JsonWebKeySet keys;
        try
        {
            keys = await KeysAsync(token.Kid, cancellationToken);
        }
        catch (Exception ex) when ((ex is HttpRequestException or JsonException or ArgumentException or OperationCanceledException) && !cancellationToken.IsCancellationRequested)
        {
            return new(IdTokenProblem.KeysUnavailable);
        }

        if (!string.IsNullOrEmpty(token.Kid) && !keys.Keys.Any(k => k.Kid == token.Kid))
        {
            return new(IdTokenProblem.UnknownKey);
        }

        var now = time.GetUtcNow();
        var result = await _handler.ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidIssuer = issuer,
            ValidAudience = clientId,
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            LifetimeValidator = (notBefore, expires, _, _) => expires is { } e && e > (now - s_skew).UtcDateTime && (notBefore is not { } nb || nb <= (now + s_skew).UtcDateTime),
        });
        if (!result.IsValid)
        {
            return new(result.Exception switch
            {
                SecurityTokenInvalidIssuerException => IdTokenProblem.WrongIssuer,
                SecurityTokenInvalidAudienceException => IdTokenProblem.WrongAudience,
                SecurityTokenInvalidLifetimeException or SecurityTokenExpiredException or SecurityTokenNotYetValidException => IdTokenProblem.Expired,
                SecurityTokenSignatureKeyNotFoundException => IdTokenProblem.UnknownKey,
                _ => IdTokenProblem.BadSignature,
            });
        }

        if (nonce is not null && (!result.Claims.TryGetValue("nonce", out var sent) || sent is not string s || !string.Equals(s, nonce, StringComparison.Ordinal)))
        {
            return new(IdTokenProblem.WrongNonce);
        }

        return new(IdTokenProblem.None, result.Claims.ToDictionary(c => c.Key, c => c.Value));
    }

    /// <summary>The cached keys; fetched when none are held, when they are old, or when a token names a key id they do
    /// not hold (rotation) and the last fetch is at least <c>refetchAfter</c> ago.</summary>
    private async Task<JsonWebKeySet> KeysAsync(string? kid, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_keys is { } cached && now - cached.FetchedAt < cacheFor && (string.IsNullOrEmpty(kid) || cached.Keys.Keys.Any(k => k.Kid == kid) || now - cached.FetchedAt < refetchAfter))
        {
            return cached.Keys;
        }

        var fetches = Volatile.Read(ref _fetches);
        await _fetch.WaitAsync(cancellationToken);
        try
        {
            if (_keys is { } again && _fetches != fetches)
            {
                return again.Keys; // another caller fetched meanwhile
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(fetchTimeout ?? TimeSpan.FromSeconds(10));
            var json = await http().GetStringAsync(jwksUri, timeout.Token);
            var keys = new JsonWebKeySet(json);
            _keys = (keys, time.GetUtcNow());
            _fetches++;
            return keys;
        }
        finally
        {
            _fetch.Release();
        }
    }
}
