using IcelandicEid.State;
namespace IcelandicEid.Redis;

/// <summary>
/// Key names, laid out for Redis Cluster as well as a single server. A login's key and the pending-index shard it is
/// listed in carry the same hash tag, so every script that touches both stays in one hash slot: the tag is the first
/// character of the login key (a base64url hash of the login id), which spreads logins evenly over 64 slots, and so
/// over every primary of a cluster. The pending index is 64 sorted sets, one per tag, rather than one global set that
/// every start and end would write to on one node. Every other key (limiter counters and locks, the identifier-hash key,
/// the key ring) is used one at a time, and falls where its whole name hashes.
/// </summary>
internal static class RedisKeys
{
    /// <summary>How many pending-index shards (and hash tags) there are: one per base64url character.</summary>
    public const int Shards = 64;

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// <summary>The key of a login, given its login key (<c>EidLoginId.Key</c>): <c>{prefix}l:{X}{loginKey}</c>.</summary>
    public static string Login(string prefix, string loginKey) => $"{prefix}l:{{{loginKey[0]}}}{loginKey}";

    /// <summary>The pending-index shard a login is listed in: <c>{prefix}pending:{X}</c>, the same slot as its key.</summary>
    public static string Pending(string prefix, string loginKey) => $"{prefix}pending:{{{loginKey[0]}}}";

    /// <summary>Every pending-index shard.</summary>
    public static IEnumerable<string> AllPending(string prefix)
    {
        foreach (var tag in Alphabet)
        {
            yield return $"{prefix}pending:{{{tag}}}";
        }
    }
}
