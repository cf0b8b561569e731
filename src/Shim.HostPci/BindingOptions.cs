namespace Shim.HostPci;

/// <summary>Knobs of <see cref="GroupBinder"/> and <see cref="Reconciler"/>; the defaults suit a real host.</summary>
public sealed record BindingOptions
{
    /// <summary>Take groups whose members drive an up host interface or a mounted disk (normally refused).</summary>
    public bool AllowHostDevices { get; init; }

    /// <summary>Deadline for the <c>driver</c> link to name the expected driver after drivers_probe.</summary>
    public TimeSpan DriverTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline for <c>/dev/vfio/&lt;N&gt;</c> to appear once the group is on vfio-pci.</summary>
    public TimeSpan DevNodeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often a driver that re-grabs a device is unbound again before giving up.</summary>
    public int RegrabRetries { get; init; } = 1;

    /// <summary>Deadline for `modprobe vfio-pci` when vfio-pci is installed but not loaded (real host only).</summary>
    public TimeSpan ModprobeTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
