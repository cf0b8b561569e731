using Shim.Topology;

namespace Shim.Topology.Tests;

/// <summary>Small builders for requests and settings used across the tests.</summary>
internal static class Fixtures
{
    public const uint EthernetClass = 0x020000;
    public const uint VgaClass = 0x030000;
    public const uint AudioClass = 0x040300;
    public const uint PciBridgeClass = 0x060400;

    public static PciFunction Vf(string bdf = "0000:84:01.1", int group = 84) => new(bdf, 0x15b3, 0x101e, EthernetClass, true, group);

    public static DeviceRequest Nic(string iface = "eth1", string bdf = "0000:84:01.1", PlugMode mode = PlugMode.Auto, int group = 84) =>
        DeviceRequest.Vfio("sriov", iface, mode, Vf(bdf, group));

    /// <summary>A GPU and its HDMI audio function: one IOMMU group, two functions, two ports.</summary>
    public static DeviceRequest Gpu(string name = "gpu0", PlugMode mode = PlugMode.Auto) =>
        DeviceRequest.Vfio("vfio", name, mode,
            new PciFunction("0000:01:00.0", 0x10de, 0x2230, VgaClass, true, 12),
            new PciFunction("0000:01:00.1", 0x10de, 0x1aef, AudioClass, true, 12));

    public static TopologySettings RootPorts(int count) => new() { ColdPlugVfio = PortType.RootPort, PcieRootPort = count };

    public static PlanOutcome Plan(TopologySettings settings, params DeviceRequest[] requests) =>
        TopologyPlanner.Plan(settings, requests, HostFactsSnapshot.ViableFor(requests));

    public static TopologyPlan PlanOk(TopologySettings settings, params DeviceRequest[] requests)
    {
        var outcome = Plan(settings, requests);
        outcome.Report.ShouldBeNull(outcome.Report is null ? "" : PlanRenderer.ToText(outcome.Report));
        return outcome.Plan!;
    }

    public static IReadOnlyList<PlanProblem> Problems(TopologySettings settings, params DeviceRequest[] requests)
    {
        var outcome = Plan(settings, requests);
        outcome.Succeeded.ShouldBeFalse();
        return outcome.Problems;
    }
}
