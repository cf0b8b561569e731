using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Shim.Sandbox.Tests;

/// <summary>
/// ovn-kubernetes' shape: a VF netdev in the pod's network namespace, named by Multus' network-status annotation.
/// The physical-vf plugin finds it through rtnetlink in a real namespace; the host is the sysfs emulator.
/// </summary>
[Trait("Category", "Netns")]
public sealed class NetnsPreflightTests : IDisposable
{
    private readonly EmulatedPod _pod = new();
    private readonly string _netns = "kp-sbx-" + Guid.NewGuid().ToString("N")[..8];

    public NetnsPreflightTests()
    {
        Ip($"netns add {_netns}");
        var peer = "kpv" + _netns[^6..];
        Ip($"link add {peer} type veth peer name net1 netns {_netns}");
        Ip($"-n {_netns} link set net1 address 02:00:00:00:00:11 up");
        Ip($"-n {_netns} addr add 192.0.2.10/24 dev net1");
    }

    private string NetnsPath => $"/var/run/netns/{_netns}";

    private string OciSpec(string vf) => new JsonObject
    {
        ["annotations"] = new JsonObject
        {
            ["k8s.v1.cni.cncf.io/network-status"] =
                $"[{{\"name\":\"sriov\",\"interface\":\"net1\",\"device-info\":{{\"type\":\"pci\",\"version\":\"1.1.0\",\"pci\":{{\"pci-address\":\"{vf}\"}}}}}}]",
        },
    }.ToJsonString();

    [Fact]
    public async Task The_seed_case_no_port_both_ways_fails_at_plan_time_with_the_fix()
    {
        var config = EmulatedPod.Config("cold_plug_vfio = \"no-port\"\nhot_plug_vfio = \"no-port\"");
        var before = TreeSnapshot.Take(_pod.Root);

        var result = await _pod.PreflightAsync(config, NetnsPath, OciSpec(_pod.Vfs[0]));

        result.Succeeded.ShouldBeFalse();
        result.ProblemLines.ShouldContain(p => p.EndsWith(
            $"cold_plug_vfio = \"no-port\" and hot_plug_vfio = \"no-port\": net1 ({_pod.Vfs[0]}) can only be attached through VFIO — set cold_plug_vfio = \"root-port\" (and pcie_root_port >= 1)",
            StringComparison.Ordinal));
        TreeSnapshot.Diff(before, TreeSnapshot.Take(_pod.Root)).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_declared_vf_is_discovered_and_placed_on_a_root_port_with_the_pods_mac()
    {
        var config = EmulatedPod.Config("cold_plug_vfio = \"root-port\"\npcie_root_port = 1");

        var result = await _pod.PreflightAsync(config, NetnsPath, OciSpec(_pod.Vfs[1]));

        result.ProblemLines.ShouldBeEmpty();
        var attachment = result.Attachments.Single();
        attachment.PluginName.ShouldBe("physical-vf");
        attachment.GuestInterface!.Mac.ShouldBe("02:00:00:00:00:11");
        result.Topology.Plan!.DeviceArguments.ShouldContain(a => a.Contains($"host={_pod.Vfs[1]}") && a.Contains("bus=rp0"));
    }

    [Fact]
    public async Task Too_few_root_ports_for_a_discovered_vf_names_the_interface()
    {
        var config = EmulatedPod.Config("cold_plug_vfio = \"root-port\"\npcie_root_port = 0");

        var result = await _pod.PreflightAsync(config, NetnsPath, OciSpec(_pod.Vfs[0]));

        result.ProblemLines.ShouldContain($"net1 ({_pod.Vfs[0]}): needs a root port; pcie_root_port = 0 — set pcie_root_port >= 1 in [hypervisor.qemu]");
    }

    public void Dispose()
    {
        Ip($"netns delete {_netns}", check: false);
        _pod.Dispose();
    }

    private static void Ip(string args, bool check = true)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args.Split(' ')) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start ip (install iproute2)");
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (check && p.ExitCode != 0) throw new InvalidOperationException($"ip {args} failed ({p.ExitCode}): {err}");
    }
}
