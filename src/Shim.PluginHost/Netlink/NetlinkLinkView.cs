using Shim.Abstractions;
using Shim.PluginHost.Native;

namespace Shim.PluginHost.Netlink;

/// <summary>
/// <see cref="ILinkView"/> over rtnetlink and ethtool sockets created inside the pod network namespace (sysfs-pci.md
/// §4: sysfs cannot be trusted across namespaces). Reads links, addresses, routes and neighbours in one pass; the PCI
/// parent comes from IFLA_PARENT_DEV_NAME, with the ethtool GDRVINFO bus-info alongside as the fallback.
/// </summary>
public sealed class NetlinkLinkView : ILinkView, IDisposable
{
    private readonly NetlinkRouteSocket _netlink;
    private readonly EthtoolDriverInfo _ethtool;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeSpan _deadline;

    private NetlinkLinkView(string path, NetlinkRouteSocket netlink, EthtoolDriverInfo ethtool, TimeSpan deadline)
    {
        NetworkNamespacePath = path;
        _netlink = netlink;
        _ethtool = ethtool;
        _deadline = deadline;
    }

    public string NetworkNamespacePath { get; }

    /// <summary>Opens the sockets inside <paramref name="netnsPath"/> (a bind-mounted netns file or /proc/&lt;pid&gt;/ns/net).</summary>
    /// <param name="deadline">Bound on entering the namespace and on each later <see cref="GetLinksAsync"/>.</param>
    public static NetlinkLinkView Open(string netnsPath, TimeSpan? deadline = null)
    {
        var limit = deadline ?? TimeSpan.FromSeconds(5);
        var fds = NetnsSocketOpener.Open(netnsPath, limit,
            (Libc.AfNetlink, Libc.SockRaw, Libc.NetlinkRoute),
            (Libc.AfInet, Libc.SockDgram, 0));
        NetlinkRouteSocket? netlink = null;
        try
        {
            netlink = new NetlinkRouteSocket(fds[0]);
            return new NetlinkLinkView(netnsPath, netlink, new EthtoolDriverInfo(fds[1]), limit);
        }
        catch
        {
            if (netlink is null) Libc.close(fds[0]);
            else netlink.Dispose();
            Libc.close(fds[1]);
            throw;
        }
    }

    public async Task<IReadOnlyList<LinkInfo>> GetLinksAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // The socket calls block briefly (bounded by poll deadlines); keep them off the caller's thread.
            return await Task.Run(Read, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private List<LinkInfo> Read()
    {
        var deadline = DateTime.UtcNow + _deadline;
        var links = _netlink.Dump(RtnetlinkMessages.RtmGetLink, RtnetlinkMessages.LinkRequestHeader(), deadline)
            .Where(m => m.Type == RtnetlinkMessages.RtmNewLink).Select(m => RtnetlinkMessages.Link(m.Payload)).OfType<RtnetlinkMessages.RawLink>().ToList();
        var addresses = _netlink.Dump(RtnetlinkMessages.RtmGetAddr, RtnetlinkMessages.AddressRequestHeader(), deadline)
            .Where(m => m.Type == RtnetlinkMessages.RtmNewAddr).Select(m => RtnetlinkMessages.Address(m.Payload)).OfType<(int Index, IpPrefix Prefix)>().ToList();
        var routes = _netlink.Dump(RtnetlinkMessages.RtmGetRoute, RtnetlinkMessages.RouteRequestHeader(), deadline)
            .Where(m => m.Type == RtnetlinkMessages.RtmNewRoute).Select(m => RtnetlinkMessages.Route(m.Payload)).OfType<RouteInfo>()
            .Where(r => r.Table == RouteInfo.MainTable).ToList();
        var neighbours = _netlink.Dump(RtnetlinkMessages.RtmGetNeigh, RtnetlinkMessages.NeighbourRequestHeader(), deadline)
            .Where(m => m.Type == RtnetlinkMessages.RtmNewNeigh).Select(m => RtnetlinkMessages.Neighbour(m.Payload)).OfType<NeighbourInfo>().ToList();

        return links.OrderBy(l => l.Index).Select(l =>
        {
            var drvinfo = _ethtool.Query(l.Name);
            return new LinkInfo(l.Index, l.Name, l.Mac, l.Mtu, l.Flags, l.Kind, l.ParentDevName, l.ParentBusName,
                drvinfo?.BusInfo, drvinfo?.Driver,
                addresses.Where(a => a.Index == l.Index).Select(a => a.Prefix).ToList(),
                routes.Where(r => r.OutputInterfaceIndex == l.Index).ToList(),
                neighbours.Where(n => n.InterfaceIndex == l.Index).ToList());
        }).ToList();
    }

    public void Dispose()
    {
        _netlink.Dispose();
        _ethtool.Dispose();
        _gate.Dispose();
    }
}
