using System.Net;
using System.Net.Sockets;
using Shim.Abstractions;

namespace Shim.PluginHost.Tests.Fakes;

/// <summary>A pod network namespace described in memory.</summary>
public sealed class FakeLinkView : ILinkView
{
    private readonly List<LinkInfo> _links = [];

    public string NetworkNamespacePath => "/var/run/netns/fake";

    public int Calls { get; private set; }

    public FakeLinkView Add(LinkInfo link)
    {
        _links.Add(link);
        return this;
    }

    public Task<IReadOnlyList<LinkInfo>> GetLinksAsync(CancellationToken cancellationToken)
    {
        Calls++;
        return Task.FromResult<IReadOnlyList<LinkInfo>>(_links);
    }

    public static LinkInfo Loopback() =>
        new(1, "lo", "00:00:00:00:00:00", 65536, LinkInfo.IffLoopback | LinkInfo.IffUp, null, null, null, null, null,
            [new IpPrefix(IPAddress.Loopback, 8)], [], []);

    /// <summary>A VF netdev with an address, a kernel route, a default route and a permanent neighbour.</summary>
    public static LinkInfo VfLink(string name, string? parentBdf, string mac = "02:00:00:aa:bb:01", int index = 5,
        string? parentBus = "pci", string? ethtoolBusInfo = null, string? ethtoolDriver = "mlx5_core")
    {
        var gw = IPAddress.Parse("10.10.0.1");
        return new LinkInfo(index, name, mac, 9000, LinkInfo.IffUp, null, parentBdf, parentBdf is null ? null : parentBus,
            ethtoolBusInfo ?? parentBdf, ethtoolDriver,
            [new IpPrefix(IPAddress.Parse("10.10.0.5"), 24), new IpPrefix(IPAddress.Parse("fd00::5"), 64)],
            [
                new RouteInfo(AddressFamily.InterNetwork, new IpPrefix(IPAddress.Parse("10.10.0.0"), 24), null, IPAddress.Parse("10.10.0.5"), index, RouteInfo.ProtocolKernel, 253, 0, RouteInfo.MainTable, 0),
                new RouteInfo(AddressFamily.InterNetwork, null, gw, null, index, 3, 0, 0, RouteInfo.MainTable, 0),
                new RouteInfo(AddressFamily.InterNetwork, new IpPrefix(IPAddress.Parse("192.168.50.0"), 24), gw, null, index, 4, 0, 0, RouteInfo.MainTable, 1400),
            ],
            [
                new NeighbourInfo(gw, "02:00:00:00:00:fe", index, NeighbourInfo.NudReachable, 0),
                new NeighbourInfo(IPAddress.Parse("10.10.0.7"), "02:00:00:00:00:07", index, NeighbourInfo.NudPermanent, 0),
                new NeighbourInfo(IPAddress.Parse("10.10.0.9"), "02:00:00:00:00:09", index, NeighbourInfo.NudReachable, 0),
            ]);
    }

    public static LinkInfo Veth(string name, int index = 2) =>
        new(index, name, "0a:58:0a:f4:00:05", 1500, LinkInfo.IffUp, "veth", null, null, null, "veth",
            [new IpPrefix(IPAddress.Parse("10.244.0.5"), 24)], [], []);
}
