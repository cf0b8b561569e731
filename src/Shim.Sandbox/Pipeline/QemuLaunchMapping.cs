using Shim.Configuration;
using Shim.Qemu;
using Shim.Topology;

namespace Shim.Sandbox.Pipeline;

/// <summary>
/// [hypervisor.qemu] plus the topology plan → the QEMU launch. No guest kernel yet: nothing runs inside the VM, so
/// QEMU starts paused (<c>-S</c>) with the plan's ports and cold-plugged devices, passed through verbatim.
/// </summary>
public static class QemuLaunchMapping
{
    public static QemuLaunchSpec ToLaunchSpec(KataplugConfiguration config, TopologyPlan plan, SandboxStateDirectory state)
    {
        var q = config.Hypervisor;
        var vcpus = q.DefaultVcpus.Value;
        return new QemuLaunchSpec
        {
            Binary = q.Path.Value,
            Accelerator = q.Accelerator.Value.ToToml(),
            MemoryMiB = q.DefaultMemoryMiB.Value,
            Smp = SmpTopology.Flat(vcpus, vcpus),
            SharedMemory = q.HasSharedMemoryBackend,
            QmpSocketPath = state.QmpSocket,
            StartPaused = true,
            Devices = plan.DeviceArguments.Select(ColdPlugDevice.Raw).ToArray(),
            // QEMU merges repeated -machine options into the q35 machine the launcher names.
            ExtraArguments = plan.MachineOptions.Count == 0 ? [] : ["-machine", string.Join(",", plan.MachineOptions)],
        };
    }
}
