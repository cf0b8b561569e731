using System.Globalization;
using Shim.PluginHost.Native;

namespace Shim.PluginHost.Netlink;

/// <summary>
/// Applies <see cref="Shim.Abstractions.SetVfAdministrativeMac"/>: the equivalent of
/// <c>ip link set &lt;pf&gt; vf &lt;n&gt; mac &lt;mac&gt;</c> (RTM_SETLINK with IFLA_VFINFO_LIST / IFLA_VF_INFO / IFLA_VF_MAC) in the
/// host network namespace (kata-reference.md §2.4). The host resolves the PF netdev and VF index from sysfs first.
/// </summary>
public static class VfAdministrativeMacSetter
{
    /// <summary>The init process's namespace: the host's, even if the shim itself was started elsewhere.</summary>
    public const string HostNetworkNamespace = "/proc/1/ns/net";

    private const ushort RtmSetLink = 19;
    private const ushort IflaIfname = 3, IflaVfinfoList = 22, IflaVfInfo = 1, IflaVfMac = 1;

    public static void Set(string pfInterface, int vfIndex, string mac, TimeSpan deadline, string netnsPath = HostNetworkNamespace)
    {
        var body = BuildRequest(pfInterface, vfIndex, mac);
        var fds = NetnsSocketOpener.Open(netnsPath, deadline, (Libc.AfNetlink, Libc.SockRaw, Libc.NetlinkRoute));
        using var socket = new NetlinkRouteSocket(fds[0]);
        socket.Execute(RtmSetLink, body, DateTime.UtcNow + deadline,
            $"ip link set {pfInterface} vf {vfIndex} mac {mac} (in {netnsPath})");
    }

    /// <summary>ifinfomsg (index 0: select by IFLA_IFNAME) + IFLA_IFNAME + IFLA_VFINFO_LIST{IFLA_VF_INFO{IFLA_VF_MAC}}.</summary>
    internal static byte[] BuildRequest(string pfInterface, int vfIndex, string mac)
    {
        var macBytes = ParseMac(mac);
        // struct ifla_vf_mac { __u32 vf; __u8 mac[32]; }
        var vfMac = new byte[36];
        BitConverter.TryWriteBytes(vfMac, (uint)vfIndex);
        macBytes.CopyTo(vfMac, 4);
        return new NetlinkAttributeWriter(new byte[16])
            .String(IflaIfname, pfInterface)
            .Begin(IflaVfinfoList).Begin(IflaVfInfo).Bytes(IflaVfMac, vfMac).End().End()
            .ToArray();
    }

    private static byte[] ParseMac(string mac)
    {
        var parts = mac.Split(':');
        if (parts.Length != 6 || parts.Any(p => p.Length != 2 || !p.All(char.IsAsciiHexDigit)))
            throw new ArgumentException($"\"{mac}\" is not a MAC address (aa:bb:cc:dd:ee:ff)", nameof(mac));
        return parts.Select(p => byte.Parse(p, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
    }
}
