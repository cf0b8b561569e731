using System.Globalization;
using Shim.Qemu;
using Shim.Topology;

namespace Shim.Sandbox.Pipeline;

/// <summary>
/// The planner's ports as <see cref="QemuTopology"/>, for <see cref="PciHotplug"/> only: the command line carries the
/// plan's own <c>-device</c> strings verbatim, but hotplug must know which ids are ports, switches and bridges.
/// </summary>
public static class HotplugTopology
{
    public static QemuTopology From(IReadOnlyList<TopologyDevice> devices)
    {
        var rootPorts = new List<PcieRootPort>();
        var upstreams = new List<(string Id, string RootPort)>();
        var downstreams = new List<(string Upstream, PcieDownstreamPort Port)>();
        var bridges = new List<PciBridge>();
        foreach (var d in devices)
        {
            switch (d.Kind)
            {
                case TopologyDeviceKind.RootPort or TopologyDeviceKind.SwitchRootPort:
                    rootPorts.Add(new PcieRootPort(d.Id, Int(d, "chassis"), Int(d, "slot"), Hotplug: Prop(d, "hotplug") != "off"));
                    break;
                case TopologyDeviceKind.SwitchUpstreamPort:
                    upstreams.Add((d.Id, Prop(d, "bus") ?? ""));
                    break;
                case TopologyDeviceKind.SwitchDownstreamPort:
                    downstreams.Add((Prop(d, "bus") ?? "", new PcieDownstreamPort(d.Id, Int(d, "chassis"), Int(d, "slot"), Prop(d, "hotplug") != "off")));
                    break;
                case TopologyDeviceKind.PciBridge:
                    bridges.Add(new PciBridge(d.Id, Int(d, "chassis_nr"), Prop(d, "bus") ?? QemuCommandLine.RootBus));
                    break;
            }
        }
        var switches = upstreams
            .Select(u => new PcieSwitch(u.Id, u.RootPort, downstreams.Where(dp => dp.Upstream == u.Id).Select(dp => dp.Port).ToArray()))
            .ToArray();
        return new QemuTopology(rootPorts, switches, bridges);
    }

    private static string? Prop(TopologyDevice d, string name) => d.Properties.FirstOrDefault(p => p.Name == name)?.Value;

    private static int Int(TopologyDevice d, string name) =>
        int.TryParse(Prop(d, name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
}
