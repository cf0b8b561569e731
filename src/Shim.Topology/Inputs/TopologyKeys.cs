namespace Shim.Topology;

/// <summary>The key names used in messages; <see cref="Kata"/> keeps Kata's names so existing runtime classes work.</summary>
public sealed record TopologyKeys(
    SettingKey MachineType,
    SettingKey ColdPlugVfio,
    SettingKey HotPlugVfio,
    SettingKey PcieRootPort,
    SettingKey PcieSwitchPort,
    SettingKey DefaultBridges,
    SettingKey EnableIommu,
    SettingKey SharedMemory)
{
    private const string Qemu = "hypervisor.qemu";
    private const string Prefix = "io.katacontainers.config.hypervisor.";

    public static TopologyKeys Kata { get; } = new(
        new SettingKey("machine_type", Qemu, Prefix + "machine_type") { Quoted = true },
        new SettingKey("cold_plug_vfio", Qemu, Prefix + "cold_plug_vfio") { Quoted = true },
        new SettingKey("hot_plug_vfio", Qemu, Prefix + "hot_plug_vfio") { Quoted = true },
        new SettingKey("pcie_root_port", Qemu, Prefix + "pcie_root_port"),
        new SettingKey("pcie_switch_port", Qemu, Prefix + "pcie_switch_port"),
        new SettingKey("default_bridges", Qemu, Prefix + "default_bridges"),
        new SettingKey("enable_iommu", Qemu, Prefix + "enable_iommu"),
        // Kata backs guest RAM with a shared (share=on) file when hugepages are on; vhost-user needs exactly that.
        new SettingKey("enable_hugepages", Qemu, Prefix + "enable_hugepages"));

    public SettingKey For(TopologySetting setting) => setting switch
    {
        TopologySetting.MachineType => MachineType,
        TopologySetting.ColdPlugVfio => ColdPlugVfio,
        TopologySetting.HotPlugVfio => HotPlugVfio,
        TopologySetting.PcieRootPort => PcieRootPort,
        TopologySetting.PcieSwitchPort => PcieSwitchPort,
        TopologySetting.DefaultBridges => DefaultBridges,
        TopologySetting.EnableIommu => EnableIommu,
        TopologySetting.SharedMemory => SharedMemory,
        _ => throw new ArgumentOutOfRangeException(nameof(setting), setting, "unknown setting"),
    };
}
