using Shim.PluginHost.Netlink;

namespace Shim.PluginHost.Tests.Contract;

public sealed class VfMacRequestTests
{
    [Fact]
    public void The_setlink_request_nests_the_vf_mac_like_iproute2()
    {
        var body = VfAdministrativeMacSetter.BuildRequest("ens1f0", 5, "02:AA:bb:cc:dd:01");

        // ifinfomsg (16 zero bytes: select by name), IFLA_IFNAME "ens1f0\0" padded to 8 (len 11),
        // IFLA_VFINFO_LIST (nested, type 22|0x8000) { IFLA_VF_INFO (1|0x8000) { IFLA_VF_MAC (1): vf u32 + mac[32] } }
        body.Length.ShouldBe(16 + 12 + 4 + 4 + 40);
        body.AsSpan(0, 16).ToArray().ShouldAllBe(b => b == 0);
        body.AsSpan(16, 4).ToArray().ShouldBe(new byte[] { 11, 0, 3, 0 });
        System.Text.Encoding.ASCII.GetString(body, 20, 6).ShouldBe("ens1f0");
        body.AsSpan(28, 4).ToArray().ShouldBe(new byte[] { 48, 0, 22, 0x80 });
        body.AsSpan(32, 4).ToArray().ShouldBe(new byte[] { 44, 0, 1, 0x80 });
        body.AsSpan(36, 4).ToArray().ShouldBe(new byte[] { 40, 0, 1, 0 });
        BitConverter.ToUInt32(body, 40).ShouldBe(5u);
        body.AsSpan(44, 6).ToArray().ShouldBe(new byte[] { 0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0x01 });
        body.AsSpan(50, 26).ToArray().ShouldAllBe(b => b == 0);
    }

    [Fact]
    public void A_malformed_mac_is_refused_before_any_socket_is_opened() =>
        Should.Throw<ArgumentException>(() => VfAdministrativeMacSetter.BuildRequest("ens1f0", 0, "02:aa:bb")).Message.ShouldContain("\"02:aa:bb\"");
}
