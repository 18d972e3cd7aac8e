using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore.Flow;

/// <summary>
/// The rules on starting a login, apart from the HTTP and the upstream: one start at a time per browser and identifier
/// (a second tab or a re-click joins the first), start budgets that only starts reaching the upstream spend (per
/// identifier, with a separate budget for a browser that has logged in with it before; per client network for other
/// browsers), and the contest rule (a start from another browser supersedes a pending login, which can then never
/// sign anyone in).
/// </summary>
internal sealed class StartRules(IEidAbuseLimiter limiter, IcelandicEidOptions options, TimeProvider time)
{
    private const string StartingPrefix = "starting:";
    private const string NoAttempt = "-";
    private const string ReferencePrefix = "ref:";
    private static readonly TimeSpan s_joinStep = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan s_joinWindow = TimeSpan.FromSeconds(10);

    private IcelandicEidLimitOptions Limits => options.Limits;

    public Task<string> HashAsync(string value, CancellationToken cancellationToken)
        => LimiterKeys.HashAsync(limiter, Limits, value, cancellationToken);

    /// <summary>Before the upstream: joins this browser's own login if it has one, else checks and counts the budgets.</summary>
    public async Task<StartTicket> BeginAsync(
        BrowserIdentity browser,
        string identifier,
        System.Net.IPAddress? address,
        string loginId,
        string? attempt,
        Func<string, CancellationToken, Task<EidLoginState?>> loadPending,
        CancellationToken cancellationToken,
        IEidPendingByKey? pendingByKey = null)
    {
        var identifierHash = await HashAsync(identifier, cancellationToken);

        // A browser without its cookie yet cannot have a second tab that shares it: nothing to join.
        var browserKey = browser.IsNew ? null : "b:" + await HashAsync(browser.Id + "|" + identifier, cancellationToken);
        var ticket = new StartTicket
        {
            Verdict = StartVerdict.Go,
            IdentifierHash = identifierHash,
            BrowserKey = browserKey,
            StartingTag = StartingPrefix + LimiterKeys.Tag(loginId),
            AttemptTag = StartAttempt.Tag(attempt),
            Remembered = Limits.KnownBrowserLifetime > TimeSpan.Zero && browser.Knows(identifierHash),
        };

        try
        {
            return await BeginCoreAsync(ticket, browser, identifier, address, loadPending, pendingByKey, cancellationToken);
        }
        catch
        {
            // A limiter that timed out may still carry out the calls later (a stalled Redis that resumes): queue their
            // undoing behind them, without making the person wait for it.
            _ = Task.Run(() => UndoQuietlyAsync(ticket), CancellationToken.None);
            throw;
        }
    }

    private async Task<StartTicket> BeginCoreAsync(
        StartTicket ticket,
        BrowserIdentity browser,
        string identifier,
        System.Net.IPAddress? address,
        Func<string, CancellationToken, Task<EidLoginState?>> loadPending,
        IEidPendingByKey? pendingByKey,
        CancellationToken cancellationToken)
    {
        var browserKey = ticket.BrowserKey;
        var starting = ticket.StartingTag!;

        // One start at a time per browser and identifier: a second tab or a re-click waits for the first and joins it.
        var deadline = time.GetUtcNow() + options.BackchannelTimeout;
        var holder = browserKey is null ? null : await limiter.TryLockAsync(browserKey, starting, StartingLifetime, cancellationToken);
        while (holder is not null)
        {
            if (holder.Value.StartsWith(ReferencePrefix, StringComparison.Ordinal))
            {
                var (joinId, attemptTag) = ParseReference(holder.Value);
                if (await loadPending(joinId, cancellationToken) is { } login)
                {
                    // Only the form that started it (its attempt value, a secret of that page) joins the login; another
                    // request with this browser id, which may be a planted or copied cookie, is sent to the verification
                    // page without any login cookie: the browser's own tab already holds one, a copy holds nothing.
                    return ticket.AttemptTag != NoAttempt && attemptTag == ticket.AttemptTag
                        ? new StartTicket { Verdict = StartVerdict.Join, JoinLogin = login }
                        : new StartTicket { Verdict = StartVerdict.Sibling };
                }

                // That login is over (finished, cancelled, expired): this start takes the browser's place.
                if (await limiter.ReplaceAsync(browserKey!, holder.Value, starting, StartingLifetime, cancellationToken))
                {
                    break;
                }
            }
            else if (time.GetUtcNow() >= deadline)
            {
                return new StartTicket { Verdict = StartVerdict.Busy };
            }
            else
            {
                await Task.Delay(s_joinStep, time, cancellationToken);
            }

            holder = await limiter.TryLockAsync(browserKey!, starting, StartingLifetime, cancellationToken);
        }

        // The contest rule's standing: while a login started from a browser that has signed in with this identifier is
        // pending (or such a browser waits for a request open on the phone to be declined), a start from any other
        // browser is refused here, before anything is counted or sent. Nobody can take that login's place.
        if (Limits.OnePendingLoginPerIdentifier)
        {
            var marker = await limiter.GetAsync(MarkerOf(ticket.IdentifierHash!), cancellationToken);
            ticket.Previous = marker is null ? null : ContestMarker.Parse(marker.Value);
            ticket.PreviousValue = marker;
            if (!ticket.Remembered && ticket.Previous is { } standing && standing.Stands(time.GetUtcNow())
                && (standing.Claim || pendingByKey is null || await pendingByKey.PendingRequestAsync(standing.Tag, cancellationToken) is not null))
            {
                if (browserKey is not null)
                {
                    await limiter.ReleaseAsync(browserKey, starting, cancellationToken);
                }

                return new StartTicket { Verdict = StartVerdict.Held, RetryAfter = options.RemoteAuthenticationTimeout, Limit = "standing" };
            }
        }

        // Budgets. A browser that has logged in with this identifier before spends a budget of its own and is not
        // limited by its network: nobody else can lock it out. Other browsers spend the identifier's budget for their
        // network (so one network cannot use up what a person elsewhere needs), the identifier's budget across all
        // networks (the most a phone can be bothered), and their network's budget across identifiers (spraying).
        if (ticket.Remembered)
        {
            if (Limits.StartsPerIdentifier > 0
                && await CountAsync(ticket, "d:" + await HashAsync(browser.Id + "|" + identifier, cancellationToken), Limits.StartsPerIdentifier, cancellationToken) is { } wait)
            {
                return await RefuseAsync(ticket, "identifier-browser", wait, cancellationToken);
            }

            return ticket;
        }

        var network = address is null ? null : await HashAsync(LimiterKeys.Network(address), cancellationToken);
        if (network is not null && Limits.StartsPerClientAddress > 0
            && await CountAsync(ticket, "a:" + network, Limits.StartsPerClientAddress, cancellationToken) is { } addressWait)
        {
            return await RefuseAsync(ticket, "client-address", addressWait, cancellationToken);
        }

        // The identifier across all networks: the most a phone is bothered. Up to StartsPerIdentifier starts anyone may
        // make; beyond that each network counts its own, so one network cannot use up what a person elsewhere needs (a
        // network's own count exists only for identifiers that busy, which keeps the common case at one counter).
        var allNetworks = Limits.StartsPerIdentifierAllNetworks > 0 ? Limits.StartsPerIdentifierAllNetworks : int.MaxValue;
        var (total, totalWait) = await CountWithResultAsync(ticket, "s:" + ticket.IdentifierHash, cancellationToken);
        if (total > allNetworks)
        {
            // Spent across all networks. A network that has not yet started a login for this identifier in the window
            // still gets one, up to twice the budget: a few networks (an attacker's) cannot spend it all and keep a
            // person on another network out, and the phone is still bothered a bounded number of times.
            if (network is not null && allNetworks < int.MaxValue / 2 && total <= 2L * allNetworks
                && (await CountWithResultAsync(ticket, "s:" + ticket.IdentifierHash + ":" + network, cancellationToken)).Count == 1)
            {
                return ticket;
            }

            return await RefuseAsync(ticket, "identifier-all-networks", totalWait, cancellationToken);
        }

        if (Limits.StartsPerIdentifier > 0 && total > Limits.StartsPerIdentifier
            && await CountAsync(ticket, "s:" + ticket.IdentifierHash + ":" + (network ?? "unknown"), Limits.StartsPerIdentifier, cancellationToken) is { } networkWait)
        {
            return await RefuseAsync(ticket, "identifier", networkWait, cancellationToken);
        }

        return ticket;
    }

    private async Task UndoQuietlyAsync(StartTicket ticket)
    {
        try
        {
            await AbandonAsync(ticket, reachedUpstream: false, CancellationToken.None);
        }
        catch (Exception)
        {
            // Best effort: the browser lock expires by itself; a budget not given back is spent.
        }
    }

    /// <summary>Whether this start outranks the identifier's current login: a browser that has signed in with the
    /// identifier before against a login from a browser that has not. Such a start contests that login before the
    /// upstream is asked, and keeps it contested even when the upstream refuses because its request is open.</summary>
    public bool Outranks(StartTicket ticket)
        => Limits.OnePendingLoginPerIdentifier && ticket.Remembered && ticket.Previous is { } previous && !previous.Stands(time.GetUtcNow());

    /// <summary>The login the identifier's marker named when the start began, if it names one (not a claim).</summary>
    public string? PreviousLoginKey(StartTicket ticket)
        => ticket.Previous is { Claim: false } previous ? previous.Tag : null;

    /// <summary>An outranking start, before the upstream is asked: its claim replaces the current login at once, so that
    /// login can no longer sign anyone in whatever the upstream answers.</summary>
    public async Task ClaimAsync(StartTicket ticket, string loginId, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        var claim = NewMarker(ticket, loginId, startedAt, claim: true);
        var previous = await limiter.SwapAsync(MarkerOf(ticket.IdentifierHash!), claim.Format(), GenerationLifetime, cancellationToken);
        ticket.Claimed = claim.Format();
        ticket.SupersededLogin = Superseded(previous, loginId, ticket.Spared);
    }

    /// <summary>A remembered browser's start that the upstream refused because a request is open on the phone: unless
    /// another login is current, its claim holds the identifier for new browsers while the person declines that
    /// request, so nobody can put a request of their own in its place meanwhile.</summary>
    public async Task HoldWhileDecliningAsync(StartTicket ticket, string loginId, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        if (!Limits.OnePendingLoginPerIdentifier || !ticket.Remembered || ticket.Claimed is not null)
        {
            return;
        }

        var claim = NewMarker(ticket, loginId, startedAt, claim: true).Format();
        if (ticket.PreviousValue is { } previous)
        {
            if (ticket.Previous is { } p && !p.Stands(time.GetUtcNow()))
            {
                await limiter.ReplaceAsync(MarkerOf(ticket.IdentifierHash!), previous.Value, claim, GenerationLifetime, cancellationToken);
            }
        }
        else
        {
            await limiter.TryLockAsync(MarkerOf(ticket.IdentifierHash!), claim, GenerationLifetime, cancellationToken);
        }
    }

    /// <summary>An outranking start that failed for another reason than a request open on the phone: the login it
    /// claimed the place of gets it back, unless someone has moved the marker since.</summary>
    public async Task RestoreAsync(StartTicket ticket, CancellationToken cancellationToken)
    {
        if (ticket.Claimed is not { } claimed)
        {
            return;
        }

        if (ticket.PreviousValue is { } previous && previous.TimeToLive > TimeSpan.Zero)
        {
            await limiter.ReplaceAsync(MarkerOf(ticket.IdentifierHash!), claimed, previous.Value, previous.TimeToLive, cancellationToken);
        }
        else
        {
            await limiter.ReleaseAsync(MarkerOf(ticket.IdentifierHash!), claimed, cancellationToken);
        }

        ticket.Claimed = null;
        ticket.SupersededLogin = null;
    }

    /// <summary>After the upstream accepted the start: this login becomes the identifier's current one, so any other
    /// browser's login for it that is approved from now on can never sign anyone in.</summary>
    /// <returns>Whether another login was current (and is now contested).</returns>
    public async Task<bool> MakeCurrentAsync(StartTicket ticket, string loginId, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        if (!Limits.OnePendingLoginPerIdentifier)
        {
            return false;
        }

        var marker = NewMarker(ticket, loginId, startedAt, claim: false).Format();
        var previous = await limiter.SwapAsync(MarkerOf(ticket.IdentifierHash!), marker, GenerationLifetime, cancellationToken);
        ticket.Claimed = null;
        ticket.SupersededLogin ??= Superseded(previous, loginId, ticket.Spared);
        return ticket.SupersededLogin is not null;
    }

    /// <summary>Whether <paramref name="loginId"/>, approved at <paramref name="approvedAt"/>, may still sign in: its
    /// identifier's marker names it, or names a start that began after that approval (which it cannot have been meant
    /// for), or is missing altogether (see <see cref="MarkerNamesAsync"/>).</summary>
    public async Task<bool> IsCurrentAsync(string identifier, string loginId, DateTimeOffset? approvedAt, CancellationToken cancellationToken)
    {
        if (await MarkerAsync(identifier, cancellationToken) is not { } key)
        {
            return true;
        }

        var marker = ContestMarker.Parse((await limiter.GetAsync(key, cancellationToken))?.Value);
        return marker is null || marker.Allows(LimiterKeys.Tag(loginId), approvedAt);
    }

    /// <summary>The limiter key that names <paramref name="identifier"/>'s current login; null when the contest rule is
    /// off. Not personal data (a keyed hash), so it may be remembered per login to read the marker sooner.</summary>
    public async Task<string?> MarkerAsync(string identifier, CancellationToken cancellationToken)
        => Limits.OnePendingLoginPerIdentifier ? MarkerOf(await HashAsync(identifier, cancellationToken)) : null;

    /// <summary>The marker key of a started login's identifier, when the contest rule is on: the start made that login
    /// current.</summary>
    public string? MarkerOf(StartTicket ticket)
        => Limits.OnePendingLoginPerIdentifier && ticket.IdentifierHash is { } hash ? MarkerOf(hash) : null;

    private static string MarkerOf(string identifierHash) => "g:" + identifierHash;

    /// <summary>Whether the marker <paramref name="marker"/> leaves the pending login <paramref name="loginId"/> current:
    /// it names it, or it is missing. Markers are written only by starts the upstream accepted (or by claims of a
    /// remembered browser) and outlive every login they can contest, so a missing one means nobody has started since:
    /// after a loss of the limiter's data a lone login goes on. A login that was contested before such a loss has
    /// already been failed in a store that is told (<see cref="IEidContestedLogins"/>), and is caught again at its
    /// finish by a marker that a later start wrote.</summary>
    public async Task<bool> MarkerNamesAsync(string marker, string loginId, CancellationToken cancellationToken)
    {
        var current = await limiter.GetAsync(marker, cancellationToken);
        return current is null || ContestMarker.Parse(current.Value)?.Allows(LimiterKeys.Tag(loginId), null) != false;
    }

    private ContestMarker NewMarker(StartTicket ticket, string loginId, DateTimeOffset startedAt, bool claim)
        => new(LimiterKeys.Tag(loginId), startedAt, ticket.Remembered, claim, startedAt + options.RemoteAuthenticationTimeout, ticket.Spared);

    /// <summary>The login a swap replaced, if it named one other than this start's and not the one it spares.</summary>
    private static string? Superseded(EidLimiterValue? previous, string loginId, string? spared)
        => ContestMarker.Parse(previous?.Value) is { Claim: false } named && named.Tag != LimiterKeys.Tag(loginId) && named.Tag != spared ? named.Tag : null;

    /// <summary>The start was accepted: for a short while the browser's other tabs, which may have asked before this
    /// answer set the login cookie, join <paramref name="loginId"/>; after that the login cookie itself says it.</summary>
    public Task PublishAsync(StartTicket ticket, string loginId, CancellationToken cancellationToken)
        => ticket.BrowserKey is null
            ? Task.CompletedTask
            : limiter.ReplaceAsync(ticket.BrowserKey, ticket.StartingTag!, ReferencePrefix + loginId + "|" + ticket.AttemptTag, s_joinWindow, cancellationToken);

    private static (string LoginId, string AttemptTag) ParseReference(string value)
    {
        var body = value.AsSpan(ReferencePrefix.Length);
        var bar = body.IndexOf('|');
        return bar < 0 ? (body.ToString(), NoAttempt) : (body[..bar].ToString(), body[(bar + 1)..].ToString());
    }

    /// <summary>The start did not happen: the browser may start again at once; budgets are given back unless the
    /// upstream was reached.</summary>
    public async Task AbandonAsync(StartTicket ticket, bool reachedUpstream, CancellationToken cancellationToken, bool refundIdentifier = false)
    {
        if (!reachedUpstream)
        {
            await RefundAllAsync(ticket, cancellationToken);
        }
        else if (refundIdentifier)
        {
            // The upstream sent nothing to the phone (a request was open already): the identifier's budgets, and the
            // browser's own, are given back; the client network's count stays, so probing still costs the network.
            foreach (var key in ticket.Counted)
            {
                if (!key.StartsWith("a:", StringComparison.Ordinal))
                {
                    await limiter.RefundAsync(key, cancellationToken);
                }
            }

            ticket.Counted.Clear();
        }

        if (ticket.BrowserKey is not null)
        {
            await limiter.ReleaseAsync(ticket.BrowserKey, ticket.StartingTag!, cancellationToken);
        }
    }

    /// <summary>The identifier's current-login marker outlives the login, so a late finish still finds it.</summary>
    private TimeSpan GenerationLifetime => options.RemoteAuthenticationTimeout + TimeSpan.FromMinutes(1);

    /// <summary>How long a start in progress holds the browser's place; a start that never ended frees it then.</summary>
    private TimeSpan StartingLifetime => options.BackchannelTimeout + TimeSpan.FromSeconds(5);

    private async Task<EidLimiterCount> CountWithResultAsync(StartTicket ticket, string key, CancellationToken cancellationToken)
    {
        ticket.Counted.Add(key);
        return await limiter.HitAsync(key, Limits.Window, cancellationToken);
    }

    private async Task<TimeSpan?> CountAsync(StartTicket ticket, string key, int limit, CancellationToken cancellationToken)
    {
        // Listed before the call: if the call fails it may still have counted, and then it is given back.
        ticket.Counted.Add(key);
        var (count, resetsIn) = await limiter.HitAsync(key, Limits.Window, cancellationToken);
        if (count > limit)
        {
            return resetsIn;
        }

        return null;
    }

    private async Task<StartTicket> RefuseAsync(StartTicket ticket, string limit, TimeSpan wait, CancellationToken cancellationToken)
    {
        await RefundAllAsync(ticket, cancellationToken);
        if (ticket.BrowserKey is not null)
        {
            await limiter.ReleaseAsync(ticket.BrowserKey, ticket.StartingTag!, cancellationToken);
        }

        return new StartTicket { Verdict = StartVerdict.Limited, RetryAfter = wait, Limit = limit };
    }

    private async Task RefundAllAsync(StartTicket ticket, CancellationToken cancellationToken)
    {
        foreach (var key in ticket.Counted)
        {
            await limiter.RefundAsync(key, cancellationToken);
        }

        ticket.Counted.Clear();
    }
}
