namespace Shim.HostPci;

/// <summary>One PCI function as read from <c>/sys/bus/pci/devices/&lt;BDF&gt;</c>.</summary>
public sealed record PciFunction(
    PciAddress Address,
    ushort Vendor,
    ushort DeviceId,
    PciClassCode Class,
    string? Driver,
    string? DriverOverride,
    bool IsPcie,
    int? IommuGroup,
    PciAddress? PhysFn,
    IReadOnlyList<PciAddress> VirtFns,
    int? SriovTotalVfs,
    int? SriovNumVfs,
    IReadOnlyList<NetInterface> NetInterfaces,
    IReadOnlyList<BlockDevice> BlockDevices,
    string RealPath)
{
    public bool IsVirtualFunction => PhysFn is not null;
    public bool IsSriovPhysicalFunction => SriovTotalVfs is not null;
    public bool IsIgnoredBridge => Class.IsIgnoredBridge;
    public bool IsOnVfio => Driver == VfioPci.DriverName;
}

/// <summary>Names of the VFIO PCI driver and its module.</summary>
public static class VfioPci
{
    public const string DriverName = "vfio-pci";
    public const string ModuleName = "vfio_pci";
}
