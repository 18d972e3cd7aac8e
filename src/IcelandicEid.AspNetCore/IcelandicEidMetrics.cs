using System.Diagnostics;
using System.Diagnostics.Metrics;
using IcelandicEid.AspNetCore.State;
using IcelandicEid.State;

namespace IcelandicEid.AspNetCore;

/// <summary>
/// Metrics (meter <c>IcelandicEid</c>) and traces (activity source <c>IcelandicEid</c>) of logins. No tag carries
/// personal data: only provider, method, reason, operation and outcome.
/// </summary>
internal sealed class IcelandicEidMetrics : IDisposable
{
    /// <summary>The meter's and the activity source's name.</summary>
    public const string Name = "IcelandicEid";

    /// <summary>The activity source for traces: activities <c>IcelandicEid.Start</c>, <c>IcelandicEid.Poll</c>, <c>IcelandicEid.Finish</c>.</summary>
    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly TimeSpan s_gaugeRefresh = TimeSpan.FromSeconds(5);

    private readonly Meter _meter;
    private readonly Counter<long> _started;
    private readonly Counter<long> _succeeded;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _limited;
    private readonly Histogram<double> _upstream;
    private readonly IEidPendingLoginCounter? _pending;
    private readonly TimeProvider _time;
    private long _pendingCount;
    private long _pendingRefreshedTicks;
    private int _refreshing;

    /// <summary>Creates the instruments.</summary>
    public IcelandicEidMetrics(IMeterFactory meterFactory, IEidLoginStore store, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(Name);
        _time = timeProvider;
        _pending = store as IEidPendingLoginCounter;
        _started = _meter.CreateCounter<long>("icelandic_eid.logins.started", "{login}", "Logins started with the upstream.");
        _succeeded = _meter.CreateCounter<long>("icelandic_eid.logins.succeeded", "{login}", "Logins signed in.");
        _failed = _meter.CreateCounter<long>("icelandic_eid.logins.failed", "{login}", "Logins that ended without success, by reason.");
        _limited = _meter.CreateCounter<long>("icelandic_eid.logins.limited", "{login}", "Starts refused by the abuse limits.");
        _upstream = _meter.CreateHistogram<double>("icelandic_eid.upstream.duration", "s", "Duration of upstream calls, retries included.");
        _meter.CreateObservableGauge("icelandic_eid.logins.pending", ObservePending, "{login}", "Logins waiting for the person (refreshed from the store at most every 5 s).");
    }

    internal void Started(string provider, EidMethod method) => _started.Add(1, Tags(provider, method));

    internal void Succeeded(string provider, EidMethod method) => _succeeded.Add(1, Tags(provider, method));

    internal void Failed(string provider, EidMethod? method, EidFailureReason reason)
        => _failed.Add(1, new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("method", method is { } m ? Flow.EidNames.Of(m) : null), new KeyValuePair<string, object?>("reason", Flow.EidNames.Of(reason)));

    internal void Limited(string limit) => _limited.Add(1, new KeyValuePair<string, object?>("limit", limit));

    internal void UpstreamCall(string provider, string operation, string outcome, TimeSpan duration)
        => _upstream.Record(
            duration.TotalSeconds,
            new KeyValuePair<string, object?>("provider", provider),
            new KeyValuePair<string, object?>("operation", operation),
            new KeyValuePair<string, object?>("outcome", outcome));

    private static KeyValuePair<string, object?>[] Tags(string provider, EidMethod method)
        => [new("provider", provider), new("method", Flow.EidNames.Of(method))];

    private long ObservePending()
    {
        // Never block the metrics collector: report the last count and refresh it in the background when stale.
        var now = _time.GetUtcNow().UtcTicks;
        if (_pending is not null && now - Interlocked.Read(ref _pendingRefreshedTicks) > s_gaugeRefresh.Ticks
            && Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0)
        {
            _ = RefreshAsync(now);
        }

        return Interlocked.Read(ref _pendingCount);
    }

    private async Task RefreshAsync(long now)
    {
        try
        {
            Interlocked.Exchange(ref _pendingCount, await _pending!.CountPendingAsync(CancellationToken.None));
            Interlocked.Exchange(ref _pendingRefreshedTicks, now);
        }
        catch (Exception)
        {
            // The store is down; the store health check says so. Keep the last count.
        }
        finally
        {
            Interlocked.Exchange(ref _refreshing, 0);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
