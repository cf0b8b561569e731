using System.Text.Json.Nodes;
using Shim.HostPci;
using Shim.SysfsEmulator;

namespace Shim.Pipeline.Tests;

/// <summary>
/// An emulated host with an SR-IOV NIC (two VFs, each in its own IOMMU group), a state directory, and configuration
/// files that point the shim at both ([host] sysfs_root / state_dir) and at the built plugins.
/// </summary>
public sealed class PipelineHost : IDisposable
{
    public PipelineHost()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("kpp-").FullName;
        Host = new EmulatedHostBuilder()
            .HostBridge("0000:00:00.0")
            .SriovNic("0000:3b:00.0", totalVfs: 4, numVfs: 2, ifName: "ens1f0", up: true)
            .Build(Path.Combine(Directory, "host"));
        Vfs = PciInventory.Read(Host.Sysfs).Functions.Values.Where(f => f.IsVirtualFunction)
            .Select(f => f.Address.ToString()).Order(StringComparer.Ordinal).ToArray();
    }

    public string Directory { get; }

    public EmulatedHost Host { get; }

    public IReadOnlyList<string> Vfs { get; }

    public string StateDirectory => Path.Combine(Directory, "state");

    public string HostPciState => Path.Combine(StateDirectory, "hostpci");

    public static string PluginsDirectory => Path.Combine(AppContext.BaseDirectory, "plugins");

    public string SandboxState(string id) => Path.Combine(StateDirectory, "sandboxes", id);

    /// <summary>The test agent's <c>--shared-root</c>: the host directory the shim shares with the guest as kataShared.</summary>
    public string SharedRootTemplate => Path.Combine(SandboxState("{sandbox}"), "shared");

    /// <summary>
    /// Writes a configuration with <paramref name="qemuKeys"/> in [hypervisor.qemu]; returns its path.
    /// <paramref name="agentAddress"/> goes to [agent.kata] address (a test agent); <paramref name="qemuPath"/>
    /// replaces the QEMU binary (e.g. hack/qemu-vfio-standin).
    /// </summary>
    public string WriteConfig(string name, string qemuKeys, string? agentAddress = null, string? qemuPath = null, int dialTimeoutSeconds = 30)
    {
        var path = Path.Combine(Directory, name + ".toml");
        File.WriteAllText(path, $"""
            [hypervisor.qemu]
            path = "{qemuPath ?? "/usr/bin/qemu-system-x86_64"}"
            machine_type = "q35"
            accelerator = "tcg"
            default_memory = 128
            {qemuKeys}

            [plugins]
            enabled = ["physical-vf", "vfio", "vhost-user"]
            directory = "{PluginsDirectory}"

            [agent.kata]
            address = "{agentAddress ?? ""}"
            dial_timeout = {dialTimeoutSeconds}

            [host]
            sysfs_root = "{Host.Root}"
            state_dir = "{StateDirectory}"
            """);
        return path;
    }

    /// <summary>Multus' network-status annotation declaring <paramref name="vf"/> as the pod's net1.</summary>
    public static string NetworkStatus(string vf) =>
        $"[{{\"name\":\"sriov\",\"interface\":\"{PodNetns.Interface}\",\"device-info\":{{\"type\":\"pci\",\"version\":\"1.1.0\",\"pci\":{{\"pci-address\":\"{vf}\"}}}}}}]";

    public const string NetworkStatusAnnotation = "k8s.v1.cni.cncf.io/network-status";

    /// <summary>An OCI spec with the annotation and the pod's network namespace, as the CRI writes it.</summary>
    public static string OciSpec(string vf, string netnsPath) => new JsonObject
    {
        ["annotations"] = new JsonObject { [NetworkStatusAnnotation] = NetworkStatus(vf) },
        ["linux"] = new JsonObject
        {
            ["namespaces"] = new JsonArray(new JsonObject { ["type"] = "network", ["path"] = netnsPath }),
        },
    }.ToJsonString();

    public IReadOnlyList<GroupClaim> Claims() => new ClaimLedger(HostPciState).Snapshot();

    public IReadOnlyList<BindingRecord> Journal() => System.IO.Directory.Exists(HostPciState) ? new BindingJournal(HostPciState).List() : [];

    public void Dispose()
    {
        // A failed test may leave a QEMU behind (its QMP socket lives under our directory): end it by pid.
        foreach (var pid in Shim.Containerd.Tests.ProcessTable.PidsWhoseCommandLineContains(Directory))
        {
            try
            {
                System.Diagnostics.Process.GetProcessById(pid).Kill();
            }
            catch (ArgumentException)
            {
            }
        }
        LeftoverMounts.DetachUnder(Directory);
        if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, recursive: true);
    }
}
