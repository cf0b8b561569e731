namespace Shim.Topology;

/// <summary>One function that needs a place of <see cref="PortType"/> (mode already resolved).</summary>
internal sealed record FunctionDemand(DeviceRequest Request, PciFunction Function, PlugMode Mode, PortType PortType);

/// <summary>A vhost-user NIC: cold on the root bus (<see cref="PortType"/> NoPort) or hot on a port.</summary>
internal sealed record VhostDemand(DeviceRequest Request, PlugMode Mode, PortType PortType);

/// <summary>What the requests add up to, after bridges, duplicates and unresolvable modes were taken out.</summary>
internal sealed class Demand
{
    public List<FunctionDemand> Functions { get; } = [];
    public List<VhostDemand> VhostUser { get; } = [];
    public List<SkippedFunction> Skipped { get; } = [];

    /// <summary>Every VFIO function that will be bound (unique, non-bridge), whatever its port fate.</summary>
    public List<(DeviceRequest Request, PciFunction Function)> Vfio { get; } = [];

    /// <summary>Settings whose port type the machine lacks and that a device-level problem already named.</summary>
    public HashSet<TopologySetting> UnsupportedReported { get; } = [];

    public bool HasExplicitHot { get; set; }
    public bool HasExplicitCold { get; set; }
}
