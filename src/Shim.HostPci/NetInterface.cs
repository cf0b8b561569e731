namespace Shim.HostPci;

/// <summary>
/// A netdev under a PCI function's <c>net/</c> directory, as seen by this sysfs mount (sysfs-pci.md §4).
/// <see cref="IsUp"/> is the administrative state (IFF_UP in <c>flags</c>, else <c>operstate</c> = up).
/// </summary>
public sealed record NetInterface(string Name, bool IsUp);
