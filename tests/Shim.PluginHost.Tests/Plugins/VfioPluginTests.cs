using Kataplug.Plugins.Vfio;
using Shim.Abstractions;
using Shim.PluginHost.Tests.Fakes;

namespace Shim.PluginHost.Tests.Plugins;

public sealed class VfioPluginTests
{
    private readonly VfioPlugin _plugin = new();

    // Group 71: a GPU and its audio function behind a PCIe switch port that is in the same group.
    private readonly FakePciInventory _pci = new FakePciInventory()
        .Add(new PciFunctionInfo("0000:3a:00.0", 0x10b5, 0x8747, 0x060400, "pcieport", null, null, 71, []))
        .Add(new PciFunctionInfo("0000:3b:00.0", 0x10de, 0x2330, 0x030200, "vfio-pci", null, null, 71, []))
        .Add(new PciFunctionInfo("0000:3b:00.1", 0x10de, 0x22a3, 0x040300, "vfio-pci", null, null, 71, []))
        .Add(new PciFunctionInfo("0000:5e:00.0", 0x144d, 0xa80a, 0x010802, "vfio-pci", null, null, 12, []))
        .AddCdev("vfio3", "0000:5e:00.0");

    private async Task<(DiscoveryResult Discovery, List<PlanOutcome> Outcomes)> Run(PluginContext context)
    {
        var discovery = await _plugin.DiscoverAsync(context, CancellationToken.None);
        var outcomes = new List<PlanOutcome>();
        foreach (var c in discovery.Candidates) outcomes.Add(await _plugin.PlanAsync(context, c, CancellationToken.None));
        return (discovery, outcomes);
    }

    [Fact]
    public async Task A_group_node_in_the_spec_takes_every_non_bridge_member_in_guest_kernel_mode()
    {
        var (discovery, outcomes) = await Run(Contexts.Create("vfio", _pci, specDevices: ["/dev/vfio/71", "/dev/vfio/vfio"]));

        var candidate = discovery.Candidates.ShouldHaveSingleItem();
        candidate.Id.ShouldBe("vfio-group-71");
        candidate.Bdfs.ShouldBe(["0000:3b:00.0", "0000:3b:00.1"]);
        var request = outcomes.ShouldHaveSingleItem().ShouldBeOfType<PlanOutcome.Attach>().Request;
        request.PciFunctions.ShouldBe([
            new PciFunctionRequest("0000:3b:00.0", PlugMode.Cold, 71),
            new PciFunctionRequest("0000:3b:00.1", PlugMode.Cold, 71),
        ]);
        var device = request.ContainerDevices.ShouldHaveSingleItem();
        device.HostPath.ShouldBe("/dev/vfio/71");
        device.AgentDeviceType.ShouldBe("vfio-pci-gk");
        device.RemoveFromContainerSpec.ShouldBeTrue();
        device.Bdfs.ShouldBe(["0000:3b:00.0", "0000:3b:00.1"]);
    }

    [Fact]
    public async Task Vfio_mode_keeps_the_node_and_asks_for_vfio_pci_in_the_guest()
    {
        var devices = Contexts.ColdRootPort with { VfioMode = VfioMode.Vfio };

        var (_, outcomes) = await Run(Contexts.Create("vfio", _pci, devices: devices, specDevices: ["/dev/vfio/71"]));

        var device = outcomes.Single().ShouldBeOfType<PlanOutcome.Attach>().Request.ContainerDevices.Single();
        device.AgentDeviceType.ShouldBe("vfio-pci");
        device.RemoveFromContainerSpec.ShouldBeFalse();
    }

    [Fact]
    public async Task An_iommufd_cdev_resolves_to_its_function()
    {
        var (discovery, outcomes) = await Run(Contexts.Create("vfio", _pci, specDevices: ["/dev/vfio/devices/vfio3"]));

        discovery.Candidates.ShouldHaveSingleItem().Bdfs.ShouldBe(["0000:5e:00.0"]);
        outcomes.Single().ShouldBeOfType<PlanOutcome.Attach>().Request.ContainerDevices.Single().HostPath.ShouldBe("/dev/vfio/devices/vfio3");
    }

    [Fact]
    public async Task A_cdi_annotation_resolves_through_a_json_spec_and_duplicates_collapse()
    {
        var files = new FakeFileView()
            .File("/etc/cdi/nvidia.json", """
                {"cdiVersion":"0.6.0","kind":"nvidia.com/gpu",
                 "devices":[{"name":"0","containerEdits":{"deviceNodes":[{"path":"/dev/vfio/71"}]}},
                            {"name":"1","containerEdits":{"deviceNodes":[{"path":"/dev/vfio/72"}]}}]}
                """)
            .File("/var/run/cdi/other.yaml", "kind: x");
        var annotations = new Dictionary<string, string> { ["cdi.k8s.io/gpu"] = "nvidia.com/gpu=0" };

        var (discovery, outcomes) = await Run(Contexts.Create("vfio", _pci, files: files, annotations: annotations, specDevices: ["/dev/vfio/71"]));

        discovery.Candidates.ShouldHaveSingleItem().Id.ShouldBe("vfio-group-71");
        discovery.Skipped.ShouldContain(s => s.Contains("group 71 is already requested"));
        discovery.Skipped.ShouldContain(s => s.Contains("other.yaml") && s.Contains("YAML"));
        outcomes.Single().ShouldBeOfType<PlanOutcome.Attach>();
    }

    [Fact]
    public async Task An_unknown_cdi_device_fails_the_plan_naming_the_annotation()
    {
        var annotations = new Dictionary<string, string> { ["cdi.k8s.io/gpu"] = "nvidia.com/gpu=7" };

        var (_, outcomes) = await Run(Contexts.Create("vfio", _pci, annotations: annotations));

        var fail = outcomes.ShouldHaveSingleItem().ShouldBeOfType<PlanOutcome.Fail>();
        fail.Message.ShouldContain("CDI device nvidia.com/gpu=7 (annotation cdi.k8s.io/gpu)");
        fail.Message.ShouldContain("/etc/cdi, /var/run/cdi");
    }

    [Fact]
    public async Task A_group_missing_on_the_host_fails_the_plan()
    {
        var (_, outcomes) = await Run(Contexts.Create("vfio", _pci, specDevices: ["/dev/vfio/99"]));

        outcomes.Single().ShouldBeOfType<PlanOutcome.Fail>().Message.ShouldContain("IOMMU group 99");
    }

    [Fact]
    public async Task Both_ports_no_port_fail_naming_the_ports_needed()
    {
        var (_, outcomes) = await Run(Contexts.Create("vfio", _pci, devices: SandboxDeviceSettings.KataDefaults, specDevices: ["/dev/vfio/71"]));

        var fail = outcomes.Single().ShouldBeOfType<PlanOutcome.Fail>();
        fail.SettingKey.ShouldBe("cold_plug_vfio");
        fail.Message.ShouldBe("cold_plug_vfio = \"no-port\" and hot_plug_vfio = \"no-port\": VFIO group 71 (0000:3b:00.0, 0000:3b:00.1) from linux.devices cannot be attached — set cold_plug_vfio = \"root-port\" (and pcie_root_port >= 2)");
    }

    [Fact]
    public async Task A_running_sandbox_hot_plugs_when_a_hot_port_is_set()
    {
        var hot = SandboxDeviceSettings.KataDefaults with { HotPlugVfio = PciPortType.RootPort };

        var (_, outcomes) = await Run(Contexts.Create("vfio", _pci, devices: hot, specDevices: ["/dev/vfio/12"], phase: AttachPhase.Running));

        outcomes.Single().ShouldBeOfType<PlanOutcome.Attach>().Request.PciFunctions.ShouldAllBe(f => f.Mode == PlugMode.Hot);
    }
}
