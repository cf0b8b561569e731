namespace Shim.Topology;

/// <summary>
/// The validated plan: the topology to create, where every function goes, the cold-plug arguments, the planned
/// hot plugs, and the free ports kept for later hotplug. Nothing in it has been applied.
/// </summary>
public sealed record TopologyPlan(
    string MachineType,
    string RootBus,
    IReadOnlyList<string> MachineOptions,
    IReadOnlyList<string> KernelParameters,
    IReadOnlyList<TopologyDevice> Topology,
    IReadOnlyList<FunctionPlacement> ColdPlug,
    IReadOnlyList<FunctionPlacement> HotPlug,
    IReadOnlyList<VhostUserPlacement> VhostUser,
    IReadOnlyList<SkippedFunction> Skipped,
    IReadOnlyList<string> FreeHotplugPorts,
    PortAllocationState Allocation)
{
    /// <summary>Every <c>-device</c> value in order: vIOMMU first, then ports, switch, bridges, cold-plugged VFIO.</summary>
    public IReadOnlyList<string> DeviceArguments =>
        Topology.Select(d => d.DeviceArgument).Concat(ColdPlug.Select(p => p.Vfio.CommandLineArgument)).ToArray();

    /// <summary>The QEMU argv fragment: <c>-device X</c> pairs (machine options are the launcher's to merge).</summary>
    public IReadOnlyList<string> ToQemuArguments() => DeviceArguments.SelectMany(a => new[] { "-device", a }).ToArray();
}
