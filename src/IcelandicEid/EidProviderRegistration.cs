namespace IcelandicEid;

/// <summary>
/// A provider that an app can choose by name (<c>IcelandicEid:Provider</c>). Packages register theirs with
/// <c>services.AddIcelandicEidProvider(name, factory)</c>; the handler creates the chosen one once, when the app
/// starts, and validates its options then.
/// </summary>
public sealed class EidProviderRegistration
{
    /// <summary>Creates the registration.</summary>
    /// <param name="name">The name the app chooses it by (compared without regard to case).</param>
    /// <param name="factory">Creates the provider from the app's services; called once.</param>
    public EidProviderRegistration(string name, Func<IServiceProvider, IIcelandicEidProvider> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(factory);
        Name = name;
        Factory = factory;
    }

    /// <summary>The name the app chooses the provider by.</summary>
    public string Name { get; }

    /// <summary>Creates the provider.</summary>
    public Func<IServiceProvider, IIcelandicEidProvider> Factory { get; }
}
