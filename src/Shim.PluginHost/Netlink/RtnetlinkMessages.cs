using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Shim.Abstractions;

namespace Shim.PluginHost.Netlink;

/// <summary>Decoders for RTM_NEWLINK / NEWADDR / NEWROUTE / NEWNEIGH payloads (the part after nlmsghdr).</summary>
internal static class RtnetlinkMessages
{
    public const ushort RtmGetLink = 18;
    public const ushort RtmGetAddr = 22;
    public const ushort RtmGetRoute = 26;
    public const ushort RtmGetNeigh = 30;
    public const ushort RtmNewLink = 16;
    public const ushort RtmNewAddr = 20;
    public const ushort RtmNewRoute = 24;
    public const ushort RtmNewNeigh = 28;

    private const ushort IflaAddress = 1, IflaIfname = 3, IflaMtu = 4, IflaLinkinfo = 18, IflaParentDevName = 56, IflaParentDevBusName = 57;
    private const ushort IflaInfoKind = 1;
    private const ushort IfaAddress = 1, IfaLocal = 2;
    private const ushort RtaDst = 1, RtaOif = 4, RtaGateway = 5, RtaPrefsrc = 7, RtaMetrics = 8, RtaTable = 15;
    private const ushort RtaxMtu = 2;
    private const ushort NdaDst = 1, NdaLladdr = 2;
    private const byte AfInet = 2, AfInet6 = 10;

    /// <summary>ifinfomsg: u8 family, u8 pad, u16 type, i32 index, u32 flags, u32 change.</summary>
    public static byte[] LinkRequestHeader() => new byte[16];

    /// <summary>ifaddrmsg (8 bytes), AF_UNSPEC = all families.</summary>
    public static byte[] AddressRequestHeader() => new byte[8];

    /// <summary>rtmsg (12 bytes).</summary>
    public static byte[] RouteRequestHeader() => new byte[12];

    /// <summary>ndmsg (12 bytes).</summary>
    public static byte[] NeighbourRequestHeader() => new byte[12];

    public sealed record RawLink(int Index, string Name, string? Mac, int Mtu, uint Flags, string? Kind, string? ParentDevName, string? ParentBusName);

    public static RawLink? Link(ReadOnlyMemory<byte> payload)
    {
        if (payload.Length < 16) return null;
        var s = payload.Span;
        var index = BinaryPrimitives.ReadInt32LittleEndian(s[4..]);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(s[8..]);
        var attrs = NetlinkAttributes.Parse(payload[16..]);
        var name = attrs.String(IflaIfname);
        if (name is null) return null;
        string? kind = null;
        if (attrs.TryGetValue(IflaLinkinfo, out var linkInfo)) kind = NetlinkAttributes.Parse(linkInfo).String(IflaInfoKind);
        return new RawLink(index, name, Mac(attrs.Bytes(IflaAddress)), (int)(attrs.UInt32(IflaMtu) ?? 0), flags, kind,
            attrs.String(IflaParentDevName), attrs.String(IflaParentDevBusName));
    }

    public static (int Index, IpPrefix Prefix)? Address(ReadOnlyMemory<byte> payload)
    {
        if (payload.Length < 8) return null;
        var s = payload.Span;
        var family = s[0];
        if (family is not (AfInet or AfInet6)) return null;
        var prefix = s[1];
        var index = (int)BinaryPrimitives.ReadUInt32LittleEndian(s[4..]);
        var attrs = NetlinkAttributes.Parse(payload[8..]);
        // IPv4: IFA_LOCAL is the interface's own address (IFA_ADDRESS is the peer on point-to-point links).
        var bytes = attrs.Bytes(IfaLocal) ?? attrs.Bytes(IfaAddress);
        return bytes is null ? null : (index, new IpPrefix(new IPAddress(bytes), prefix));
    }

    public static RouteInfo? Route(ReadOnlyMemory<byte> payload)
    {
        if (payload.Length < 12) return null;
        var s = payload.Span;
        var family = s[0];
        if (family is not (AfInet or AfInet6)) return null;
        var dstLen = s[1];
        uint table = s[4];
        var protocol = s[5];
        var scope = s[6];
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(s[8..]);
        var attrs = NetlinkAttributes.Parse(payload[12..]);
        table = attrs.UInt32(RtaTable) ?? table;
        var oif = attrs.UInt32(RtaOif);
        if (oif is null) return null; // multipath or unreachable routes have no single output link
        var dst = attrs.Bytes(RtaDst);
        uint mtu = 0;
        if (attrs.TryGetValue(RtaMetrics, out var metrics)) mtu = NetlinkAttributes.Parse(metrics).UInt32(RtaxMtu) ?? 0;
        return new RouteInfo(
            family == AfInet ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6,
            dst is null ? null : new IpPrefix(new IPAddress(dst), dstLen),
            attrs.Bytes(RtaGateway) is { } gw ? new IPAddress(gw) : null,
            attrs.Bytes(RtaPrefsrc) is { } src ? new IPAddress(src) : null,
            (int)oif.Value, protocol, scope, flags, table, mtu);
    }

    public static NeighbourInfo? Neighbour(ReadOnlyMemory<byte> payload)
    {
        if (payload.Length < 12) return null;
        var s = payload.Span;
        var family = s[0];
        if (family is not (AfInet or AfInet6)) return null;
        var index = BinaryPrimitives.ReadInt32LittleEndian(s[4..]);
        var state = BinaryPrimitives.ReadUInt16LittleEndian(s[8..]);
        var flags = s[10];
        var attrs = NetlinkAttributes.Parse(payload[12..]);
        var dst = attrs.Bytes(NdaDst);
        return dst is null ? null : new NeighbourInfo(new IPAddress(dst), Mac(attrs.Bytes(NdaLladdr)), index, state, flags);
    }

    private static string? Mac(byte[]? bytes) =>
        bytes is null || bytes.Length == 0 ? null : string.Join(':', bytes.Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
}
