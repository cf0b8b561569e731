using System.Diagnostics;
using System.Text.Json.Nodes;
using Shim.HostPci;
using Shim.SysfsEmulator;

namespace Shim.Benchmarks.ShimProcesses;

/// <summary>
/// The issue-10162 case as the shim meets it: an emulated host with an SR-IOV NIC, a real network namespace whose
/// <c>net1</c> Multus declares to be a VF, and <c>cold_plug_vfio = hot_plug_vfio = "no-port"</c>, so Create's
/// preflight refuses. Needs root and iproute2 (the netns); <see cref="Problem"/> says why it cannot run otherwise.
/// </summary>
public sealed class RefusalHost : IDisposable
{
    public const string Interface = "net1";
    public const string NetworkStatusAnnotation = "k8s.v1.cni.cncf.io/network-status";

    private readonly string? netns;

    public RefusalHost(string pluginsDirectory)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("kpbench-").FullName;
        var host = new EmulatedHostBuilder()
            .HostBridge("0000:00:00.0")
            .SriovNic("0000:3b:00.0", totalVfs: 4, numVfs: 2, ifName: "ens1f0", up: true)
            .Build(Path.Combine(Directory, "host"));
        Vf = PciInventory.Read(host.Sysfs).Functions.Values.Where(f => f.IsVirtualFunction).Select(f => f.Address.ToString()).Order(StringComparer.Ordinal).First();
        ConfigPath = Path.Combine(Directory, "noport.toml");
        File.WriteAllText(ConfigPath, $"""
            [hypervisor.qemu]
            path = "/usr/bin/qemu-system-x86_64"
            machine_type = "q35"
            cold_plug_vfio = "no-port"
            hot_plug_vfio = "no-port"

            [plugins]
            enabled = ["physical-vf", "vfio", "vhost-user"]
            directory = "{pluginsDirectory}"

            [host]
            sysfs_root = "{host.Root}"
            state_dir = "{Path.Combine(Directory, "state")}"
            """);
        if (Environment.UserName != "root" && geteuid() != 0)
        {
            Problem = "skipped: needs root for the pod network namespace";
            return;
        }
        var name = "kpb-" + Guid.NewGuid().ToString("N")[..8];
        Problem = Ip($"netns add {name}")
            ?? Ip($"link add kpb{name[^6..]} type veth peer name {Interface} netns {name}")
            ?? Ip($"-n {name} link set {Interface} up");
        netns = name;
    }

    public string Directory { get; }

    public string Vf { get; }

    public string ConfigPath { get; }

    /// <summary>Why the scenario cannot run here, or null.</summary>
    public string? Problem { get; }

    public string NetnsPath => $"/var/run/netns/{netns}";

    /// <summary>A bundle whose OCI spec names the netns and declares net1 as the VF, as the CRI and Multus write it.</summary>
    public string Bundle(string id)
    {
        var bundle = Path.Combine(Directory, "bundles", id);
        System.IO.Directory.CreateDirectory(bundle);
        var status = $"[{{\"name\":\"sriov\",\"interface\":\"{Interface}\",\"device-info\":{{\"type\":\"pci\",\"version\":\"1.1.0\",\"pci\":{{\"pci-address\":\"{Vf}\"}}}}}}]";
        var spec = new JsonObject
        {
            ["ociVersion"] = "1.0.2",
            ["annotations"] = new JsonObject { [NetworkStatusAnnotation] = status },
            ["linux"] = new JsonObject { ["namespaces"] = new JsonArray(new JsonObject { ["type"] = "network", ["path"] = NetnsPath }) },
        };
        File.WriteAllText(Path.Combine(bundle, "config.json"), spec.ToJsonString());
        return bundle;
    }

    public void Dispose()
    {
        if (netns is not null)
        {
            Ip($"netns delete {netns}");
        }
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();

    private static string? Ip(string args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args.Split(' '))
        {
            psi.ArgumentList.Add(a);
        }
        try
        {
            using var p = Process.Start(psi)!;
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? null : $"skipped: ip {args} failed: {err.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"skipped: cannot run ip (install iproute2): {e.Message}";
        }
    }
}
