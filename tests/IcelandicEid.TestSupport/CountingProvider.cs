namespace IcelandicEid.Tests.Infrastructure;

/// <summary>Counts the calls that reach the provider.</summary>
public sealed class CountingProvider(IIcelandicEidProvider inner) : IIcelandicEidProvider
{
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

    public Task<EidStartResult> StartAsync(EidStartRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _starts);
        return inner.StartAsync(request, cancellationToken);
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
