namespace IcelandicEid.AspNetCore.State;

/// <summary>
/// The last tenth of the in-memory store's and limiter's capacity, kept for starts from a browser that has signed in
/// with the identifier before: a flood of new numbers from many networks fills the rest and then gets "try again",
/// while such people still start (and logins already under way, which need no new entry, go on). The start marks its
/// own asynchronous flow as entitled; the bounded stores read the mark.
/// </summary>
internal static class CapacityReserve
{
    private static readonly AsyncLocal<bool> s_entitled = new();

    /// <summary>Whether the current flow may use the reserve.</summary>
    public static bool Entitled => s_entitled.Value;

    /// <summary>The share of a capacity that only entitled flows may fill.</summary>
    public static int Of(int capacity) => capacity / 10;

    /// <summary>The capacity the current flow may fill.</summary>
    public static int Usable(int capacity) => Entitled ? capacity : capacity - Of(capacity);

    /// <summary>Marks the current flow (and what it awaits) as entitled until disposed.</summary>
    public static Scope Enter()
    {
        var previous = s_entitled.Value;
        s_entitled.Value = true;
        return new Scope(previous);
    }

    public readonly struct Scope(bool previous) : IDisposable
    {
        public void Dispose() => s_entitled.Value = previous;
    }
}
