using System.Buffers.Binary;
using System.Text;

namespace Shim.PluginHost.Netlink;

/// <summary>Builds a netlink message body: a fixed family header, then (nested) attributes, each padded to 4 bytes.</summary>
internal sealed class NetlinkAttributeWriter
{
    private readonly List<byte> _bytes = [];
    private readonly Stack<int> _nests = new();

    public NetlinkAttributeWriter(ReadOnlySpan<byte> familyHeader) => _bytes.AddRange(familyHeader.ToArray());

    public NetlinkAttributeWriter Bytes(ushort type, ReadOnlySpan<byte> payload)
    {
        var start = _bytes.Count;
        Header(type, 4 + payload.Length);
        _bytes.AddRange(payload.ToArray());
        Pad(start);
        return this;
    }

    public NetlinkAttributeWriter String(ushort type, string value) => Bytes(type, [.. Encoding.UTF8.GetBytes(value), 0]);

    public NetlinkAttributeWriter Begin(ushort type)
    {
        _nests.Push(_bytes.Count);
        Header((ushort)(type | 0x8000), 0); // NLA_F_NESTED; the length is filled in by End
        return this;
    }

    public NetlinkAttributeWriter End()
    {
        var start = _nests.Pop();
        var length = (ushort)(_bytes.Count - start);
        _bytes[start] = (byte)length;
        _bytes[start + 1] = (byte)(length >> 8);
        return this;
    }

    public byte[] ToArray() => [.. _bytes];

    private void Header(ushort type, int length)
    {
        Span<byte> h = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(h, (ushort)length);
        BinaryPrimitives.WriteUInt16LittleEndian(h[2..], type);
        _bytes.AddRange(h.ToArray());
    }

    private void Pad(int start)
    {
        while ((_bytes.Count - start) % 4 != 0) _bytes.Add(0);
    }
}
