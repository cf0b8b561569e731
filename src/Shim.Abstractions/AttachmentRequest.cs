using System.Net;
using System.Net.Sockets;

namespace Shim.Abstractions;

/// <summary>What a plugin asks the host to do for one endpoint. Pure data: the host validates, then applies.</summary>
public sealed record AttachmentRequest(string PluginName, string CandidateId, EndpointKind Kind)
{
    /// <summary>PCI functions to bind to vfio-pci and plug (a whole IOMMU group for generic VFIO).</summary>
    public IReadOnlyList<PciFunctionRequest> PciFunctions { get; init; } = [];

    /// <summary>A vhost-user NIC: chardev + netdev + virtio-net-pci.</summary>
    public VhostUserNetRequest? VhostUser { get; init; }

    /// <summary>The guest NIC configuration the agent applies (UpdateInterface, UpdateRoutes, AddARPNeighbors).</summary>
    public GuestInterface? GuestInterface { get; init; }

    /// <summary>VFIO devices as the container sees them (CreateContainerRequest.devices).</summary>
    public IReadOnlyList<ContainerVfioDevice> ContainerDevices { get; init; } = [];

    /// <summary>Host-side side effects to perform before binding (in order).</summary>
    public IReadOnlyList<HostAction> HostActions { get; init; } = [];
}

/// <summary>One PCI function to pass through.</summary>
/// <param name="Bdf">Canonical BDF.</param>
/// <param name="IommuGroup">The function's host IOMMU group, when known.</param>
public sealed record PciFunctionRequest(string Bdf, PlugMode Mode, int? IommuGroup);

/// <summary>Parameters of a vhost-user network backend.</summary>
/// <param name="SocketPath">The backend's UNIX socket (QEMU is the client).</param>
/// <param name="ReconnectSeconds">chardev <c>reconnect=</c>: QEMU reconnects this long after the backend went away (0 = never).</param>
/// <param name="Mac">Guest NIC MAC.</param>
/// <param name="Queues">Queue pairs (1 = single queue).</param>
public sealed record VhostUserNetRequest(string SocketPath, int ReconnectSeconds, string Mac, int Queues);

/// <summary>The guest NIC as the agent must configure it (kata types.Interface, Route, ARPNeighbor).</summary>
/// <param name="EndpointType">Agent informational type: physical, vfio, vhost-user.</param>
/// <param name="RawFlags">Only IFF_NOARP (0x80) is carried, as Kata does.</param>
public sealed record GuestInterface(
    string Name,
    string Mac,
    int Mtu,
    IReadOnlyList<IpPrefix> Addresses,
    IReadOnlyList<GuestRoute> Routes,
    IReadOnlyList<GuestNeighbour> Neighbours,
    uint RawFlags,
    string EndpointType);

/// <summary>A route the guest needs; <see cref="Destination"/> null = default route, <see cref="Gateway"/> null = on-link.</summary>
public sealed record GuestRoute(
    AddressFamily Family,
    IpPrefix? Destination,
    IPAddress? Gateway,
    IPAddress? Source,
    string Device,
    byte Scope,
    uint Flags,
    uint Mtu);

/// <summary>A static neighbour entry the guest needs.</summary>
public sealed record GuestNeighbour(IPAddress Address, string? LinkLayerAddress, string Device, ushort State, byte Flags);

/// <summary>A VFIO group as the container sees it.</summary>
/// <param name="HostPath"><c>/dev/vfio/&lt;group&gt;</c> or <c>/dev/vfio/devices/vfioN</c> as in the OCI spec.</param>
/// <param name="Bdfs">The group's non-bridge functions (the agent gets one <c>bdf=guest-path</c> option each).</param>
/// <param name="RemoveFromContainerSpec">guest-kernel mode: the node is stripped from <c>linux.devices</c>.</param>
public sealed record ContainerVfioDevice(string HostPath, int IommuGroup, VfioMode Mode, IReadOnlyList<string> Bdfs, bool RemoveFromContainerSpec)
{
    /// <summary>The agent's device type: <c>vfio-pci</c> in vfio mode, <c>vfio-pci-gk</c> in guest-kernel mode.</summary>
    public string AgentDeviceType => Mode == VfioMode.Vfio ? "vfio-pci" : "vfio-pci-gk";
}

/// <summary>A host-side action the host performs (after validation, before binding). Plugins only describe it.</summary>
public abstract record HostAction;

/// <summary>
/// <c>ip link set &lt;PF netdev&gt; vf &lt;VfIndex&gt; mac &lt;Mac&gt;</c> in the host netns, so the guest driver comes up with
/// the CNI-assigned MAC (Kata sets it too). The host resolves the PF netdev from sysfs.
/// </summary>
public sealed record SetVfAdministrativeMac(string VfBdf, string PfBdf, int? VfIndex, string Mac) : HostAction;
