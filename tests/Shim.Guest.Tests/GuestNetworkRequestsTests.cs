using System.Net;
using System.Net.Sockets;
using Shim.Abstractions;
using Shim.Agent.Protocol;
using Shim.Sandbox.Guest;
using HostIpAddress = System.Net.IPAddress;

namespace Shim.Guest.Tests;

public class GuestNetworkRequestsTests
{
    private static readonly GuestInterface Eth0 = new(
        "eth0", "AA:BB:CC:00:00:01", 1450,
        [new IpPrefix(HostIpAddress.Parse("10.88.0.5"), 16), new IpPrefix(HostIpAddress.Parse("fd00::5"), 64), new IpPrefix(HostIpAddress.Loopback, 8)],
        [
            new GuestRoute(AddressFamily.InterNetwork, null, HostIpAddress.Parse("10.88.0.1"), null, "eth0", 0, 0, 0),
            new GuestRoute(AddressFamily.InterNetwork, new IpPrefix(HostIpAddress.Parse("10.99.0.0"), 24), null, HostIpAddress.Parse("10.88.0.5"), "eth0", 253, 4, 1400),
            new GuestRoute(AddressFamily.InterNetworkV6, null, HostIpAddress.Parse("fd00::1"), null, "eth0", 0, 0, 0),
        ],
        [new GuestNeighbour(HostIpAddress.Parse("10.88.0.1"), "AA:BB:CC:00:00:FE", "eth0", 0x80, 0)],
        0x80 | 0x1000,
        "physical");

    private static readonly GuestInterface Net1 = new(
        "net1", "aa:bb:cc:00:00:02", 1500, [new IpPrefix(HostIpAddress.Parse("192.168.7.2"), 24)],
        [new GuestRoute(AddressFamily.InterNetwork, new IpPrefix(HostIpAddress.Parse("192.168.8.0"), 24), HostIpAddress.Parse("192.168.7.1"), null, "net1", 0, 0, 0)],
        [new GuestNeighbour(HostIpAddress.Parse("192.168.7.1"), null, "net1", 0x02, 0x08)],
        0,
        "vhost-user");

    private static readonly AttachmentRequest Vf = new("physical-vf", "0000:3b:02.0", EndpointKind.Physical) { GuestInterface = Eth0 };
    private static readonly AttachmentRequest Vhost = new("vhost-user", "vhu0", EndpointKind.VhostUser) { GuestInterface = Net1 };
    private static readonly AttachmentRequest Gpu = new("vfio", "0000:af:00.0", EndpointKind.Vfio);

    [Fact]
    public void Each_guest_interface_becomes_an_agent_interface_as_Kata_fills_it()
    {
        var requests = GuestNetworkRequests.Build([Vf, Gpu, Vhost], new Dictionary<AttachmentRequest, string> { [Vf] = "02/00" });

        requests.Interfaces.Count.ShouldBe(2);
        var eth0 = requests.Interfaces[0];
        eth0.Device.ShouldBe("eth0");
        eth0.Name.ShouldBe("eth0");
        eth0.HwAddr.ShouldBe("aa:bb:cc:00:00:01");
        eth0.Mtu.ShouldBe(1450ul);
        eth0.DevicePath.ShouldBe("02/00");
        eth0.Type.ShouldBe("physical");
        eth0.RawFlags.ShouldBe(0x80u);
        eth0.IPAddresses.ShouldBe([
            new Shim.Agent.Protocol.IPAddress { Family = IPFamily.V4, Address = "10.88.0.5", Mask = "16" },
            new Shim.Agent.Protocol.IPAddress { Family = IPFamily.V6, Address = "fd00::5", Mask = "64" },
        ]);
        var net1 = requests.Interfaces[1];
        net1.Name.ShouldBe("net1");
        net1.DevicePath.ShouldBe(""); // unknown: the agent matches by MAC alone
        net1.Type.ShouldBe("vhost-user");
        net1.RawFlags.ShouldBe(0u);
    }

    [Fact]
    public void Routes_of_every_endpoint_come_in_one_list_in_endpoint_order()
    {
        var routes = GuestNetworkRequests.Build([Vf, Vhost], new Dictionary<AttachmentRequest, string>()).Routes;

        routes.ShouldBe([
            new Route { Dest = "", Gateway = "10.88.0.1", Device = "eth0", Family = IPFamily.V4 },
            new Route { Dest = "10.99.0.0/24", Gateway = "", Source = "10.88.0.5", Device = "eth0", Scope = 253, Flags = 4, Mtu = 1400, Family = IPFamily.V4 },
            new Route { Dest = "", Gateway = "fd00::1", Device = "eth0", Family = IPFamily.V6 },
            new Route { Dest = "192.168.8.0/24", Gateway = "192.168.7.1", Device = "net1", Family = IPFamily.V4 },
        ]);
    }

    [Fact]
    public void Neighbours_of_every_endpoint_come_in_one_list()
    {
        var neighbours = GuestNetworkRequests.Build([Vf, Vhost], new Dictionary<AttachmentRequest, string>()).Neighbours;

        neighbours.ShouldBe([
            new ARPNeighbor
            {
                ToIPAddress = new Shim.Agent.Protocol.IPAddress { Family = IPFamily.V4, Address = "10.88.0.1" },
                Device = "eth0", Lladdr = "aa:bb:cc:00:00:fe", State = 0x80,
            },
            new ARPNeighbor
            {
                ToIPAddress = new Shim.Agent.Protocol.IPAddress { Family = IPFamily.V4, Address = "192.168.7.1" },
                Device = "net1", Lladdr = "", State = 0x02, Flags = 0x08,
            },
        ]);
    }

    [Fact]
    public void No_guest_interfaces_means_nothing_to_send()
    {
        var requests = GuestNetworkRequests.Build([Gpu], new Dictionary<AttachmentRequest, string>());

        requests.Interfaces.ShouldBeEmpty();
        requests.Routes.ShouldBeEmpty();
        requests.Neighbours.ShouldBeEmpty();
    }

    [Fact]
    public void A_non_ip_address_family_is_refused()
    {
        var odd = Vf with
        {
            GuestInterface = Eth0 with
            {
                Routes = [new GuestRoute(AddressFamily.AppleTalk, null, null, null, "eth0", 0, 0, 0)],
            },
        };

        Should.Throw<ArgumentException>(() => GuestNetworkRequests.Build([odd], new Dictionary<AttachmentRequest, string>()))
            .Message.ShouldContain("AppleTalk");
    }
}
