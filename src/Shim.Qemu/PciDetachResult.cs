namespace Shim.Qemu;

public enum PciDetachOutcome
{
    /// <summary><c>DEVICE_DELETED</c> arrived: QEMU released the device; the host driver may be restored.</summary>
    Removed,

    /// <summary>QEMU has no such device (e.g. after a reset or a restart): nothing holds it.</summary>
    NotPresent,

    /// <summary>The unplug was requested but the guest has not acknowledged by the deadline. QEMU still owns the
    /// device: never rebind it on the host. A later <c>DEVICE_DELETED</c> (or QEMU exiting) releases it.</summary>
    UnplugPending,

    /// <summary>The guest refused (<c>DEVICE_UNPLUG_GUEST_ERROR</c>) or QEMU kept reporting "guest is busy" until the
    /// deadline. The device is still attached.</summary>
    StillAttached,
}

/// <summary>The result of <see cref="PciHotplug.RemoveAsync"/>; <see cref="Detail"/> quotes QEMU where QEMU spoke.</summary>
public sealed record PciDetachResult(string Id, PciDetachOutcome Outcome, string Detail, TimeSpan Elapsed)
{
    /// <summary>Only then may the caller unbind vfio-pci and restore the host driver.</summary>
    public bool HostDeviceReleased => Outcome is PciDetachOutcome.Removed or PciDetachOutcome.NotPresent;
}
