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
        if (vsock)
        {
            devices.Add(ColdPlugDevice.Raw("vhost-vsock-pci,id=vsock0,guest-cid=" + guestCid.ToString(CultureInfo.InvariantCulture)));
        }
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
            // QEMU merges repeated -machine options into the q35 machine the launcher names. The name (Kata's) shows
            // in ps, and debug-threads names each vCPU thread "CPU n/TCG|KVM", so hot-added vCPUs are visible on the host.
            ExtraArguments =
            [
                "-name", $"sandbox-{state.SandboxId},debug-threads=on",
                .. plan.MachineOptions.Count == 0 ? Array.Empty<string>() : ["-machine", string.Join(",", plan.MachineOptions)],
            ],
        };
    }

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
        return null;
    }

    /// <summary>A guest CID for vhost-vsock: 3 and up (0–2 are reserved), derived from the sandbox id so it is stable.</summary>
    public static uint GuestCidFor(string sandboxId)
    {
        var hash = 2166136261u;
        foreach (var c in sandboxId) hash = (hash ^ c) * 16777619u;
        return 3 + (hash % 0x7FFF_FFF0u);
    }
}
