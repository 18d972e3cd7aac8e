using System.Collections.Concurrent;
using IcelandicEid.Simulation;
using Microsoft.Extensions.DependencyInjection;

namespace IcelandicEid.AspNetCore;

/// <summary>
/// Finds the provider each scheme chose with <see cref="IcelandicEidOptions.Provider"/>: the built-in simulator (per
/// scheme, with <see cref="IcelandicEidOptions.Simulator"/>), a registered <see cref="EidProviderRegistration"/> (by
/// name, regardless of case; created once), or a keyed <see cref="IIcelandicEidProvider"/> service.
/// </summary>
internal sealed class IcelandicEidProviders(IServiceProvider services, IEnumerable<EidProviderRegistration> registrations)
{
    private readonly Dictionary<string, EidProviderRegistration> _registrations = registrations
        .GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
        .ToDictionary(g => g.Key, g => g.Last(), StringComparer.OrdinalIgnoreCase);

    private readonly ConcurrentDictionary<string, Lazy<IIcelandicEidProvider>> _created = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, SimulatorProvider> _simulators = new(StringComparer.Ordinal);

    /// <summary>The names an app can choose.</summary>
    public IEnumerable<string> Names => new[] { IcelandicEidDefaults.SimulatorProvider }.Concat(_registrations.Keys);

    /// <summary>The scheme's provider; throws when it names none (startup validation has said so already).</summary>
    public IIcelandicEidProvider Get(string scheme, IcelandicEidOptions options)
        => TryGet(scheme, options) ?? throw new InvalidOperationException($"The option 'Provider' of scheme '{scheme}' names no provider.");

    public IIcelandicEidProvider? TryGet(string scheme, IcelandicEidOptions options)
    {
        if (options.ProviderInstance is { } instance)
        {
            return instance;
        }

        var name = options.Provider;
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        if (string.Equals(name, IcelandicEidDefaults.SimulatorProvider, StringComparison.OrdinalIgnoreCase))
        {
            return _simulators.GetOrAdd(scheme, _ => new SimulatorProvider(options.Simulator, options.TimeProvider ?? TimeProvider.System));
        }

        if (_registrations.TryGetValue(name, out var registration))
        {
            return _created.GetOrAdd(name, _ => new Lazy<IIcelandicEidProvider>(() => registration.Factory(services))).Value;
        }

        return services.GetKeyedService<IIcelandicEidProvider>(name);
    }
}
