namespace Shim.HostPci;

/// <summary>Host capabilities relevant to VFIO passthrough (sysfs-pci.md §5).</summary>
public sealed record HostFacts(
    bool IommuEnabled,
    int IommuGroupCount,
    IReadOnlyList<string> IommuUnits,
    bool UnsafeNoIommu,
    bool VfioPciLoaded,
    bool VfioPciModuleAvailable,
    bool VfioContainerNode,
    bool IommufdNode,
    IReadOnlyList<int> VfioGroupNodes,
    string? KernelRelease)
{
    /// <summary>vfio-pci is registered now, or its module exists and can be loaded.</summary>
    public bool VfioPciAvailable => VfioPciLoaded || VfioPciModuleAvailable;
}
