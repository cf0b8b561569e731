using Shim.Agent.Protocol;

namespace Shim.Sandbox.Guest;

/// <summary>
/// OCI <c>LinuxResources</c> JSON → agent <see cref="LinuxResources"/> (kata-agent-protocol.md §2.9.6): memory, CPU and
/// pids. Devices, block I/O, hugepages, network, rdma and unified are not carried (Kata nils them: host device numbers
/// and block devices mean nothing in the guest). <c>cpu.cpus</c>/<c>cpu.mems</c> are blanked as Kata does: the guest
/// has its own CPU and NUMA numbering.
/// </summary>
internal static class OciResourcesConversion
{
    public static LinuxResources Convert(OciJsonNode resources)
    {
        var result = new LinuxResources();
        if (resources.Object("memory") is { } memory)
        {
            result.Memory = new LinuxMemory
            {
                Limit = memory.Int64("limit"),
                Reservation = memory.Int64("reservation"),
                Swap = memory.Int64("swap"),
                Kernel = memory.Int64("kernel"),
                KernelTCP = memory.Int64("kernelTCP"),
                Swappiness = memory.UInt64("swappiness"),
                DisableOOMKiller = memory.Bool("disableOOMKiller"),
            };
        }
        if (resources.Object("cpu") is { } cpu)
        {
            result.CPU = new LinuxCPU
            {
                Shares = cpu.UInt64("shares"),
                Quota = cpu.Int64("quota"),
                Period = cpu.UInt64("period"),
                RealtimeRuntime = cpu.Int64("realtimeRuntime"),
                RealtimePeriod = cpu.UInt64("realtimePeriod"),
            };
            // Read for validation only: a malformed value is still the spec's error.
            _ = cpu.String("cpus");
            _ = cpu.String("mems");
        }
        if (resources.Object("pids") is { } pids)
            result.Pids = new LinuxPids { Limit = pids.Int64("limit") };
        return result;
    }
}
