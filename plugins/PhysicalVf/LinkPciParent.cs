using Shim.Abstractions;

namespace Kataplug.Plugins.PhysicalVf;

/// <summary>
/// The PCI function behind a netdev, as seen from inside its netns (sysfs-pci.md §4): IFLA_PARENT_DEV_BUS_NAME
/// "pci" + IFLA_PARENT_DEV_NAME first (it tells virtio and auxiliary parents apart); on kernels without those
/// attributes, an ethtool bus-info that passes the strict BDF grammar, except for virtio-net.
/// </summary>
internal static class LinkPciParent
{
    public static (string? Bdf, string? WhyNot) Resolve(LinkInfo link, bool allowEmulated)
    {
        if (link.ParentBusName is not null)
        {
            if (link.ParentBusName == "pci" && PciAddressText.TryNormalize(link.ParentDeviceName, out var parent)) return (parent, null);
            return (null, $"its parent is {link.ParentBusName} device {link.ParentDeviceName}, not a PCI function");
        }
        if (PciAddressText.TryNormalize(link.EthtoolBusInfo, out var busInfo))
        {
            if (!allowEmulated && link.EthtoolDriver == "virtio_net")
                return (null, $"it is a virtio-net NIC (bus-info {busInfo} is its virtio-pci parent), not a passthrough function");
            return (busInfo, null);
        }
        return (null, link.EthtoolBusInfo is null
            ? "it has no PCI parent (virtual link)"
            : $"its bus-info \"{link.EthtoolBusInfo}\" is not a PCI address");
    }
}
