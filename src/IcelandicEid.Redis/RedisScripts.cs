namespace IcelandicEid.Redis;

/// <summary>
/// The Lua scripts that make each store operation atomic. A login is one string key (small and cheap in Redis):
/// a header <c>s:n:m:i:e:r:c\n</c> followed by the data-protected state. s = status (0 pending, 1 succeeded,
/// 2 failed), n = next poll time (Unix ms, rounded up), m = method, i = poll interval (ms), e = expiry (Unix ms),
/// r = failure reason (empty if none), c = verification code. The header is what a status answer needs and holds no
/// personal data; only the protected part does.
/// </summary>
internal static class RedisScripts
{
    public static readonly LuaScriptRunner CreateRunner = new(Create);
    public static readonly LuaScriptRunner BeginPollRunner = new(BeginPoll);
    public static readonly LuaScriptRunner SetNextRunner = new(SetNext);
    public static readonly LuaScriptRunner UpdateRunner = new(Update);
    public static readonly LuaScriptRunner ConsumeRunner = new(Consume);
    public static readonly LuaScriptRunner HitRunner = new(Hit);
    public static readonly LuaScriptRunner LockRunner = new(Lock);
    public static readonly LuaScriptRunner ReleaseRunner = new(Release);
    public static readonly LuaScriptRunner RefundRunner = new(Refund);
    public static readonly LuaScriptRunner ReplaceRunner = new(Replace);
    public static readonly LuaScriptRunner SwapRunner = new(Swap);
    public static readonly LuaScriptRunner PeekLeaseRunner = new(PeekLease);
    public static readonly LuaScriptRunner ContestRunner = new(Contest);

    private const string Parse = """
        local v = redis.call('get', KEYS[1])
        if not v then return false end
        local s, n, m, i, e, r, c, pos = string.match(v, '^(%d):(%d+):(%d):(%d+):(%d+):(%d*):([^\n]*)\n()')
        if not s then return false end
        """;

    // The poll scripts read only the header's first fields (status, next poll, method, interval).
    private const string Head = """
        local v = redis.call('get', KEYS[1])
        if not v then return false end
        local s, n, i = string.match(v, '^(%d):(%d+):%d:(%d+):')
        if not s then return false end
        """;

    // Moves n alone. A poll's hottest write: when the new time has as many digits as the old (always, in practice:
    // 13 digits until the year 2286) it overwrites just those bytes (SETRANGE keeps the expiry), where rewriting the
    // whole value made each lease cost Redis several times as much.
    private const string MoveNext = """
        local function movenext(newn)
          if #newn == #n then
            redis.call('setrange', KEYS[1], 2, newn)
          else
            local ttl = redis.call('pttl', KEYS[1])
            redis.call('set', KEYS[1], s .. ':' .. newn .. string.sub(v, 3 + #n))
            if ttl > 0 then redis.call('pexpire', KEYS[1], ttl) end
          end
        end
        """;

    // KEYS: login, pending-set. ARGV: value, expire-at-ms, pending-member
    public const string Create = """
        if redis.call('exists', KEYS[1]) == 1 then return 0 end
        redis.call('set', KEYS[1], ARGV[1])
        redis.call('pexpireat', KEYS[1], ARGV[2])
        redis.call('zadd', KEYS[2], ARGV[2], ARGV[3])
        return 1
        """;

    // KEYS: login. ARGV: next-ms. Moves n of a pending login.
    public const string SetNext = Head + "\n" + MoveNext + "\n" + """
        if s ~= '0' then return 0 end
        movenext(ARGV[1])
        return 1
        """;

    // KEYS: login. ARGV: now-ms, next-ms
    public const string BeginPoll = Head + "\n" + MoveNext + "\n" + """
        if s ~= '0' or tonumber(n) > tonumber(ARGV[1]) then return 0 end
        movenext(ARGV[2])
        return 1
        """;

    // KEYS: login. ARGV: now-ms, lease-extra-ms. The status read of a login whose poll is (probably) due, in one round
    // trip: returns {1, value} after taking the poll lease (next = now + interval + extra), or {0, value} without it.
    public const string PeekLease = Head + "\n" + MoveNext + "\n" + """
        if s == '0' and tonumber(n) <= tonumber(ARGV[1]) then
          movenext(tostring(tonumber(ARGV[1]) + tonumber(i) + tonumber(ARGV[2])))
          return {1, v}
        end
        return {0, v}
        """;

    // KEYS: login, pending-set. ARGV: new value, new status, retention-ms, pending-member
    public const string Update = Parse + "\n" + """
        if s ~= '0' then return 0 end
        redis.call('set', KEYS[1], ARGV[1])
        redis.call('pexpireat', KEYS[1], e)
        if ARGV[2] ~= '0' then
          redis.call('zrem', KEYS[2], ARGV[4])
          local ttl = redis.call('pttl', KEYS[1])
          if ttl < 0 or ttl > tonumber(ARGV[3]) then redis.call('pexpire', KEYS[1], ARGV[3]) end
        end
        return 1
        """;

    // KEYS: login, pending-set. ARGV: failure reason, retention-ms, pending-member. A start in another browser has
    // superseded this login: a pending one fails as contested (the header says so; the protected state is the
    // poller's to write and may lag, which the reader resolves in favour of the failure). Returns the old value, or nil
    // when the login is gone or has already ended.
    public const string Contest = """
        local v = redis.call('get', KEYS[1])
        if not v then return false end
        local s, mid, c, pos = string.match(v, '^(%d)(:%d+:%d:%d+:%d+:)%d*:([^\n]*)\n()')
        if s ~= '0' then return false end
        local ttl = redis.call('pttl', KEYS[1])
        redis.call('set', KEYS[1], '2' .. mid .. ARGV[1] .. ':' .. c .. '\n' .. string.sub(v, pos))
        local keep = tonumber(ARGV[2])
        if ttl > 0 and ttl < keep then keep = ttl end
        redis.call('pexpire', KEYS[1], keep)
        redis.call('zrem', KEYS[2], ARGV[3])
        return v
        """;

    // KEYS: login, pending-set. ARGV: pending-member. Returns the value, or nil while pending.
    public const string Consume = Parse + "\n" + """
        if s == '0' then return false end
        redis.call('del', KEYS[1])
        redis.call('zrem', KEYS[2], ARGV[1])
        return v
        """;

    // KEYS: counter. ARGV: window-ms. Returns {count, pttl}.
    public const string Hit = """
        local c = redis.call('incr', KEYS[1])
        if c == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end
        local ttl = redis.call('pttl', KEYS[1])
        if ttl < 0 then redis.call('pexpire', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
        return {c, ttl}
        """;

    // KEYS: lock. ARGV: owner, ttl-ms. Returns nil when taken (or already ours), else {holder, pttl}.
    public const string Lock = """
        if redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return false end
        local holder = redis.call('get', KEYS[1])
        if not holder or holder == ARGV[1] then return false end
        return {holder, redis.call('pttl', KEYS[1])}
        """;

    // KEYS: counter. Takes back one hit, never below zero, leaving the window's end alone.
    public const string Refund = """
        local c = tonumber(redis.call('get', KEYS[1]) or '0')
        if c > 0 then redis.call('decr', KEYS[1]) end
        return 1
        """;

    // KEYS: lock. ARGV: expected, new value, ttl-ms. Compare and set.
    public const string Replace = """
        if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3])
        return 1
        """;

    // KEYS: key. ARGV: value, ttl-ms. Returns the previous {value, pttl} or nil.
    public const string Swap = """
        local old = redis.call('get', KEYS[1])
        local ttl = redis.call('pttl', KEYS[1])
        redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
        if not old then return false end
        return {old, ttl}
        """;

    // KEYS: lock. ARGV: owner.
    public const string Release = """
        if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
        return 0
        """;
}
