namespace Shim.HostPci;

/// <summary>A netdev under a PCI function's <c>net/</c> directory, as seen by this sysfs mount (sysfs-pci.md §4).</summary>
public sealed record NetInterface(string Name, bool IsUp, string? OperState);
