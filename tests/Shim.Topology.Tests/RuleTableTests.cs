using Shim.Topology;

namespace Shim.Topology.Tests;

/// <summary>One row per rule: the settings, the devices, the problem code and the fix the planner must suggest.</summary>
public class RuleTableTests
{
    public static TheoryData<string, TopologySettings, DeviceRequest[], ProblemCode, string> Rows => new()
    {
        { "cold and hot are exclusive", new TopologySettings { ColdPlugVfio = PortType.RootPort, HotPlugVfio = PortType.RootPort, PcieRootPort = 2 },
            [Fixtures.Nic()], ProblemCode.ColdAndHotPlugBothSet, "hot_plug_vfio = \"no-port\"" },
        { "exclusive keeps the hot mode when only hot is asked for", new TopologySettings { ColdPlugVfio = PortType.RootPort, HotPlugVfio = PortType.RootPort, PcieRootPort = 2 },
            [Fixtures.Nic(mode: PlugMode.Hot)], ProblemCode.ColdAndHotPlugBothSet, "cold_plug_vfio = \"no-port\"" },
        { "root-port needs q35 or virt", Fixtures.RootPorts(0) with { MachineType = "pc" },
            [Fixtures.Nic()], ProblemCode.PortTypeNeedsMachine, "machine_type = \"q35\"" },
        { "switch-port needs q35 or virt", new TopologySettings { MachineType = "pc-i440fx-7.2", HotPlugVfio = PortType.SwitchPort },
            [], ProblemCode.PortTypeNeedsMachine, "machine_type = \"q35\"" },
        { "bridge-port needs a PCI machine", new TopologySettings { MachineType = "microvm", ColdPlugVfio = PortType.BridgePort },
            [Fixtures.Nic()], ProblemCode.PortTypeNeedsMachine, "machine_type = \"q35\"" },
        { "root ports on pc are refused", new TopologySettings { MachineType = "pc", PcieRootPort = 2 },
            [], ProblemCode.PortCountNeedsMachine, "machine_type = \"q35\"" },
        { "bridge-port needs a bridge", new TopologySettings { MachineType = "pc", ColdPlugVfio = PortType.BridgePort, DefaultBridges = 0 },
            [Fixtures.Nic()], ProblemCode.PortsExhausted, "default_bridges >= 1" },
        { "a GPU's audio function needs its own port", Fixtures.RootPorts(1),
            [Fixtures.Gpu()], ProblemCode.PortsExhausted, "pcie_root_port >= 2" },
        { "switch ports are counted too", new TopologySettings { ColdPlugVfio = PortType.SwitchPort, PcieSwitchPort = 1 },
            [Fixtures.Gpu()], ProblemCode.PortsExhausted, "pcie_switch_port >= 2" },
        { "root ports above the limit are refused, not clamped", Fixtures.RootPorts(20),
            [], ProblemCode.CountAboveLimit, "pcie_root_port <= 16" },
        { "switch ports above the limit are refused", new TopologySettings { PcieSwitchPort = 17 },
            [], ProblemCode.CountAboveLimit, "pcie_switch_port <= 16" },
        { "bridges above the limit are refused", new TopologySettings { DefaultBridges = 6 },
            [], ProblemCode.CountAboveLimit, "default_bridges <= 5" },
        { "negative counts are refused", new TopologySettings { PcieRootPort = -1 },
            [], ProblemCode.CountNegative, "pcie_root_port >= 0" },
        { "vIOMMU needs q35 (pc can switch)", new TopologySettings { MachineType = "pc", EnableIommu = true },
            [], ProblemCode.IommuNeedsQ35, "machine_type = \"q35\"" },
        { "vIOMMU needs q35 (arm virt cannot)", new TopologySettings { MachineType = "virt", EnableIommu = true },
            [], ProblemCode.IommuNeedsQ35, "enable_iommu = false" },
        { "explicit cold plug with cold plug off", new TopologySettings(),
            [Fixtures.Nic(mode: PlugMode.Cold)], ProblemCode.ColdPlugDisabled, "cold_plug_vfio = \"root-port\"" },
        { "explicit hot plug with hot plug off", new TopologySettings(),
            [Fixtures.Nic(mode: PlugMode.Hot)], ProblemCode.HotPlugDisabled, "hot_plug_vfio = \"root-port\"" },
        { "hot plug needs a free port of the hot type", new TopologySettings { HotPlugVfio = PortType.RootPort, PcieRootPort = 0 },
            [Fixtures.Nic()], ProblemCode.PortsExhausted, "pcie_root_port >= 1" },
        { "vhost-user needs shared memory", new TopologySettings(),
            [DeviceRequest.VhostUser("vhost", "vhu0", "/run/vhu0.sock")], ProblemCode.VhostUserNeedsSharedMemory, "enable_hugepages = true" },
        { "more than 16 root ports needed: bridges instead", Fixtures.RootPorts(16),
            Enumerable.Range(0, 17).Select(i => Fixtures.Nic($"eth{i}", $"0000:84:{i:x2}.1", group: i)).ToArray(),
            ProblemCode.PortsAboveLimit, "cold_plug_vfio = \"bridge-port\"" },
        { "pc suggests bridge-port for the seed case", new TopologySettings { MachineType = "pc", DefaultBridges = 0 },
            [Fixtures.Nic()], ProblemCode.NoVfioPortConfigured, "cold_plug_vfio = \"bridge-port\"" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Rule_reports_problem_with_fix(string rule, TopologySettings settings, DeviceRequest[] requests, ProblemCode code, string fix)
    {
        var outcome = Fixtures.Plan(settings, requests);

        outcome.Succeeded.ShouldBeFalse(rule);
        var p = outcome.Problems.FirstOrDefault(x => x.Code == code);
        p.ShouldNotBeNull($"{rule}: expected {code} in:\n{PlanRenderer.ToText(outcome.Report!)}");
        p.Fixes[0].Render().ShouldBe(fix, rule);
        p.Message.ShouldContain(fix, customMessage: rule);

        var fixedOutcome = Fixtures.Plan(settings.ApplyAll(p.Fixes), requests);
        fixedOutcome.Problems.ShouldNotContain(x => x.Code == code && x.Device == p.Device, rule);
    }

    [Fact]
    public void Exclusivity_message_explains_why()
    {
        var p = Fixtures.Problems(new TopologySettings { ColdPlugVfio = PortType.RootPort, HotPlugVfio = PortType.BridgePort, PcieRootPort = 1 }, Fixtures.Nic())
            .Single(x => x.Code == ProblemCode.ColdAndHotPlugBothSet);

        p.Message.ShouldStartWith("cold_plug_vfio = \"root-port\" and hot_plug_vfio = \"bridge-port\": only one of them can be set");
        p.Message.ShouldContain("same pool");
        p.Message.ShouldEndWith("— set hot_plug_vfio = \"no-port\" in [hypervisor.qemu]");
    }

    [Fact]
    public void Every_unplaced_function_is_reported_each_with_the_total_count()
    {
        var problems = Fixtures.Problems(Fixtures.RootPorts(1), Fixtures.Nic("eth1", "0000:84:01.1"), Fixtures.Nic("eth2", "0000:84:01.2"), Fixtures.Nic("eth3", "0000:84:01.3"));

        problems.Select(p => p.Message).ShouldBe(
        [
            "eth2 (0000:84:01.2): needs a root port; pcie_root_port = 1 — set pcie_root_port >= 3 in [hypervisor.qemu]",
            "eth3 (0000:84:01.3): needs a root port; pcie_root_port = 1 — set pcie_root_port >= 3 in [hypervisor.qemu]",
        ]);
    }

    [Fact]
    public void Settings_device_and_host_problems_come_together_in_one_report()
    {
        var settings = new TopologySettings { MachineType = "pc", ColdPlugVfio = PortType.RootPort, EnableIommu = true, PcieSwitchPort = 20 };
        var nic = Fixtures.Nic();
        var facts = new HostFactsSnapshot(false, false, new Dictionary<int, IommuGroupFacts>());

        var outcome = TopologyPlanner.Plan(settings, [nic, DeviceRequest.VhostUser("vhost", "vhu0", "/run/vhu0.sock")], facts);

        outcome.Problems.Select(p => p.Code).ShouldBe(
        [
            ProblemCode.PortTypeNeedsMachine,
            ProblemCode.PortCountNeedsMachine,
            ProblemCode.IommuNeedsQ35,
            ProblemCode.CountAboveLimit,
            ProblemCode.VhostUserNeedsSharedMemory,
            ProblemCode.HostIommuDisabled,
            ProblemCode.VfioPciUnavailable,
            ProblemCode.GroupNotInspected,
        ], ignoreOrder: true);
    }

    [Theory]
    [InlineData("q35", MachineFamily.Q35)]
    [InlineData("pc-q35-7.2", MachineFamily.Q35)]
    [InlineData("virt", MachineFamily.Virt)]
    [InlineData("virt-7.2", MachineFamily.Virt)]
    [InlineData("pc", MachineFamily.Pc)]
    [InlineData("pc-i440fx-7.2", MachineFamily.Pc)]
    [InlineData("microvm", MachineFamily.Other)]
    [InlineData("s390-ccw-virtio", MachineFamily.Other)]
    public void Machine_types_are_classified(string machine, MachineFamily family) =>
        MachineFamilies.Classify(machine).ShouldBe(family);

    [Fact]
    public void Root_bus_slots_bound_the_root_ports()
    {
        // 16 root ports + 5 bridges + 6 reserved = 27 of 30; four cold vhost-user NICs overflow pcie.0.
        var settings = Fixtures.RootPorts(16) with { DefaultBridges = 5, SharedMemory = true };
        var vhost = Enumerable.Range(0, 4).Select(i => DeviceRequest.VhostUser("vhost", $"vhu{i}", $"/run/vhu{i}.sock")).ToArray();

        var p = Fixtures.Problems(settings, vhost).Single();

        p.Code.ShouldBe(ProblemCode.RootBusFull);
        p.Fixes.Single().Render().ShouldBe("pcie_root_port <= 15");
        Fixtures.PlanOk(settings.ApplyAll(p.Fixes), vhost).VhostUser.Count.ShouldBe(4);
    }
}
