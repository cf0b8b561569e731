using System.Collections.Immutable;

namespace Shim.Configuration;

/// <summary>[hypervisor.qemu]: the keys kataplug uses, with Kata's names, defaults and allowed values.</summary>
public sealed record QemuSettings(
    Setting<string> Path,
    Setting<string> Kernel,
    Setting<string> Image,
    Setting<string> Initrd,
    Setting<string> KernelParams,
    Setting<string> MachineType,
    Setting<QemuAccelerator> Accelerator,
    Setting<int> DefaultVcpus,
    Setting<int> DefaultMaxVcpus,
    Setting<int> DefaultMemoryMiB,
    Setting<int> MemorySlots,
    Setting<int> DefaultBridges,
    Setting<bool> EnableIommu,
    Setting<bool> EnableIommuPlatform,
    Setting<PciePortType> ColdPlugVfio,
    Setting<PciePortType> HotPlugVfio,
    Setting<int> PcieRootPort,
    Setting<int> PcieSwitchPort,
    Setting<string> SharedFs,
    Setting<string> VirtioFsDaemon,
    Setting<string> VirtioFsCache,
    Setting<string> FileMemBackend,
    Setting<bool> EnableHugepages,
    Setting<bool> MemoryPrealloc,
    Setting<bool> EnableVhostUserStore,
    Setting<string> VhostUserStorePath,
    Setting<ImmutableArray<string>> EnableAnnotations)
{
    /// <summary>Machine types with a PCIe root complex (the only ones with root/switch ports).</summary>
    public static ImmutableArray<string> PcieMachineTypes { get; } = ["q35", "virt"];

    public bool IsPcieMachine => PcieMachineTypes.Contains(MachineType.Value);

    /// <summary>True when guest RAM lives in a shared (share=on) backend, which vhost-user needs:
    /// virtio-fs forces it in Kata, and so does a file_mem_backend or hugepages.</summary>
    public bool HasSharedMemoryBackend =>
        SharedFs.Value is "virtio-fs" or "virtio-fs-nydus" || FileMemBackend.Value.Length > 0 || EnableHugepages.Value;

    /// <summary>The port type devices use for cold plug, or for hot plug when cold plug is off.</summary>
    public PciePortType ActivePortType => ColdPlugVfio.Value != PciePortType.NoPort ? ColdPlugVfio.Value : HotPlugVfio.Value;
}
