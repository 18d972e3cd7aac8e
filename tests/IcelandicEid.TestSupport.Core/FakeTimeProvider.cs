namespace IcelandicEid.Tests.Infrastructure;

/// <summary>A clock that moves only when told. Timers it creates never fire (no test here relies on them).</summary>
public sealed class FakeTimeProvider : TimeProvider
{
    private DateTimeOffset _now;
    private readonly object _lock = new();

    /// <summary>Starts at <paramref name="start"/>, or at the current second: cookies the server sets carry expiry
    /// dates from this clock, and the test's cookie jar, like a browser, drops cookies that expired by the real clock.</summary>
    public FakeTimeProvider(DateTimeOffset? start = null)
    {
        _now = start ?? DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Start = _now;
    }

    public DateTimeOffset Start { get; }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_lock)
        {
            _now += by;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new NeverTimer();

    private sealed class NeverTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
