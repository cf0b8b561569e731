namespace Shim.Topology;

/// <summary>One planner input a problem can ask to change.</summary>
public enum TopologySetting
{
    MachineType,
    ColdPlugVfio,
    HotPlugVfio,
    PcieRootPort,
    PcieSwitchPort,
    DefaultBridges,
    EnableIommu,
    SharedMemory,
}
