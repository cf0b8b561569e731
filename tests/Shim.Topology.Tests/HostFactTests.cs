using Shim.Topology;

namespace Shim.Topology.Tests;

public class HostFactTests
{
    private static readonly TopologySettings Settings = Fixtures.RootPorts(4);

    [Fact]
    public void Group_not_viable_is_reported_with_the_reason_and_the_fix()
    {
        var nic = Fixtures.Nic();
        var viable = HostFactsSnapshot.ViableFor([nic]);
        var facts = viable with
        {
            Groups = new Dictionary<int, IommuGroupFacts> { [84] = viable.Groups[84] with { NotViableReason = "0000:84:01.1 is held by another VM", Fix = "stop the other VM" } },
        };

        var p = TopologyPlanner.Plan(Settings, [nic], facts).Problems.ShouldHaveSingleItem();

        p.Code.ShouldBe(ProblemCode.GroupNotViable);
        p.Message.ShouldBe("eth1 (0000:84:01.1): IOMMU group 84 is not viable: 0000:84:01.1 is held by another VM — stop the other VM");
        p.Fixes.ShouldBeEmpty();
    }

    [Fact]
    public void A_group_member_left_on_its_host_driver_is_reported_by_name()
    {
        var gpuWithoutAudio = DeviceRequest.Vfio("vfio", "gpu0", PlugMode.Auto, Fixtures.Gpu().Functions[0]);
        var facts = HostFactsSnapshot.ViableFor([Fixtures.Gpu()]) with
        {
            Groups = new Dictionary<int, IommuGroupFacts>
            {
                [12] = new(12, [new("0000:01:00.0", Fixtures.VgaClass, "vfio-pci"), new("0000:01:00.1", Fixtures.AudioClass, "snd_hda_intel"), new("0000:00:01.0", Fixtures.PciBridgeClass, "pcieport")]),
            },
        };

        var p = TopologyPlanner.Plan(Settings, [gpuWithoutAudio], facts).Problems.ShouldHaveSingleItem();

        p.Code.ShouldBe(ProblemCode.GroupMemberNotRequested);
        p.Message.ShouldContain("IOMMU group 12 also holds 0000:01:00.1 (driver snd_hda_intel)");
        p.Message.ShouldNotContain("0000:00:01.0");
    }

    [Fact]
    public void Iommu_off_and_vfio_pci_missing_are_each_reported_once_naming_the_action()
    {
        var facts = HostFactsSnapshot.ViableFor([Fixtures.Gpu(), Fixtures.Nic()]) with { IommuEnabled = false, VfioPciAvailable = false };

        var problems = TopologyPlanner.Plan(Settings, [Fixtures.Gpu(), Fixtures.Nic()], facts).Problems;

        problems.Select(p => p.Code).ShouldBe([ProblemCode.HostIommuDisabled, ProblemCode.VfioPciUnavailable]);
        problems[0].Message.ShouldContain("intel_iommu=on");
        problems[0].Message.ShouldContain("eth1 (0000:84:01.1), gpu0 (0000:01:00.0, 0000:01:00.1)");
        problems[1].Message.ShouldContain("modprobe vfio-pci");
    }

    [Fact]
    public void Bridges_are_skipped_not_plugged()
    {
        var request = DeviceRequest.Vfio("vfio", "nvsw", PlugMode.Auto,
            new PciFunction("0000:05:00.0", 0x10de, 0x22a3, 0x068000, true, 5),
            new PciFunction("0000:04:00.0", 0x8086, 0x1234, Fixtures.PciBridgeClass, true, 5));

        var plan = Fixtures.PlanOk(Fixtures.RootPorts(1), request);

        plan.ColdPlug.Single().Vfio.Host.ShouldBe("0000:05:00.0"); // 0x0680 "Bridge: Other" stays in, as in Kata
        plan.Skipped.Single().Device.Bdf.ShouldBe("0000:04:00.0");
    }

    [Fact]
    public void The_same_function_requested_twice_is_refused()
    {
        var problems = Fixtures.Problems(Fixtures.RootPorts(2), Fixtures.Nic("eth1"), Fixtures.Nic("net1"));

        var p = problems.ShouldHaveSingleItem();
        p.Code.ShouldBe(ProblemCode.DuplicateFunction);
        p.Message.ShouldStartWith("net1 (0000:84:01.1): is already requested by eth1 (0000:84:01.1) (sriov)");
    }
}
