namespace Shim.Topology;

public enum TopologyDeviceKind
{
    IntelIommu,
    RootPort,
    SwitchRootPort,
    SwitchUpstreamPort,
    SwitchDownstreamPort,
    PciBridge,
}

/// <summary>One port/bridge/vIOMMU device of the topology, with the id QEMU will actually give its bus.</summary>
public sealed record TopologyDevice(TopologyDeviceKind Kind, string Id, string Driver, IReadOnlyList<QemuProperty> Properties)
{
    /// <summary>The text after <c>-device</c>, e.g. <c>pcie-root-port,id=rp0,bus=pcie.0,chassis=0,slot=0,multifunction=off</c>.</summary>
    public string DeviceArgument => Properties.Count == 0 ? Driver : Driver + "," + string.Join(",", Properties);
}
