using System.Buffers.Binary;
using System.Text;

namespace Shim.PluginHost.Netlink;

/// <summary>rtattr / nlattr walking: <c>{u16 len; u16 type}</c> then payload, each padded to 4 bytes.</summary>
internal static class NetlinkAttributes
{
    private const ushort TypeMask = 0x3FFF; // strips NLA_F_NESTED and NLA_F_NET_BYTEORDER

    public static Dictionary<ushort, ReadOnlyMemory<byte>> Parse(ReadOnlyMemory<byte> data)
    {
        var result = new Dictionary<ushort, ReadOnlyMemory<byte>>();
        var offset = 0;
        var span = data.Span;
        while (offset + 4 <= span.Length)
        {
            var len = BinaryPrimitives.ReadUInt16LittleEndian(span[offset..]);
            var type = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(span[(offset + 2)..]) & TypeMask);
            if (len < 4 || offset + len > span.Length) break; // malformed tail: keep what parsed
            result.TryAdd(type, data.Slice(offset + 4, len - 4));
            offset += Align(len);
        }
        return result;
    }

    public static int Align(int length) => (length + 3) & ~3;

    public static string? String(this Dictionary<ushort, ReadOnlyMemory<byte>> attributes, ushort type)
    {
        if (!attributes.TryGetValue(type, out var value)) return null;
        var span = value.Span;
        var nul = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? span[..nul] : span);
    }

    public static uint? UInt32(this Dictionary<ushort, ReadOnlyMemory<byte>> attributes, ushort type) =>
        attributes.TryGetValue(type, out var value) && value.Length >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(value.Span) : null;

    public static byte[]? Bytes(this Dictionary<ushort, ReadOnlyMemory<byte>> attributes, ushort type) =>
        attributes.TryGetValue(type, out var value) ? value.ToArray() : null;
}
