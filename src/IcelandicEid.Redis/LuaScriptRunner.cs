using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace IcelandicEid.Redis;

/// <summary>Runs a Lua script by its SHA-1 (EVALSHA), loading it with EVAL only when the server does not know it yet
/// (first use, or after a restart), so the hot path sends a few bytes instead of the whole script. On a cluster whose
/// slot is being moved (resharding) a script whose keys are half moved is refused with <c>TRYAGAIN</c> before it runs;
/// it is sent again shortly, as often as the caller's time limit allows.</summary>
internal sealed class LuaScriptRunner
{
    private readonly string _text;
    private readonly byte[] _sha1;

    public LuaScriptRunner(string text)
    {
        _text = text;
#pragma warning disable CA5350 // SHA-1 is what Redis names scripts by; no security rests on it.
        _sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(text));
#pragma warning restore CA5350
    }

    /// <summary>How long to wait before sending a script again that a slot migration refused.</summary>
    internal static readonly TimeSpan TryAgainDelay = TimeSpan.FromMilliseconds(20);

    public async Task<RedisResult> EvaluateAsync(IDatabase database, RedisKey[] keys, RedisValue[]? values = null)
    {
        // Refused scripts never ran, so sending one again is safe; the caller's bound (the operation timeout) ends it.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await EvaluateOnceAsync(database, keys, values);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal) && attempt < 100)
            {
                await Task.Delay(TryAgainDelay);
            }
        }
    }

    private async Task<RedisResult> EvaluateOnceAsync(IDatabase database, RedisKey[] keys, RedisValue[]? values)
    {
        try
        {
            return await database.ScriptEvaluateAsync(_sha1, keys, values);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await database.ScriptEvaluateAsync(_text, keys, values);
        }
    }
}
