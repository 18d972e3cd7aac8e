namespace IcelandicEid.State;

/// <summary>Upkeep of shared state that a store does now and then (the Redis key-ring check, for one), started by the
/// handler's own requests when due so that it runs however the app's clock is driven. Returns at once; the work, when
/// due, runs in the background and never fails a request.</summary>
public interface IEidPeriodicCheck
{
    /// <summary>Starts the check in the background when it is due; returns at once.</summary>
    void RunIfDue();
}
