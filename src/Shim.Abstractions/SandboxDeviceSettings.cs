namespace Shim.Abstractions;

/// <summary>The sandbox-wide settings plugins must honour (effective values: configuration plus allowed annotations).</summary>
/// <param name="ColdPlugVfio"><c>cold_plug_vfio</c>.</param>
/// <param name="HotPlugVfio"><c>hot_plug_vfio</c>.</param>
/// <param name="PcieRootPorts"><c>pcie_root_port</c>.</param>
/// <param name="PcieSwitchPorts"><c>pcie_switch_port</c>.</param>
/// <param name="GuestMemoryShared">True when guest RAM is a shared file-backed region (vhost-user needs it).</param>
public sealed record SandboxDeviceSettings(
    PciPortType ColdPlugVfio,
    PciPortType HotPlugVfio,
    VfioMode VfioMode,
    int PcieRootPorts,
    int PcieSwitchPorts,
    bool GuestMemoryShared)
{
    public static SandboxDeviceSettings KataDefaults { get; } =
        new(PciPortType.NoPort, PciPortType.NoPort, VfioMode.GuestKernel, 0, 0, GuestMemoryShared: false);
}
