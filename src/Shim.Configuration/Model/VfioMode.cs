namespace Shim.Configuration;

/// <summary>Kata's vfio_mode.</summary>
public enum VfioMode
{
    /// <summary>"guest-kernel": the guest's native driver claims the device.</summary>
    GuestKernel,
    /// <summary>"vfio": the agent binds guest devices to vfio-pci and exposes /dev/vfio/&lt;group&gt;.</summary>
    Vfio,
}
