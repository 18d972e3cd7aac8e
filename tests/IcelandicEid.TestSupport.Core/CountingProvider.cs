namespace IcelandicEid.Tests.Infrastructure;

/// <summary>Counts the calls that reach the provider, and records which requests were started and withdrawn.</summary>
public sealed class CountingProvider(IIcelandicEidProvider inner) : IIcelandicEidProvider, IEidProviderCancellation
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _started = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _cancelled = new();
    private readonly List<DateTimeOffset> _pollTimes = [];
    private int _starts;
    private int _polls;

    public int Starts => _starts;

    public int Polls => _polls;

    /// <summary>When each poll arrived, by the clock given (or the real one).</summary>
    public IReadOnlyList<DateTimeOffset> PollTimes
    {
        get
        {
            lock (_pollTimes)
            {
                return [.. _pollTimes];
            }
        }
    }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public string Name => inner.Name;

    /// <summary>The references of the requests started, in order.</summary>
    public IReadOnlyList<string> Started => [.. _started];

    /// <summary>The references of the requests withdrawn.</summary>
    public IReadOnlyList<string> Cancelled => [.. _cancelled];

    /// <summary>The service name the last start named for the phone.</summary>
    public string? LastServiceName { get; private set; }

    public async Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _starts);
        LastServiceName = request.ServiceName;
        var result = await inner.StartAsync(request, cancellationToken);
        if (result.Reference is { } reference)
        {
            _started.Enqueue(reference);
        }

        return result;
    }

    public Task CancelAsync(EidPollRequest request, CancellationToken cancellationToken)
    {
        _cancelled.Enqueue(request.Reference);
        return inner is IEidProviderCancellation cancellation ? cancellation.CancelAsync(request, cancellationToken) : Task.CompletedTask;
    }

    public Task<EidPollResult> PollAsync(EidPollRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _polls);
        lock (_pollTimes)
        {
            _pollTimes.Add(Clock.GetUtcNow());
        }

        return inner.PollAsync(request, cancellationToken);
    }
}
