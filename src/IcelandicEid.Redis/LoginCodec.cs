using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using IcelandicEid.State;

namespace IcelandicEid.Redis;

/// <summary>
/// A stored login's value: the plain header (<see cref="LoginHeader"/>) and the data-protected state behind it.
/// </summary>
internal sealed class LoginCodec(IDataProtector protector, TimeProvider time)
{
    // The last protected body this instance wrote or read for each pending login, with what it decrypts to: a poll
    // reads the whole state, and decrypting it (a key derivation and an HMAC per call) costs more than the rest of a
    // status request; the body changes only when the login does. A hit needs the exact bytes Redis holds now.
    // Personal data held in memory as long as the in-memory store would hold it; forgotten when a login ends.
    private readonly BoundedCache<DecryptedBody> _bodies = new(20_000);

    /// <summary>Decrypts a protected state (throws <see cref="CryptographicException"/> when it is not genuine).</summary>
    public StoredLogin? Unprotect(byte[] body) => JsonSerializer.Deserialize(protector.Unprotect(body), StoredLoginJson.Default.StoredLogin);

    /// <summary>The login has ended or is gone: its decrypted state is not kept.</summary>
    public void Forget(string key) => _bodies.Remove(key);

    /// <summary>The header (see <see cref="RedisScripts"/>) and the protected state.</summary>
    public byte[] Serialize(EidLoginState state, string key, long nextPollMs)
    {
        var header = LoginHeader.Format(state, nextPollMs);
        var stored = StoredLogin.From(state);
        var body = protector.Protect(JsonSerializer.SerializeToUtf8Bytes(stored, StoredLoginJson.Default.StoredLogin));
        var value = new byte[header.Length + body.Length];
        header.CopyTo(value, 0);
        body.CopyTo(value, header.Length);
        if (state.Status == EidLoginStatus.Pending)
        {
            _bodies.Set(key, new DecryptedBody(body, stored));
        }
        else
        {
            _bodies.Remove(key);
        }

        return value;
    }

    public EidLoginState? Deserialize(string id, string key, byte[]? value)
    {
        if (value is null)
        {
            return null;
        }

        if (LoginHeader.Parse(value) is not { } header)
        {
            return null;
        }

        var next = header.Summary.NextPollAt;
        try
        {
            var body = value.AsSpan(header.BodyStart);
            StoredLogin? stored;
            if (_bodies.TryGet(key, out var known) && body.SequenceEqual(known.Body))
            {
                stored = known.Login;
            }
            else
            {
                var bytes = body.ToArray();
                stored = Unprotect(bytes);
                if (stored is not null && header.Summary.Status == EidLoginStatus.Pending)
                {
                    _bodies.Set(key, new DecryptedBody(bytes, stored));
                }
            }

            if (stored is null || stored.ExpiresAt <= time.GetUtcNow().ToUnixTimeMilliseconds())
            {
                return null;
            }

            // The poll lease moves only the header's n; it is the truth for NextPollAt. A contest ends a pending login
            // in the header alone: the header may end a login the protected state still calls pending, never more.
            var state = stored.ToState(id, next);
            return header.Summary.Status == EidLoginStatus.Failed && state.Status == EidLoginStatus.Pending
                ? state with { Status = EidLoginStatus.Failed, FailureReason = header.Summary.FailureReason ?? EidFailureReason.Other }
                : state;
        }
        catch (CryptographicException)
        {
            // Written with a key this instance does not have, or tampered with: as good as gone.
            return null;
        }
    }
}
