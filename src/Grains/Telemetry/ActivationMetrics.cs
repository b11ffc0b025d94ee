using Orleans.Metadata;
using Orleans.Runtime;

namespace OrleansTok.Telemetry;

/// <summary>
/// Counts activations per grain type for <c>orleanstok.grains.active</c>, by joining the
/// lifecycle of every activation this silo creates (no grain has to remember to report itself).
/// </summary>
internal sealed class ActivationMetrics : IConfigureGrainContextProvider
{
    /// <summary>
    /// OrleansTok's stateful grain types (Orleans' default names). System grains and stateless
    /// workers are left out: their contexts have no observable lifecycle.
    /// </summary>
    private static readonly HashSet<string> Counted = new(StringComparer.Ordinal)
    {
        "user", "video", "creator", "catalogpartition", "journalapplier",
    };

    public bool TryGetConfigurator(GrainType grainType, GrainProperties properties, out IConfigureGrainContext configurator)
    {
        var name = grainType.ToString();
        configurator = Counted.Contains(name) ? new Configurator(name) : null!;
        return configurator is not null;
    }

    private sealed class Configurator(string type) : IConfigureGrainContext
    {
        public void Configure(IGrainContext context) =>
            context.ObservableLifecycle.Subscribe(nameof(ActivationMetrics), GrainLifecycleStage.Activate,
                _ =>
                {
                    OrleansTokMetrics.Activated(type);
                    return Task.CompletedTask;
                },
                _ =>
                {
                    OrleansTokMetrics.Deactivated(type);
                    return Task.CompletedTask;
                });
    }
}
