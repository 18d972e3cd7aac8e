namespace IcelandicEid.Redis;

/// <summary>The Lua scripts that make each store operation atomic. Hash fields: s = status (0 pending, 1 succeeded,
/// 2 failed), n = next poll time (Unix ms), d = the data-protected state.</summary>
internal static class RedisScripts
{
    // KEYS: login, pending-set. ARGV: s, n, d, expire-at-ms
    public const string Create = """
        if redis.call('exists', KEYS[1]) == 1 then return 0 end
        redis.call('hmset', KEYS[1], 's', ARGV[1], 'n', ARGV[2], 'd', ARGV[3])
        redis.call('pexpireat', KEYS[1], ARGV[4])
        redis.call('zadd', KEYS[2], ARGV[4], KEYS[1])
        return 1
        """;

    // KEYS: login. ARGV: now-ms, next-ms
    public const string BeginPoll = """
        local v = redis.call('hmget', KEYS[1], 's', 'n')
        if not v[1] or v[1] ~= '0' then return 0 end
        if tonumber(v[2]) > tonumber(ARGV[1]) then return 0 end
        redis.call('hset', KEYS[1], 'n', ARGV[2])
        return 1
        """;

    // KEYS: login, pending-set. ARGV: s, n, d, retention-ms
    public const string Update = """
        local s = redis.call('hget', KEYS[1], 's')
        if not s or s ~= '0' then return 0 end
        redis.call('hmset', KEYS[1], 's', ARGV[1], 'n', ARGV[2], 'd', ARGV[3])
        if ARGV[1] ~= '0' then
          redis.call('zrem', KEYS[2], KEYS[1])
          local ttl = redis.call('pttl', KEYS[1])
          if ttl < 0 or ttl > tonumber(ARGV[4]) then redis.call('pexpire', KEYS[1], ARGV[4]) end
        end
        return 1
        """;

    // KEYS: login, pending-set.
    public const string Consume = """
        local v = redis.call('hmget', KEYS[1], 's', 'd')
        if not v[1] or v[1] == '0' then return false end
        redis.call('del', KEYS[1])
        redis.call('zrem', KEYS[2], KEYS[1])
        return v[2]
        """;

    // KEYS: counter. ARGV: window-ms. Returns {count, pttl}.
    public const string Hit = """
        local c = redis.call('incr', KEYS[1])
        if c == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end
        local ttl = redis.call('pttl', KEYS[1])
        if ttl < 0 then redis.call('pexpire', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
        return {c, ttl}
        """;

    // KEYS: lock. ARGV: owner, ttl-ms. Returns nil when taken (or already ours), else the holder.
    public const string Lock = """
        if redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return false end
        local holder = redis.call('get', KEYS[1])
        if not holder or holder == ARGV[1] then return false end
        return holder
        """;

    // KEYS: lock. ARGV: owner.
    public const string Release = """
        if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
        return 0
        """;
}
