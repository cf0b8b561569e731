using System.Net.Sockets;
using AgentIpAddress = Shim.Agent.Protocol.IPAddress;
using HostIpAddress = System.Net.IPAddress;
using Shim.Abstractions;
using Shim.Agent.Protocol;

namespace Shim.Sandbox.Guest;

/// <summary>
/// The agent's network calls for a sandbox (kata-agent-protocol.md §3.2.1): one <c>UpdateInterface</c> per endpoint in
/// attachment order, then one <c>UpdateRoutes</c> with every endpoint's routes, then one <c>AddARPNeighbors</c>. The
/// attachments already hold Kata's selection (non-loopback addresses, non-kernel routes, permanent/gateway neighbours).
/// </summary>
/// <param name="Interfaces">One per attachment with a guest interface.</param>
/// <param name="Routes">Skip <c>UpdateRoutes</c> when empty.</param>
/// <param name="Neighbours">Skip <c>AddARPNeighbors</c> when empty.</param>
public sealed record GuestNetworkRequests(IReadOnlyList<Interface> Interfaces, IReadOnlyList<Route> Routes, IReadOnlyList<ARPNeighbor> Neighbours)
{
    /// <summary>IFF_NOARP, the only link flag Kata forwards.</summary>
    public const uint IffNoArp = 0x80;

    /// <param name="attachments">In endpoint order; attachments without <see cref="AttachmentRequest.GuestInterface"/> are skipped.</param>
    /// <param name="guestPciPaths">Guest PCI path (e.g. "02/00") of each attachment's NIC; a missing entry sends an empty
    /// <c>devicePath</c> (the agent then finds the link by MAC alone).</param>
    public static GuestNetworkRequests Build(
        IEnumerable<AttachmentRequest> attachments, IReadOnlyDictionary<AttachmentRequest, string> guestPciPaths)
    {
        var interfaces = new List<Interface>();
        var routes = new List<Route>();
        var neighbours = new List<ARPNeighbor>();
        foreach (var attachment in attachments)
        {
            if (attachment.GuestInterface is not { } nic) continue;
            var agentNic = new Interface
            {
                Device = nic.Name,
                Name = nic.Name,
                HwAddr = nic.Mac.ToLowerInvariant(),
                Mtu = (ulong)Math.Max(0, nic.Mtu),
                DevicePath = guestPciPaths.GetValueOrDefault(attachment) ?? "",
                Type = nic.EndpointType,
                RawFlags = nic.RawFlags & IffNoArp,
            };
            agentNic.IPAddresses.AddRange(nic.Addresses.Where(a => !HostIpAddress.IsLoopback(a.Address)).Select(Address));
            interfaces.Add(agentNic);
            routes.AddRange(nic.Routes.Select(ToRoute));
            neighbours.AddRange(nic.Neighbours.Select(ToNeighbour));
        }
        return new GuestNetworkRequests(interfaces, routes, neighbours);
    }

    private static AgentIpAddress Address(IpPrefix prefix) => new()
    {
        Family = Family(prefix.Family),
        Address = prefix.Address.ToString(),
        Mask = prefix.PrefixLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static Route ToRoute(GuestRoute r) => new()
    {
        Dest = r.Destination?.ToString() ?? "",
        Gateway = r.Gateway?.ToString() ?? "",
        Device = r.Device,
        Source = r.Source?.ToString() ?? "",
        Scope = r.Scope,
        Family = Family(r.Family),
        Flags = r.Flags,
        Mtu = r.Mtu,
    };

    private static ARPNeighbor ToNeighbour(GuestNeighbour n) => new()
    {
        ToIPAddress = new AgentIpAddress { Family = Family(n.Address.AddressFamily), Address = n.Address.ToString() },
        Device = n.Device,
        Lladdr = n.LinkLayerAddress?.ToLowerInvariant() ?? "",
        State = n.State,
        Flags = n.Flags,
    };

    private static IPFamily Family(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => IPFamily.V4,
        AddressFamily.InterNetworkV6 => IPFamily.V6,
        _ => throw new ArgumentException($"address family {family} is neither IPv4 nor IPv6; the agent only configures those", nameof(family)),
    };
}
