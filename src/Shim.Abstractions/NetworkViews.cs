using System.Net;
using System.Net.Sockets;

namespace Shim.Abstractions;

/// <summary>An IP address with its prefix length, e.g. 10.88.0.5/24.</summary>
public sealed record IpPrefix(IPAddress Address, int PrefixLength)
{
    public AddressFamily Family => Address.AddressFamily;

    public override string ToString() => $"{Address}/{PrefixLength}";
}

/// <summary>A route of the main table as netlink reports it.</summary>
/// <param name="Destination">Null for the default route.</param>
/// <param name="Protocol">rtm_protocol: 2 = kernel (recreated by the guest), 3 = boot, 4 = static.</param>
/// <param name="Scope">rtm_scope: 0 universe, 253 link, 254 host.</param>
public sealed record RouteInfo(
    AddressFamily Family,
    IpPrefix? Destination,
    IPAddress? Gateway,
    IPAddress? PreferredSource,
    int OutputInterfaceIndex,
    byte Protocol,
    byte Scope,
    uint Flags,
    uint Table,
    uint Mtu)
{
    public const byte ProtocolKernel = 2;
    public const uint MainTable = 254;
}

/// <summary>A neighbour (ARP / NDP) entry.</summary>
/// <param name="State">NUD state bits: 0x80 permanent, 0x02 reachable.</param>
public sealed record NeighbourInfo(IPAddress Address, string? LinkLayerAddress, int InterfaceIndex, ushort State, byte Flags)
{
    public const ushort NudPermanent = 0x80;
    public const ushort NudReachable = 0x02;
}

/// <summary>One link in a network namespace, with what the guest and the classifier need.</summary>
/// <param name="Mac">Lower-case <c>aa:bb:cc:dd:ee:ff</c>, or null for links without an Ethernet address.</param>
/// <param name="Flags">IFF_* flags (0x1 up, 0x8 loopback, 0x80 noarp).</param>
/// <param name="LinkKind">IFLA_INFO_KIND (veth, dummy, macvlan, ...), null for hardware NICs.</param>
/// <param name="ParentDeviceName">IFLA_PARENT_DEV_NAME (e.g. 0000:3b:02.1, virtio0); null when absent (kernel &lt; 5.14, virtual links).</param>
/// <param name="ParentBusName">IFLA_PARENT_DEV_BUS_NAME (pci, virtio, auxiliary, platform).</param>
/// <param name="EthtoolBusInfo">ETHTOOL_GDRVINFO bus_info; null when empty or unsupported.</param>
/// <param name="EthtoolDriver">ETHTOOL_GDRVINFO driver.</param>
public sealed record LinkInfo(
    int Index,
    string Name,
    string? Mac,
    int Mtu,
    uint Flags,
    string? LinkKind,
    string? ParentDeviceName,
    string? ParentBusName,
    string? EthtoolBusInfo,
    string? EthtoolDriver,
    IReadOnlyList<IpPrefix> Addresses,
    IReadOnlyList<RouteInfo> Routes,
    IReadOnlyList<NeighbourInfo> Neighbours)
{
    public const uint IffUp = 0x1;
    public const uint IffLoopback = 0x8;
    public const uint IffNoArp = 0x80;

    public bool IsLoopback => (Flags & IffLoopback) != 0;
}

/// <summary>Read-only view of one network namespace (the pod's). The host implements it over rtnetlink and ethtool.</summary>
public interface ILinkView
{
    /// <summary>Path of the namespace file this view reads (e.g. <c>/var/run/netns/cni-…</c>).</summary>
    string NetworkNamespacePath { get; }

    /// <summary>Every link with its addresses, main-table routes and neighbours, read in one pass.</summary>
    Task<IReadOnlyList<LinkInfo>> GetLinksAsync(CancellationToken cancellationToken);
}
