namespace Shim.HostPci;

/// <summary>A group now on vfio-pci: the node QEMU opens and the functions to pass through (bridges excluded).</summary>
public sealed record BoundGroup(int Group, string SandboxId, string VfioDevicePath, IReadOnlyList<PciFunction> Functions);
