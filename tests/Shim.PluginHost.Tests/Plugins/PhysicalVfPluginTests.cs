using System.Net;
using Kataplug.Plugins.PhysicalVf;
using Shim.Abstractions;
using Shim.PluginHost.Tests.Fakes;

namespace Shim.PluginHost.Tests.Plugins;

public sealed class PhysicalVfPluginTests
{
    private const string Pf = "0000:84:00.0";
    private const string Vf = "0000:84:01.1";
    private const string NetworkStatus = """
        [{"name":"cbr0","interface":"eth0","ips":["10.244.0.5"],"default":true},
         {"name":"default/sriov-net","interface":"eth1","mac":"02:00:00:aa:bb:01",
          "device-info":{"type":"pci","version":"1.1.0","pci":{"pci-address":"0000:84:01.1"}}}]
        """;

    private readonly PhysicalVfPlugin _plugin = new();
    private readonly FakePciInventory _pci = new FakePciInventory().AddPf(Pf, 40).AddVf(Vf, Pf, 5, 47);

    private PluginContext Context(
        FakeLinkView links,
        IReadOnlyDictionary<string, string>? annotations = null,
        IEnumerable<string>? env = null,
        IReadOnlyDictionary<string, object>? settings = null,
        SandboxDeviceSettings? devices = null,
        AttachPhase phase = AttachPhase.Boot) =>
        Contexts.Create("physical-vf", _pci, links, devices: devices, annotations: annotations, env: env, settings: settings, phase: phase);

    private static Dictionary<string, string> Multus => new() { ["k8s.v1.cni.cncf.io/network-status"] = NetworkStatus };

    private static FakeLinkView Pod(LinkInfo vf) => new FakeLinkView().Add(FakeLinkView.Loopback()).Add(FakeLinkView.Veth("eth0")).Add(vf);

    private async Task<(DiscoveryResult Discovery, PlanOutcome? Outcome)> Run(PluginContext context)
    {
        var discovery = await _plugin.DiscoverAsync(context, CancellationToken.None);
        var outcome = discovery.Candidates.Count == 1 ? await _plugin.PlanAsync(context, discovery.Candidates[0], CancellationToken.None) : null;
        return (discovery, outcome);
    }

    [Fact]
    public async Task The_multus_annotation_maps_an_interface_to_its_vf_and_the_plan_carries_everything_the_guest_needs()
    {
        var (discovery, outcome) = await Run(Context(Pod(FakeLinkView.VfLink("eth1", Vf)), Multus));

        var candidate = discovery.Candidates.ShouldHaveSingleItem();
        candidate.Id.ShouldBe("eth1");
        candidate.Bdfs.ShouldBe([Vf]);
        candidate.VendorDevice.ShouldBe("15b3:101e");
        candidate.HostDriver.ShouldBe("mlx5_core");
        candidate.Description.ShouldContain("VF 5 of 0000:84:00.0");
        discovery.Skipped.ShouldContain(s => s.StartsWith("eth0:") && s.Contains("no PCI parent"));
        var request = outcome.ShouldBeOfType<PlanOutcome.Attach>().Request;
        request.PluginName.ShouldBe("physical-vf");
        request.Kind.ShouldBe(EndpointKind.Physical);
        request.PciFunctions.ShouldBe([new PciFunctionRequest(Vf, PlugMode.Cold, 47)]);
        request.HostActions.ShouldBe([new SetVfAdministrativeMac(Vf, Pf, 5, "02:00:00:aa:bb:01")]);
        var guest = request.GuestInterface.ShouldNotBeNull();
        guest.Name.ShouldBe("eth1");
        guest.Mac.ShouldBe("02:00:00:aa:bb:01");
        guest.Mtu.ShouldBe(9000);
        guest.EndpointType.ShouldBe("physical");
        guest.Addresses.Select(a => a.ToString()).ShouldBe(["10.10.0.5/24", "fd00::5/64"]);
        // The protocol-kernel subnet route is left to the guest; the default and the static route are sent.
        guest.Routes.Select(r => r.Destination?.ToString() ?? "default").ShouldBe(["default", "192.168.50.0/24"]);
        guest.Routes.ShouldAllBe(r => r.Device == "eth1");
        guest.Routes[1].Mtu.ShouldBe(1400u);
        // Permanent entries, plus the reachable one for the default gateway.
        guest.Neighbours.Select(n => n.Address).ShouldBe([IPAddress.Parse("10.10.0.1"), IPAddress.Parse("10.10.0.7")]);
        request.ContainerDevices.ShouldHaveSingleItem().AgentDeviceType.ShouldBe("vfio-pci-gk");
    }

    [Fact]
    public async Task Device_plugin_env_declares_a_vf_found_through_its_netlink_parent()
    {
        var (discovery, outcome) = await Run(Context(Pod(FakeLinkView.VfLink("net1", Vf)),
            env: ["PCIDEVICE_NVIDIA_COM_CX6_VF=0000:84:01.1", "PATH=/bin"]));

        discovery.Candidates.ShouldHaveSingleItem().Description.ShouldContain("env PCIDEVICE_NVIDIA_COM_CX6_VF");
        outcome.ShouldBeOfType<PlanOutcome.Attach>();
    }

    [Fact]
    public async Task An_undeclared_vf_is_left_alone_unlike_kata()
    {
        var (discovery, _) = await Run(Context(Pod(FakeLinkView.VfLink("eth1", Vf))));

        discovery.Candidates.ShouldBeEmpty();
        discovery.Skipped.ShouldContain(s => s.StartsWith("eth1 (0000:84:01.1): not declared"));
    }

    [Theory]
    [InlineData("pf", Pf, true)]
    [InlineData("pf", "0000:85:00.0", false)]
    [InlineData("vendor_device", "15b3:*", true)]
    [InlineData("driver", "ice*", false)]
    [InlineData("interface", "eth?", true)]
    public async Task Include_rules_opt_interfaces_in(string field, string value, bool taken)
    {
        var settings = Contexts.Table(("include", new List<object> { Contexts.Table((field, value)) }));

        var (discovery, _) = await Run(Context(Pod(FakeLinkView.VfLink("eth1", Vf)), settings: settings));

        discovery.Candidates.Count.ShouldBe(taken ? 1 : 0);
        if (taken) discovery.Candidates[0].Description.ShouldContain("plugins.settings.physical-vf.include[0]");
    }

    [Fact]
    public async Task An_exclude_rule_wins_over_the_annotation()
    {
        var settings = Contexts.Table(("exclude", new List<object> { Contexts.Table(("driver", "mlx5_*")) }));

        var (discovery, _) = await Run(Context(Pod(FakeLinkView.VfLink("eth1", Vf)), Multus, settings: settings));

        discovery.Candidates.ShouldBeEmpty();
        discovery.Skipped.ShouldContain("eth1 (0000:84:01.1): excluded by plugins.settings.physical-vf.exclude[0]");
    }

    [Fact]
    public async Task A_whole_nic_is_refused_unless_physical_functions_are_accepted()
    {
        var pfLink = FakeLinkView.VfLink("eth1", Pf);
        var ann = new Dictionary<string, string> { ["k8s.v1.cni.cncf.io/network-status"] = NetworkStatus.Replace(Vf, Pf, StringComparison.Ordinal) };

        var (_, refused) = await Run(Context(Pod(pfLink), ann));
        var (_, accepted) = await Run(Context(Pod(pfLink), ann, settings: Contexts.Table(("accept_physical_functions", true))));

        var fail = refused.ShouldBeOfType<PlanOutcome.Fail>();
        fail.SettingKey.ShouldBe("plugins.settings.physical-vf.accept_physical_functions");
        fail.Message.ShouldContain("eth1 (0000:84:00.0) is a physical function");
        var attach = accepted.ShouldBeOfType<PlanOutcome.Attach>().Request;
        attach.PciFunctions.ShouldHaveSingleItem().Bdf.ShouldBe(Pf);
        attach.HostActions.ShouldBeEmpty(); // no PF above a PF to set an admin MAC on
    }

    [Fact]
    public async Task A_virtio_parent_is_never_taken_even_when_ethtool_reports_a_pci_address()
    {
        var virtio = FakeLinkView.VfLink("eth1", "virtio3", parentBus: "virtio", ethtoolBusInfo: Vf, ethtoolDriver: "virtio_net");

        var (discovery, _) = await Run(Context(Pod(virtio), env: ["PCIDEVICE_X=0000:84:01.1"]));

        discovery.Candidates.ShouldBeEmpty();
        discovery.Skipped.ShouldContain("eth1: its parent is virtio device virtio3, not a PCI function");
    }

    [Fact]
    public async Task Without_parent_attributes_the_ethtool_bus_info_is_used()
    {
        var oldKernel = FakeLinkView.VfLink("eth1", null, ethtoolBusInfo: "0000:84:01.1");

        var (discovery, outcome) = await Run(Context(Pod(oldKernel), Multus));

        discovery.Candidates.ShouldHaveSingleItem().Bdfs.ShouldBe([Vf]);
        outcome.ShouldBeOfType<PlanOutcome.Attach>();
    }

    [Theory]
    [InlineData("usb-0000:00:14.0-1")]
    [InlineData("0000:84:01.9")]
    [InlineData("84:01.1")]
    public async Task Bus_info_that_is_not_a_strict_bdf_is_not_pci(string busInfo)
    {
        var link = FakeLinkView.VfLink("eth1", null, ethtoolBusInfo: busInfo);

        var (discovery, _) = await Run(Context(Pod(link), env: ["PCIDEVICE_X=0000:84:01.1"]));

        discovery.Candidates.ShouldBeEmpty();
        discovery.Skipped.ShouldContain($"eth1: its bus-info \"{busInfo}\" is not a PCI address");
    }

    [Fact]
    public async Task Both_ports_no_port_fail_at_plan_time_with_the_fix()
    {
        var (_, outcome) = await Run(Context(Pod(FakeLinkView.VfLink("eth1", Vf)), Multus, devices: SandboxDeviceSettings.KataDefaults));

        var fail = outcome.ShouldBeOfType<PlanOutcome.Fail>();
        fail.Message.ShouldBe("cold_plug_vfio = \"no-port\" and hot_plug_vfio = \"no-port\": eth1 (0000:84:01.1) can only be attached through VFIO — set cold_plug_vfio = \"root-port\" (and pcie_root_port >= 1)");
        fail.SettingKey.ShouldBe("cold_plug_vfio");
    }

    [Fact]
    public async Task On_no_port_leave_leaves_the_interface_to_another_plugin()
    {
        var (_, outcome) = await Run(Context(Pod(FakeLinkView.VfLink("eth1", Vf)), Multus,
            settings: Contexts.Table(("on_no_port", "leave")), devices: SandboxDeviceSettings.KataDefaults));

        outcome.ShouldBeOfType<PlanOutcome.Leave>().Reason.ShouldContain("on_no_port = \"leave\"");
    }

    [Fact]
    public async Task A_hot_port_makes_the_vf_hot_plugged()
    {
        var hot = SandboxDeviceSettings.KataDefaults with { HotPlugVfio = PciPortType.RootPort, PcieRootPorts = 2 };

        var (_, outcome) = await Run(Context(Pod(FakeLinkView.VfLink("eth1", Vf)), Multus, devices: hot));

        outcome.ShouldBeOfType<PlanOutcome.Attach>().Request.PciFunctions.ShouldHaveSingleItem().Mode.ShouldBe(PlugMode.Hot);
    }

    [Fact]
    public async Task A_running_sandbox_with_only_cold_plug_cannot_take_a_new_vf()
    {
        var (_, outcome) = await Run(Context(Pod(FakeLinkView.VfLink("eth1", Vf)), Multus, phase: AttachPhase.Running));

        outcome.ShouldBeOfType<PlanOutcome.Fail>().SettingKey.ShouldBe("hot_plug_vfio");
    }

    [Fact]
    public async Task An_annotation_that_disagrees_with_the_netns_fails_the_plan()
    {
        _pci.AddVf("0000:84:01.2", Pf, 6, 48);

        var (_, outcome) = await Run(Context(Pod(FakeLinkView.VfLink("eth1", "0000:84:01.2")), Multus));

        outcome.ShouldBeOfType<PlanOutcome.Fail>().Message.ShouldContain("says eth1 is 0000:84:01.1, but in the pod network namespace it is backed by 0000:84:01.2");
    }

    [Fact]
    public async Task A_declared_function_missing_on_the_host_fails_the_plan()
    {
        var (_, outcome) = await Run(Context(Pod(FakeLinkView.VfLink("eth1", "0000:99:01.1")), env: ["PCIDEVICE_X=0000:99:01.1"]));

        outcome.ShouldBeOfType<PlanOutcome.Fail>().Message.ShouldContain("no /sys/bus/pci/devices/0000:99:01.1");
    }

    [Fact]
    public async Task An_invalid_on_no_port_value_names_the_key_and_the_choices()
    {
        var ex = await Should.ThrowAsync<PluginSettingsException>(() =>
            _plugin.DiscoverAsync(Context(Pod(FakeLinkView.VfLink("eth1", Vf)), settings: Contexts.Table(("on_no_port", "ignore"))), CancellationToken.None));

        ex.Key.ShouldBe("plugins.settings.physical-vf.on_no_port");
        ex.Message.ShouldBe("plugins.settings.physical-vf.on_no_port = \"ignore\" is not allowed: use one of \"fail\", \"leave\"");
    }

    [Fact]
    public async Task A_malformed_network_status_annotation_is_reported_and_env_still_counts()
    {
        var ann = new Dictionary<string, string> { ["k8s.v1.cni.cncf.io/network-status"] = "[{oops" };

        var (discovery, _) = await Run(Context(Pod(FakeLinkView.VfLink("eth1", Vf)), ann, env: ["PCIDEVICE_X=0000:84:01.1"]));

        discovery.Candidates.ShouldHaveSingleItem();
        discovery.Skipped.ShouldContain(s => s.Contains("not valid JSON"));
    }

    [Fact]
    public async Task Without_a_network_namespace_there_is_nothing_to_find()
    {
        var discovery = await _plugin.DiscoverAsync(Contexts.Create("physical-vf", _pci), CancellationToken.None);

        discovery.Candidates.ShouldBeEmpty();
        discovery.Skipped.ShouldBe(["the sandbox has no network namespace"]);
    }
}
