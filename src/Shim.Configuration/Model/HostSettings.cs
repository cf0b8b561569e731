namespace Shim.Configuration;

/// <summary>[host] (kataplug extension): where the host side lives and how careful it must be.</summary>
/// <param name="SysfsRoot">Root under which "sys/bus/pci/..." is found ("/" in production; a temp tree in tests).</param>
/// <param name="StateDir">Binding journal and sandbox state.</param>
/// <param name="AllowHostDevices">Allow binding an IOMMU group that also holds a device the host is using.</param>
public sealed record HostSettings(
    Setting<string> SysfsRoot,
    Setting<string> StateDir,
    Setting<bool> AllowHostDevices);
