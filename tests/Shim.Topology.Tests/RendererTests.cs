using System.Text.Json;
using Shim.Topology;

namespace Shim.Topology.Tests;

public class RendererTests
{
    [Fact]
    public void Plan_text_shows_topology_placement_free_ports_and_qemu_args()
    {
        var plan = Fixtures.PlanOk(new TopologySettings { HotPlugVfio = PortType.RootPort, PcieRootPort = 2, DefaultBridges = 0 }, Fixtures.Nic());

        var text = PlanRenderer.ToText(plan);

        text.ShouldContain("Topology plan for machine q35 (root bus pcie.0)");
        text.ShouldContain("root port              pcie-root-port,id=rp0,bus=pcie.0,chassis=0,slot=0,multifunction=off");
        text.ShouldContain("Hot plug after boot (device_add):");
        text.ShouldContain("eth1 (0000:84:01.1)");
        text.ShouldContain("Free ports for hotplug: rp1");
        text.ShouldContain("  -device pcie-root-port,id=rp1,bus=pcie.0,chassis=0,slot=1,multifunction=off");
    }

    [Fact]
    public void Plan_json_carries_the_device_arguments_and_the_allocation_state()
    {
        var plan = Fixtures.PlanOk(Fixtures.RootPorts(1) with { DefaultBridges = 0 }, Fixtures.Nic());

        using var doc = JsonDocument.Parse(PlanRenderer.ToJson(plan));

        var root = doc.RootElement;
        root.GetProperty("deviceArguments")[1].GetString()
            .ShouldBe("vfio-pci,host=0000:84:01.1,id=vfio-0000-84-01.1,x-pci-vendor-id=0x15b3,x-pci-device-id=0x101e,bus=rp0");
        root.GetProperty("coldPlug")[0].GetProperty("port").GetProperty("id").GetString().ShouldBe("rp0");
        root.GetProperty("allocation").GetProperty("occupants")[0].GetProperty("bdf").GetString().ShouldBe("0000:84:01.1");
    }

    [Fact]
    public void Report_text_and_json_list_every_problem_with_key_and_annotation()
    {
        var report = Fixtures.Plan(Fixtures.RootPorts(0), Fixtures.Nic(), Fixtures.Nic("eth2", "0000:84:01.2")).Report!;

        var text = PlanRenderer.ToText(report);
        text.ShouldStartWith("2 problems found; nothing was changed:\n");
        text.ShouldContain("  1. eth1 (0000:84:01.1): needs a root port; pcie_root_port = 0 — set pcie_root_port >= 2 in [hypervisor.qemu]");
        text.ShouldContain("annotation io.katacontainers.config.hypervisor.pcie_root_port");

        using var doc = JsonDocument.Parse(PlanRenderer.ToJson(report));
        var first = doc.RootElement.GetProperty("problems")[0];
        first.GetProperty("code").GetString().ShouldBe("PortsExhausted");
        first.GetProperty("key").GetProperty("name").GetString().ShouldBe("pcie_root_port");
        first.GetProperty("minimalValue").GetString().ShouldBe(">= 2");
        first.GetProperty("device").GetProperty("bdf").GetString().ShouldBe("0000:84:01.1");
        PlanRenderer.ToJson(report).ShouldContain("pcie_root_port = 0 — set pcie_root_port >= 2"); // readable, not \u2014
    }

    [Fact]
    public void Outcome_json_says_whether_it_is_a_plan_or_a_report()
    {
        using var failed = JsonDocument.Parse(PlanRenderer.ToJson(Fixtures.Plan(new TopologySettings(), Fixtures.Nic())));
        failed.RootElement.GetProperty("succeeded").GetBoolean().ShouldBeFalse();
        failed.RootElement.GetProperty("report").GetProperty("problems")[0].GetProperty("minimalValue").GetString().ShouldBe("\"root-port\"");

        using var ok = JsonDocument.Parse(PlanRenderer.ToJson(Fixtures.Plan(Fixtures.RootPorts(1), Fixtures.Nic())));
        ok.RootElement.GetProperty("succeeded").GetBoolean().ShouldBeTrue();
        ok.RootElement.GetProperty("plan").GetProperty("coldPlug").GetArrayLength().ShouldBe(1);
    }
}
