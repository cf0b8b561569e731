using Shim.Abstractions;
using Shim.PluginHost.Loading;
using Shim.PluginHost.Planning;
using Shim.PluginHost.Selection;
using Shim.PluginHost.Tests.Fakes;
using Shim.PluginHost.Tests.Loading;

namespace Shim.PluginHost.Tests.Selection;

/// <summary>The shipped plugins, loaded from a plugins directory into their own contexts, planning one sandbox together.</summary>
public sealed class ShippedPluginsPlanningTests : IDisposable
{
    private readonly PluginsDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_pod_with_a_multus_vf_a_vfio_group_and_a_vhost_user_nic_gets_three_attachments_in_order()
    {
        _dir.Add("PhysicalVf");
        _dir.Add("Vfio");
        _dir.Add("VhostUser");
        var catalog = new PluginLoader(new PluginLoaderOptions(_dir.Root)).LoadAll();
        var annotations = new Dictionary<string, string>
        {
            ["k8s.v1.cni.cncf.io/network-status"] = """[{"interface":"net1","device-info":{"type":"pci","pci":{"pci-address":"0000:84:01.1"}}}]""",
            ["vhost-user.kataplug.io/eth2"] = "socket=/run/vpp/eth2.sock,mac=02:00:00:00:00:02",
        };
        var pci = new FakePciInventory().AddPf("0000:84:00.0", 40).AddVf("0000:84:01.1", "0000:84:00.0", 1, 41)
            .Add(new PciFunctionInfo("0000:3b:00.0", 0x10de, 0x2330, 0x030200, "vfio-pci", null, null, 71, []));
        var links = new FakeLinkView().Add(FakeLinkView.Loopback()).Add(FakeLinkView.Veth("eth0")).Add(FakeLinkView.VfLink("net1", "0000:84:01.1"));
        var input = new SandboxPlanInput("pod-1", AttachPhase.Boot, Contexts.Spec(annotations, devices: ["/dev/vfio/71"]),
            Contexts.ColdRootPort with { GuestMemoryShared = true }, pci, links, new FakeFileView().Socket("/run/vpp/eth2.sock"));
        var selection = new PluginSelection(["physical-vf", "vfio", "vhost-user"],
            [new PluginMatchRule("physical-vf", MatchAction.Exclude, "[[plugins.rule]] #1") { InterfaceGlob = "eth0" }])
        {
            Settings = new Dictionary<string, IReadOnlyDictionary<string, object>>
            {
                ["vhost-user"] = Contexts.Table(("reconnect_seconds", 5L)),
            },
        };

        var result = await new EndpointPlanner(catalog, selection).PlanAsync(input, CancellationToken.None);

        result.Problems.ShouldBeEmpty();
        result.Attachments.Select(a => (a.PluginName, a.CandidateId)).ShouldBe([("physical-vf", "net1"), ("vfio", "vfio-group-71"), ("vhost-user", "eth2")]);
        result.Attachments[0].HostActions.ShouldBe([new SetVfAdministrativeMac("0000:84:01.1", "0000:84:00.0", 1, "02:00:00:aa:bb:01")]);
        result.Attachments[1].PciFunctions.ShouldBe([new PciFunctionRequest("0000:3b:00.0", PlugMode.Cold, 71)]);
        result.Attachments[2].VhostUser.ShouldBe(new VhostUserNetRequest("/run/vpp/eth2.sock", 5, "02:00:00:00:00:02", 1));
        result.Notes.ShouldContain(n => n.Contains("plugin physical-vf skipped eth0"));
    }

    [Fact]
    public async Task A_plan_failure_names_the_plugin_the_candidate_and_the_key()
    {
        _dir.Add("PhysicalVf");
        var catalog = new PluginLoader(new PluginLoaderOptions(_dir.Root)).LoadAll();
        var pci = new FakePciInventory().AddPf("0000:84:00.0", 40).AddVf("0000:84:01.1", "0000:84:00.0", 1, 41);
        var links = new FakeLinkView().Add(FakeLinkView.VfLink("eth1", "0000:84:01.1"));
        var input = new SandboxPlanInput("pod-1", AttachPhase.Boot, Contexts.Spec(env: ["PCIDEVICE_INTEL_COM_SRIOV=0000:84:01.1"]),
            SandboxDeviceSettings.KataDefaults, pci, links, new FakeFileView());

        var result = await new EndpointPlanner(catalog, new PluginSelection(["physical-vf"], [])).PlanAsync(input, CancellationToken.None);

        var problem = result.Problems.ShouldHaveSingleItem();
        problem.ToString().ShouldBe("plugin physical-vf, eth1: cold_plug_vfio = \"no-port\" and hot_plug_vfio = \"no-port\": eth1 (0000:84:01.1) can only be attached through VFIO — set cold_plug_vfio = \"root-port\" (and pcie_root_port >= 1)");
        problem.SettingKey.ShouldBe("cold_plug_vfio");
    }
}
