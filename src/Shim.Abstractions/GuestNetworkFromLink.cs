using System.Net;

namespace Shim.Abstractions;

/// <summary>
/// Builds the guest NIC configuration from a pod-netns link the way Kata does (kata-agent-protocol.md §3.2.1): all
/// non-loopback addresses, every route of the link except protocol-kernel ones (the guest recreates those), permanent
/// neighbours with a MAC plus reachable entries for the default gateways, and only IFF_NOARP from the flags.
/// </summary>
public static class GuestNetworkFromLink
{
    public static GuestInterface Build(LinkInfo link, string endpointType, string? macOverride = null)
    {
        var addresses = link.Addresses.Where(a => !IPAddress.IsLoopback(a.Address)).ToList();
        var routes = link.Routes
            .Where(r => r.Protocol != RouteInfo.ProtocolKernel && r.Table == RouteInfo.MainTable)
            .Select(r => new GuestRoute(r.Family, r.Destination, r.Gateway, r.PreferredSource, link.Name, r.Scope, r.Flags, r.Mtu))
            .ToList();
        var gateways = link.Routes.Where(r => r.Destination is null && r.Gateway is not null).Select(r => r.Gateway!).ToHashSet();
        var neighbours = link.Neighbours
            .Where(n => n.LinkLayerAddress is not null &&
                        ((n.State & NeighbourInfo.NudPermanent) != 0 ||
                         ((n.State & NeighbourInfo.NudReachable) != 0 && gateways.Contains(n.Address))))
            .Select(n => new GuestNeighbour(n.Address, n.LinkLayerAddress, link.Name, n.State, n.Flags))
            .ToList();
        var mac = macOverride ?? link.Mac ?? throw new ArgumentException(
            $"link {link.Name} has no MAC address: a guest NIC needs one (set a MAC on the pod interface)", nameof(link));
        return new GuestInterface(link.Name, mac, link.Mtu, addresses, routes, neighbours, link.Flags & LinkInfo.IffNoArp, endpointType);
    }
}
