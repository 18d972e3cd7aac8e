namespace IcelandicEid.AspNetCore;

/// <summary>Rules on starting logins: against push bombing, against push confusion, and without lock-outs.</summary>
public sealed class IcelandicEidLimitOptions
{
    /// <summary>The contest rule. Default true. A phone number or kennitala has one current login: a start from another
    /// browser supersedes the pending one, which can then never sign anyone in, even if it is approved afterwards, and
    /// whose browser is told why. The same browser starting again (a second tab, a re-click) joins its own login.</summary>
    public bool OnePendingLoginPerIdentifier { get; set; } = true;

    /// <summary>Starts that reached the upstream allowed per phone number or kennitala in <see cref="Window"/> by browsers
    /// that have not logged in with it before: up to this many from anywhere, and beyond that up to this many more per
    /// client network (an IPv4 address or an IPv6 /64), so one network cannot use up what a person elsewhere needs. 0 for
    /// no per-network limit. Default 5. A browser that has logged in with the identifier before has a budget of the same
    /// size of its own, which nobody else can spend.</summary>
    public int StartsPerIdentifier { get; set; } = 5;

    /// <summary>Starts that reached the upstream allowed per phone number or kennitala in <see cref="Window"/> from all
    /// networks together, by browsers that have not logged in with it before: the most unwanted requests a phone gets
    /// from this site, however many networks an attacker has. Keep it above twice <see cref="StartsPerIdentifier"/>,
    /// so that a single network cannot reach it. 0 for no limit. Default 15.</summary>
    public int StartsPerIdentifierAllNetworks { get; set; } = 15;

    /// <summary>Starts that reached the upstream allowed per client network (an IPv4 address, or an IPv6 /64) in
    /// <see cref="Window"/>, from browsers that have not logged in with the identifier before; 0 for no limit. Default
    /// 30. Behind a reverse proxy, use the forwarded-headers middleware with the proxy's network as the only trusted one,
    /// so the client's own address is seen.</summary>
    public int StartsPerClientAddress { get; set; } = 30;

    /// <summary>The window of the start limits. Default 10 minutes.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a browser is remembered as one that logged in with a phone number or kennitala (its own start
    /// budget, no address limit). Default 180 days; zero turns remembering off.</summary>
    public TimeSpan KnownBrowserLifetime { get; set; } = TimeSpan.FromDays(180);

    /// <summary>The secret (at least 32 characters) that keys the hashes of identifiers and client addresses in the
    /// limiter's keys. Default none: a random key kept by the limiter (in Redis for the Redis limiter, re-read every 30
    /// seconds so instances agree again soon after Redis loses its data). Set it, the same on every instance, so that
    /// instances agree at once whatever happens to Redis.</summary>
    public string? HashKey { get; set; }
}
