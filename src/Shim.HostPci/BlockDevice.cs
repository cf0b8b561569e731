namespace Shim.HostPci;

/// <summary>A block device (disk, partition or holder) backed by a PCI function, and whether the host uses it.</summary>
public sealed record BlockDevice(string Name, bool InUse, string? Usage);
