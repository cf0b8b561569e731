namespace Shim.Abstractions;

/// <summary>Kata's <c>vfio_mode</c>: who drives a passed-through device inside the guest.</summary>
public enum VfioMode
{
    /// <summary><c>guest-kernel</c>: the guest's native driver claims it; the container gets no VFIO node.</summary>
    GuestKernel,

    /// <summary><c>vfio</c>: the agent rebinds it to vfio-pci in the guest and exposes <c>/dev/vfio/&lt;group&gt;</c>.</summary>
    Vfio,
}
