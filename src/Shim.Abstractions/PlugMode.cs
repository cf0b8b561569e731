namespace Shim.Abstractions;

/// <summary>How a PCI function should reach the guest.</summary>
public enum PlugMode
{
    /// <summary>On the QEMU command line, before the guest boots.</summary>
    Cold,

    /// <summary>Through QMP <c>device_add</c> while the guest runs.</summary>
    Hot,

    /// <summary>Let the host decide from the sandbox phase and configuration.</summary>
    Auto,
}
