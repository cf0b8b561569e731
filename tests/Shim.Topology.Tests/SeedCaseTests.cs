using Shim.Topology;

namespace Shim.Topology.Tests;

/// <summary>The messages the issue asks for, verbatim.</summary>
public class SeedCaseTests
{
    [Fact]
    public void Kata10162_both_modes_off_names_the_device_and_the_two_keys_to_set()
    {
        var problems = Fixtures.Problems(new TopologySettings(), Fixtures.Nic());

        var p = problems.ShouldHaveSingleItem();
        p.Code.ShouldBe(ProblemCode.NoVfioPortConfigured);
        p.Message.ShouldBe("cold_plug_vfio = \"no-port\" and hot_plug_vfio = \"no-port\": eth1 (0000:84:01.1) can only be attached through VFIO — set cold_plug_vfio = \"root-port\" (and pcie_root_port >= 1)");
        p.Device.ShouldBe(new DeviceRef("sriov", "eth1", "0000:84:01.1"));
        p.Fixes.Select(f => f.Render()).ShouldBe(["cold_plug_vfio = \"root-port\"", "pcie_root_port >= 1"]);
    }

    [Fact]
    public void Root_port_mode_without_ports_asks_for_exactly_one()
    {
        var problems = Fixtures.Problems(Fixtures.RootPorts(0), Fixtures.Nic());

        var p = problems.ShouldHaveSingleItem();
        p.Code.ShouldBe(ProblemCode.PortsExhausted);
        p.Message.ShouldBe("eth1 (0000:84:01.1): needs a root port; pcie_root_port = 0 — set pcie_root_port >= 1 in [hypervisor.qemu]");
        p.Key!.Name.ShouldBe("pcie_root_port");
        p.Key.Section.ShouldBe("hypervisor.qemu");
        p.Key.Annotation.ShouldBe("io.katacontainers.config.hypervisor.pcie_root_port");
        p.MinimalValue.ShouldBe(">= 1");
    }

    [Fact]
    public void Applying_the_seed_fix_gives_a_plan()
    {
        var problem = Fixtures.Problems(new TopologySettings(), Fixtures.Nic()).Single();

        var plan = Fixtures.PlanOk(new TopologySettings().ApplyAll(problem.Fixes), Fixtures.Nic());

        plan.ColdPlug.Single().Port.Id.ShouldBe("rp0");
    }
}
