using System.Globalization;

namespace Shim.Topology;

/// <summary>
/// Builds the port devices and, from the same ids, the places devices can go: every bus a device names is one
/// this builder emitted (Kata names <c>bp&lt;N&gt;</c> buses that are never created, W10). Shapes follow Kata's
/// govmm (qmp.md §6.1 shows them working); each (chassis, slot) pair is unique.
/// </summary>
internal static class TopologyBuilder
{
    public static (List<TopologyDevice> Devices, List<PortSlot> Ports) Build(TopologySettings s, MachineFamily family)
    {
        var devices = new List<TopologyDevice>();
        var ports = new List<PortSlot>();
        var root = family.RootBus();

        if (s.EnableIommu && family == MachineFamily.Q35)
        {
            // Must precede every PCI device on the command line.
            devices.Add(Device(TopologyDeviceKind.IntelIommu, "", "intel-iommu",
                ("intremap", "on"), ("device-iotlb", "on"), ("caching-mode", "on")));
        }

        var rootPorts = PortCounts.Places(s, family, PortType.RootPort);
        for (var i = 0; i < rootPorts; i++)
        {
            var id = "rp" + N(i);
            devices.Add(Device(TopologyDeviceKind.RootPort, id, "pcie-root-port",
                ("id", id), ("bus", root), ("chassis", "0"), ("slot", N(i)), ("multifunction", "off")));
            ports.Add(new PortSlot(id, PortType.RootPort, id, 0));
        }

        var downstream = PortCounts.Places(s, family, PortType.SwitchPort);
        if (downstream > 0)
        {
            devices.Add(Device(TopologyDeviceKind.SwitchRootPort, "swrp0", "pcie-root-port",
                ("id", "swrp0"), ("bus", root), ("chassis", "1"), ("slot", "0"), ("multifunction", "off")));
            devices.Add(Device(TopologyDeviceKind.SwitchUpstreamPort, "swup0", "x3130-upstream", ("id", "swup0"), ("bus", "swrp0")));
            for (var i = 0; i < downstream; i++)
            {
                var id = "swdp" + N(i);
                devices.Add(Device(TopologyDeviceKind.SwitchDownstreamPort, id, "xio3130-downstream",
                    ("id", id), ("bus", "swup0"), ("chassis", "2"), ("slot", N(i))));
                ports.Add(new PortSlot(id, PortType.SwitchPort, id, 0));
            }
        }

        var bridges = PortCounts.Places(s, family, PortType.BridgePort) / s.Limits.BridgeSlots;
        for (var b = 0; b < bridges; b++)
        {
            var id = "pci-bridge-" + N(b);
            // chassis_nr must be non-zero; 3+ keeps clear of the ports' chassis 0..2.
            devices.Add(Device(TopologyDeviceKind.PciBridge, id, "pci-bridge", ("id", id), ("bus", root), ("chassis_nr", N(b + 3))));
            for (var slot = 1; slot <= s.Limits.BridgeSlots; slot++)
            {
                ports.Add(new PortSlot($"{id}/0x{slot.ToString("x2", CultureInfo.InvariantCulture)}", PortType.BridgePort, id, slot));
            }
        }

        return (devices, ports);
    }

    private static string N(int i) => i.ToString(CultureInfo.InvariantCulture);

    private static TopologyDevice Device(TopologyDeviceKind kind, string id, string driver, params (string Name, string Value)[] props) =>
        new(kind, id, driver, props.Select(p => new QemuProperty(p.Name, p.Value)).ToArray());
}
