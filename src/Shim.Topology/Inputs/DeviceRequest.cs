namespace Shim.Topology;

/// <summary>
/// What a plugin asked for: a VFIO device (every function of its IOMMU group that must go to the VM) or a
/// vhost-user NIC. Build with <see cref="Vfio"/> or <see cref="VhostUser"/>.
/// </summary>
public sealed record DeviceRequest(
    string Plugin,
    string Interface,
    DeviceKind Kind,
    PlugMode Mode,
    IReadOnlyList<PciFunction> Functions,
    string? VhostUserSocket = null)
{
    public static DeviceRequest Vfio(string plugin, string iface, PlugMode mode, params PciFunction[] functions) =>
        new(plugin, iface, DeviceKind.Vfio, mode, functions);

    public static DeviceRequest VhostUser(string plugin, string iface, string socketPath, PlugMode mode = PlugMode.Cold) =>
        new(plugin, iface, DeviceKind.VhostUser, mode, Array.Empty<PciFunction>(), socketPath);

    /// <summary>The request as named in messages: <c>eth1 (0000:84:01.1)</c>, several BDFs joined by ", ".</summary>
    public DeviceRef Ref => new(Plugin, Interface, string.Join(", ", Functions.Select(f => f.Bdf)));

    internal DeviceRef RefOf(PciFunction f) => new(Plugin, Interface, f.Bdf);
}
