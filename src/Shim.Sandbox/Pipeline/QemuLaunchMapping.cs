using System.Globalization;
using Shim.Configuration;
using Shim.Qemu;
using Shim.Topology;

namespace Shim.Sandbox.Pipeline;

/// <summary>
/// [hypervisor.qemu] plus the topology plan → the QEMU launch. QEMU starts paused (<c>-S</c>) with the plan's ports
/// and cold-plugged devices, passed through verbatim, so hot-plug happens before the guest runs; the pipeline
/// continues it after. With the agent reached over vsock (no [agent.kata] address) the guest gets a vhost-vsock
/// device with its own CID and boots the configured kernel; with an external agent address there is no guest to boot.
/// </summary>
public static class QemuLaunchMapping
{
    public static QemuLaunchSpec ToLaunchSpec(KataplugConfiguration config, TopologyPlan plan, SandboxStateDirectory state, uint guestCid = 0)
    {
        var q = config.Hypervisor;
        var vcpus = q.DefaultVcpus.Value;
        // Kata: default_maxvcpus 0 means the host's CPU count; never fewer than the boot vCPUs.
        var maxVcpus = Math.Max(vcpus, q.DefaultMaxVcpus.Value == 0 ? Environment.ProcessorCount : q.DefaultMaxVcpus.Value);
        var devices = plan.DeviceArguments.Select(ColdPlugDevice.Raw).ToList();
        var vsock = !config.Agent.HasExternalAddress;
        var extra = new List<string> { "-name", $"sandbox-{state.SandboxId},debug-threads=on" };
        if (vsock)
        {
            devices.Add(ColdPlugDevice.Raw("vhost-vsock-pci,id=vsock0,guest-cid=" + guestCid.ToString(CultureInfo.InvariantCulture)));
        }
        if (UsesVirtiofs(config))
        {
            extra.AddRange(VirtiofsDaemon.ChardevArguments(state.VirtiofsSocket, VirtiofsChardev));
            devices.Add(ColdPlugDevice.Raw(VirtiofsDaemon.DeviceArgument(VirtiofsChardev, Shim.Sandbox.Guest.SandboxStorages.KataSharedTag)));
        }
        // QEMU merges repeated -machine options into the q35 machine the launcher names.
        if (plan.MachineOptions.Count > 0) extra.AddRange(["-machine", string.Join(",", plan.MachineOptions)]);
        return new QemuLaunchSpec
        {
            Binary = q.Path.Value,
            Accelerator = q.Accelerator.Value.ToToml(),
            MemoryMiB = q.DefaultMemoryMiB.Value,
            Smp = SmpTopology.Flat(vcpus, maxVcpus),
            SharedMemory = q.HasSharedMemoryBackend,
            QmpSocketPath = state.QmpSocket,
            StartPaused = true,
            Devices = devices,
            Kernel = vsock && q.Kernel.Value.Length > 0 ? q.Kernel.Value : null,
            Initrd = vsock && q.Initrd.Value.Length > 0 ? q.Initrd.Value : null,
            KernelAppend = vsock && q.Kernel.Value.Length > 0 ? q.KernelParams.Value : null,
            // The name (Kata's) shows in ps, and debug-threads names each vCPU thread "CPU n/TCG|KVM", so hot-added
            // vCPUs are visible on the host.
            ExtraArguments = extra,
        };
    }

    private const string VirtiofsChardev = "char-kataShared";

    /// <summary>True when the guest's agent needs virtiofsd: the agent is in the guest and shared_fs = "virtio-fs".</summary>
    public static bool UsesVirtiofs(KataplugConfiguration config) =>
        !config.Agent.HasExternalAddress && config.Hypervisor.SharedFs.Value == "virtio-fs";

    /// <summary>
    /// Why this configuration cannot boot a guest the agent runs in (checked before any side effect), or null.
    /// </summary>
    public static string? GuestBootProblem(KataplugConfiguration config)
    {
        if (config.Agent.HasExternalAddress) return null;
        var kernel = config.Hypervisor.Kernel;
        if (kernel.Value.Length == 0)
            return "kernel = \"\" in [hypervisor.qemu]: the agent is reached over vsock inside the guest, which needs a guest kernel — set kernel (and initrd or image), or set [agent.kata] address to an agent socket";
        if (!File.Exists(kernel.Value))
            return $"kernel = \"{kernel.Value}\" ({kernel.Origin}): no such file — install the Kata guest kernel there, or set [agent.kata] address to an agent socket";
        if (!File.Exists(VhostVsockDevice))
            return $"{VhostVsockDevice} is missing: the agent is reached over vsock, which needs the host's vhost_vsock module — run `modprobe vhost_vsock`, or set [agent.kata] address to an agent socket";
        var sharedFs = config.Hypervisor.SharedFs;
        if (sharedFs.Value != "virtio-fs")
            return $"shared_fs = \"{sharedFs.Value}\" ({sharedFs.Origin}): kataplug shares container rootfs with the guest over virtio-fs only (the agent has no 9p handler) — set shared_fs = \"virtio-fs\"";
        var daemon = config.Hypervisor.VirtioFsDaemon;
        if (!File.Exists(daemon.Value))
            return $"virtio_fs_daemon = \"{daemon.Value}\" ({daemon.Origin}): no such file — install virtiofsd (Debian: virtiofsd, or QEMU's /usr/lib/qemu/virtiofsd) and point virtio_fs_daemon at it";
        return null;
    }

    /// <summary>The host device QEMU's vhost-vsock-pci opens.</summary>
    public const string VhostVsockDevice = "/dev/vhost-vsock";

    /// <summary>A guest CID for vhost-vsock: 3 and up (0–2 are reserved), derived from the sandbox id so it is stable.</summary>
    public static uint GuestCidFor(string sandboxId)
    {
        var hash = 2166136261u;
        foreach (var c in sandboxId) hash = (hash ^ c) * 16777619u;
        return 3 + (hash % 0x7FFF_FFF0u);
    }
}
