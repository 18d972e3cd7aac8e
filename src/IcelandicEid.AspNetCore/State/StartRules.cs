using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace IcelandicEid.AspNetCore.State;

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
    private const string ReferencePrefix = "ref:";
    private static readonly TimeSpan s_joinStep = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan s_joinWindow = TimeSpan.FromSeconds(10);

    private IcelandicEidLimitOptions Limits => options.Limits;

    public Task<string> HashAsync(string value, CancellationToken cancellationToken)
        => LimiterKeys.HashAsync(limiter, Limits, value, cancellationToken);

    /// <summary>Before the upstream: joins this browser's own login if it has one, else checks and counts the budgets.</summary>
    public async Task<StartTicket> BeginAsync(
        BrowserCookie browser,
        string identifier,
        System.Net.IPAddress? address,
        string loginId,
        Func<string, CancellationToken, Task<EidLoginState?>> loadPending,
        CancellationToken cancellationToken)
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
        };

        try
        {
            return await BeginCoreAsync(ticket, browser, identifier, address, loadPending, cancellationToken);
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
        BrowserCookie browser,
        string identifier,
        System.Net.IPAddress? address,
        Func<string, CancellationToken, Task<EidLoginState?>> loadPending,
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
                if (await loadPending(holder.Value[ReferencePrefix.Length..], cancellationToken) is { } login)
                {
                    return new StartTicket { Verdict = StartVerdict.Join, JoinLogin = login };
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

        // Budgets. A browser that has logged in with this identifier before spends a budget of its own and is not
        // limited by its network: nobody else can lock it out. Other browsers spend the identifier's budget for their
        // network (so one network cannot use up what a person elsewhere needs), the identifier's budget across all
        // networks (the most a phone can be bothered), and their network's budget across identifiers (spraying).
        var known = Limits.KnownBrowserLifetime > TimeSpan.Zero && browser.Knows(ticket.IdentifierHash!);
        if (known)
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

    /// <summary>Right before the upstream is asked: this start becomes the identifier's current login, so any other
    /// browser's pending login for it can no longer sign anyone in.</summary>
    /// <returns>Whether another login was current (and is now contested).</returns>
    public async Task<bool> ContestAsync(StartTicket ticket, string loginId, CancellationToken cancellationToken)
    {
        if (!Limits.OnePendingLoginPerIdentifier)
        {
            return false;
        }

        var mine = LimiterKeys.Tag(loginId);
        var previous = await limiter.SwapAsync(MarkerOf(ticket.IdentifierHash!), mine, GenerationLifetime, cancellationToken);
        if (previous is null || previous.Value == mine)
        {
            return false;
        }

        ticket.SupersededLogin = previous.Value;
        var left = previous.TimeToLive - (GenerationLifetime - options.RemoteAuthenticationTimeout);
        ticket.OpenRequestLeft = left > TimeSpan.Zero && left <= options.RemoteAuthenticationTimeout ? left : null;
        return true;
    }

    /// <summary>Whether <paramref name="loginId"/> is still the current login of its identifier (not contested).</summary>
    public async Task<bool> IsCurrentAsync(string identifier, string loginId, CancellationToken cancellationToken)
        => await MarkerAsync(identifier, cancellationToken) is not { } marker || await MarkerNamesAsync(marker, loginId, cancellationToken);

    /// <summary>The limiter key that names <paramref name="identifier"/>'s current login; null when the contest rule is
    /// off. Not personal data (a keyed hash), so it may be remembered per login to read the marker sooner.</summary>
    public async Task<string?> MarkerAsync(string identifier, CancellationToken cancellationToken)
        => Limits.OnePendingLoginPerIdentifier ? MarkerOf(await HashAsync(identifier, cancellationToken)) : null;

    /// <summary>The marker key of a started login's identifier, when the contest rule is on: the start made that login
    /// current.</summary>
    public string? MarkerOf(StartTicket ticket)
        => Limits.OnePendingLoginPerIdentifier && ticket.IdentifierHash is { } hash ? MarkerOf(hash) : null;

    private static string MarkerOf(string identifierHash) => "g:" + identifierHash;

    /// <summary>Whether the login named by <paramref name="marker"/> is <paramref name="loginId"/>.</summary>
    public async Task<bool> MarkerNamesAsync(string marker, string loginId, CancellationToken cancellationToken)
    {
        var current = await limiter.GetAsync(marker, cancellationToken);
        return current is not null && current.Value == LimiterKeys.Tag(loginId);
    }

    /// <summary>The start was accepted: for a short while the browser's other tabs, which may have asked before this
    /// answer set the login cookie, join <paramref name="loginId"/>; after that the login cookie itself says it.</summary>
    public Task PublishAsync(StartTicket ticket, string loginId, CancellationToken cancellationToken)
        => ticket.BrowserKey is null
            ? Task.CompletedTask
            : limiter.ReplaceAsync(ticket.BrowserKey, ticket.StartingTag!, ReferencePrefix + loginId, s_joinWindow, cancellationToken);

    /// <summary>The start did not happen: the browser may start again at once; budgets are given back unless the
    /// upstream was reached.</summary>
    public async Task AbandonAsync(StartTicket ticket, bool reachedUpstream, CancellationToken cancellationToken)
    {
        if (!reachedUpstream)
        {
            await RefundAllAsync(ticket, cancellationToken);
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

    private async Task<(long Count, TimeSpan ResetsIn)> CountWithResultAsync(StartTicket ticket, string key, CancellationToken cancellationToken)
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
