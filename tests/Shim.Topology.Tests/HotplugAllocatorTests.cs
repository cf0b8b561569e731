using Shim.Topology;

namespace Shim.Topology.Tests;

public class HotplugAllocatorTests
{
    private static readonly TopologySettings HotRootPorts = new() { HotPlugVfio = PortType.RootPort, PcieRootPort = 3, DefaultBridges = 0 };

    private static PortAllocationState BootState(params DeviceRequest[] atBoot) => Fixtures.PlanOk(HotRootPorts, atBoot).Allocation;

    private static HotplugOutcome Allocate(PortAllocationState state, DeviceRequest request) =>
        HotplugAllocator.Allocate(state, request, HostFactsSnapshot.ViableFor([request]));

    [Fact]
    public void Plan_keeps_the_unused_ports_free_for_hotplug()
    {
        var plan = Fixtures.PlanOk(HotRootPorts, Fixtures.Nic());

        plan.HotPlug.Single().Port.Id.ShouldBe("rp0");
        plan.FreeHotplugPorts.ShouldBe(["rp1", "rp2"]);
    }

    [Fact]
    public void Allocates_the_lowest_free_port_and_a_freed_port_is_reused_first()
    {
        var state = BootState();
        var a = Allocate(state, Fixtures.Nic("eth1", "0000:84:01.1"));
        var b = Allocate(a.State, Fixtures.Nic("eth2", "0000:84:01.2"));
        b.Placements.Single().Port.Id.ShouldBe("rp1");

        var freed = HotplugAllocator.Release(b.State, "0000:84:01.1");
        freed.FreePorts(PortType.RootPort).Select(p => p.Id).ShouldBe(["rp0", "rp2"]);

        var c = Allocate(freed, Fixtures.Nic("eth3", "0000:84:01.3"));
        c.Placements.Single().Port.Id.ShouldBe("rp0");
        c.Placements.Single().Vfio.DeviceAddArguments.Single(x => x.Name == "bus").Value.ShouldBe("rp0");
    }

    [Fact]
    public void State_survives_a_shim_restart_through_json()
    {
        var state = Allocate(BootState(Fixtures.Gpu()), Fixtures.Nic()).State;

        var json = state.ToJson();
        var restored = PortAllocationState.FromJson(json);

        restored.SameAs(state).ShouldBeTrue(json);
        json.ShouldContain("\"hotPlugType\": \"RootPort\"");
        // After the restart the allocator continues exactly where it was.
        Allocate(restored, Fixtures.Nic("eth2", "0000:84:01.2")).Placements.ShouldBeEmpty(); // all 3 ports held: gpu x2 + eth1
        Allocate(HotplugAllocator.ReleaseInterface(restored, "vfio", "gpu0"), Fixtures.Nic("eth2", "0000:84:01.2"))
            .Placements.Single().Port.Id.ShouldBe("rp0");
    }

    [Fact]
    public void No_free_port_reports_every_function_and_leaves_the_state_unchanged()
    {
        var state = Allocate(BootState(), Fixtures.Nic("eth9", "0000:84:01.7")).State;
        state = Allocate(state, Fixtures.Nic("eth8", "0000:84:01.6")).State;

        var outcome = Allocate(state, Fixtures.Gpu());

        outcome.Succeeded.ShouldBeFalse();
        outcome.State.ShouldBeSameAs(state);
        var p = outcome.Report!.Problems.ShouldHaveSingleItem();
        p.Message.ShouldBe("gpu0 (0000:01:00.1): needs a free root port for hotplug; all 3 are in use (pcie_root_port = 3) — set pcie_root_port >= 4 in [hypervisor.qemu] for new sandboxes");
    }

    [Fact]
    public void A_sandbox_without_hot_plug_refuses_and_says_how_to_enable_it()
    {
        var state = Fixtures.PlanOk(Fixtures.RootPorts(2), Fixtures.Nic()).Allocation;

        var p = Allocate(state, Fixtures.Nic("eth2", "0000:84:01.2")).Report!.Problems.ShouldHaveSingleItem();

        p.Code.ShouldBe(ProblemCode.HotPlugDisabled);
        p.Message.ShouldContain("set hot_plug_vfio = \"root-port\" (and pcie_root_port >= 1)");
    }

    [Fact]
    public void An_attached_function_cannot_be_allocated_twice()
    {
        var state = Allocate(BootState(), Fixtures.Nic()).State;

        var p = Allocate(state, Fixtures.Nic("net1")).Report!.Problems.ShouldHaveSingleItem();

        p.Code.ShouldBe(ProblemCode.AlreadyAttached);
        p.Message.ShouldContain("vfio-0000-84-01.1 on rp0");
    }

    [Fact]
    public void Unknown_state_versions_are_refused_with_the_expected_version()
    {
        var json = BootState().ToJson().Replace("\"version\": 1", "\"version\": 7");

        Should.Throw<InvalidDataException>(() => PortAllocationState.FromJson(json)).Message.ShouldContain("expected 1");
    }
}
