namespace Shim.Qemu;

/// <summary>A vCPU request refused before anything was sent to QEMU (topology, maxcpus, or a known QEMU defect).</summary>
public sealed class VcpuHotplugException(string message) : Exception(message);
