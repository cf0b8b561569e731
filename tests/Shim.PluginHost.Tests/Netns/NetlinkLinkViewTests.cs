using System.ComponentModel;
using System.Net;
using System.Net.Sockets;
using Shim.Abstractions;
using Shim.PluginHost.Netlink;

namespace Shim.PluginHost.Tests.Netns;

[Trait("Category", "Netns")]
public sealed class NetlinkLinkViewTests : IDisposable
{
    private readonly NetworkNamespace _ns = new();

    // This kernel has no dummy driver; veth pairs and bridges are the virtual links available everywhere.
    public NetlinkLinkViewTests()
    {
        try
        {
            _ns.In("link", "add", "d0", "type", "veth", "peer", "name", "d0p");
            _ns.In("link", "set", "d0", "address", "02:11:22:33:44:55", "mtu", "1400", "up");
            _ns.In("link", "set", "d0p", "up");
            _ns.In("addr", "add", "10.77.0.2/24", "dev", "d0");
            _ns.In("route", "add", "default", "via", "10.77.0.1", "dev", "d0");
            _ns.In("route", "add", "10.99.0.0/16", "via", "10.77.0.1", "dev", "d0", "mtu", "1300");
            _ns.In("neigh", "add", "10.77.0.1", "lladdr", "02:aa:bb:cc:dd:ee", "dev", "d0", "nud", "permanent");
            _ns.In("addr", "add", "fd00::2/64", "dev", "d0", "nodad");
            _ns.In("-6", "route", "add", "fd99::/64", "via", "fd00::1", "dev", "d0");
            _ns.In("-6", "neigh", "add", "fd00::1", "lladdr", "02:00:00:00:00:61", "dev", "d0", "nud", "permanent");
            _ns.In("link", "add", "br0", "type", "bridge");
            _ns.In("link", "set", "lo", "up");
        }
        catch
        {
            _ns.Dispose();
            throw;
        }
    }

    public void Dispose() => _ns.Dispose();

    private async Task<IReadOnlyList<LinkInfo>> Links()
    {
        using var view = NetlinkLinkView.Open(_ns.Path, TimeSpan.FromSeconds(5));
        view.NetworkNamespacePath.ShouldBe(_ns.Path);
        return await view.GetLinksAsync(CancellationToken.None);
    }

    [Fact]
    public async Task It_lists_the_links_of_the_namespace_not_of_the_host()
    {
        var links = await Links();

        links.Select(l => l.Name).Order(StringComparer.Ordinal).ShouldBe(["br0", "d0", "d0p", "lo"]);
        links.Single(l => l.Name == "lo").IsLoopback.ShouldBeTrue();
        links.Single(l => l.Name == "br0").LinkKind.ShouldBe("bridge");
    }

    [Fact]
    public async Task It_reads_mac_mtu_flags_kind_and_ethtool_driver()
    {
        var d0 = (await Links()).Single(l => l.Name == "d0");

        d0.Mac.ShouldBe("02:11:22:33:44:55");
        d0.Mtu.ShouldBe(1400);
        (d0.Flags & LinkInfo.IffUp).ShouldBe(LinkInfo.IffUp);
        d0.LinkKind.ShouldBe("veth");
        d0.EthtoolDriver.ShouldBe("veth");
    }

    [Fact]
    public async Task Virtual_links_have_no_parent_device()
    {
        var links = await Links();

        foreach (var link in links)
        {
            link.ParentDeviceName.ShouldBeNull();
            link.ParentBusName.ShouldBeNull();
            // veth reports an empty bus-info (absent); a bridge reports "N/A": neither may pass for a PCI address.
            PciAddressText.IsValid(link.EthtoolBusInfo).ShouldBeFalse();
        }
        links.Single(l => l.Name == "d0").EthtoolBusInfo.ShouldBeNull();
        links.Single(l => l.Name == "br0").EthtoolBusInfo.ShouldBe("N/A");
    }

    [Fact]
    public async Task It_reads_addresses_routes_and_neighbours_per_link()
    {
        var d0 = (await Links()).Single(l => l.Name == "d0");

        d0.Addresses.ShouldContain(new IpPrefix(IPAddress.Parse("10.77.0.2"), 24));
        var kernel = d0.Routes.Single(r => r.Destination == new IpPrefix(IPAddress.Parse("10.77.0.0"), 24));
        kernel.Protocol.ShouldBe(RouteInfo.ProtocolKernel);
        kernel.PreferredSource.ShouldBe(IPAddress.Parse("10.77.0.2"));
        var def = d0.Routes.Single(r => r.Family == AddressFamily.InterNetwork && r.Destination is null);
        def.Gateway.ShouldBe(IPAddress.Parse("10.77.0.1"));
        var statik = d0.Routes.Single(r => r.Destination == new IpPrefix(IPAddress.Parse("10.99.0.0"), 16));
        statik.Mtu.ShouldBe(1300u);
        statik.Table.ShouldBe(RouteInfo.MainTable);
        var neighbour = d0.Neighbours.Single(n => n.Address.Equals(IPAddress.Parse("10.77.0.1")));
        neighbour.LinkLayerAddress.ShouldBe("02:aa:bb:cc:dd:ee");
        neighbour.State.ShouldBe(NeighbourInfo.NudPermanent);
    }

    [Fact]
    public async Task It_reads_ipv6_addresses_routes_and_neighbours()
    {
        var d0 = (await Links()).Single(l => l.Name == "d0");

        d0.Addresses.ShouldContain(new IpPrefix(IPAddress.Parse("fd00::2"), 64));
        var route = d0.Routes.Single(r => r.Destination == new IpPrefix(IPAddress.Parse("fd99::"), 64));
        route.Family.ShouldBe(AddressFamily.InterNetworkV6);
        route.Gateway.ShouldBe(IPAddress.Parse("fd00::1"));
        d0.Neighbours.ShouldContain(n => n.Address.Equals(IPAddress.Parse("fd00::1")) && n.LinkLayerAddress == "02:00:00:00:00:61");
    }

    [Fact]
    public async Task The_guest_view_of_a_real_link_follows_katas_rules()
    {
        var d0 = (await Links()).Single(l => l.Name == "d0");

        var guest = GuestNetworkFromLink.Build(d0, "physical");

        guest.Addresses.ShouldContain(new IpPrefix(IPAddress.Parse("10.77.0.2"), 24));
        guest.Routes.ShouldNotContain(r => r.Destination == new IpPrefix(IPAddress.Parse("10.77.0.0"), 24));
        guest.Routes.ShouldContain(r => r.Destination == null && r.Gateway!.Equals(IPAddress.Parse("10.77.0.1")));
        guest.Routes.ShouldContain(r => r.Destination == new IpPrefix(IPAddress.Parse("10.99.0.0"), 16) && r.Mtu == 1300);
        guest.Neighbours.Select(n => n.LinkLayerAddress).Order(StringComparer.Ordinal).ShouldBe(["02:00:00:00:00:61", "02:aa:bb:cc:dd:ee"]);
        guest.Routes.ShouldNotContain(r => r.Destination != null && r.Destination.Address.Equals(IPAddress.Parse("fe80::")));
    }

    [Fact]
    public async Task A_view_can_be_read_repeatedly_and_sees_changes()
    {
        using var view = NetlinkLinkView.Open(_ns.Path);
        var before = await view.GetLinksAsync(CancellationToken.None);
        _ns.In("link", "add", "d1", "type", "bridge");

        var after = await view.GetLinksAsync(CancellationToken.None);

        before.ShouldNotContain(l => l.Name == "d1");
        after.ShouldContain(l => l.Name == "d1" && l.LinkKind == "bridge");
    }

    [Fact]
    public void A_missing_namespace_fails_naming_the_path()
    {
        var path = "/run/netns/kp-does-not-exist";

        var ex = Should.Throw<Win32Exception>(() => NetlinkLinkView.Open(path));

        ex.Message.ShouldContain(path);
        ex.Message.ShouldContain("errno 2");
    }

    [Fact]
    public void Setting_a_vf_mac_on_a_link_without_sr_iov_fails_naming_the_command_and_errno()
    {
        var ex = Should.Throw<Win32Exception>(() => VfAdministrativeMacSetter.Set("d0", 3, "02:00:00:00:00:01", TimeSpan.FromSeconds(5), _ns.Path));

        ex.Message.ShouldContain($"ip link set d0 vf 3 mac 02:00:00:00:00:01 (in {_ns.Path})");
        ex.NativeErrorCode.ShouldBe(95); // EOPNOTSUPP: veth has no VFs
    }

    [Fact]
    public void Setting_a_vf_mac_on_a_missing_pf_fails_with_enodev()
    {
        var ex = Should.Throw<Win32Exception>(() => VfAdministrativeMacSetter.Set("nope0", 0, "02:00:00:00:00:01", TimeSpan.FromSeconds(5), _ns.Path));

        ex.NativeErrorCode.ShouldBe(19);
    }
}
