using System.Buffers.Binary;

namespace Shim.Agent;

/// <summary>
/// An <c>AF_VSOCK</c> address as <c>struct sockaddr_vm</c> (linux/vm_sockets.h): family u16, reserved u16,
/// port u32, cid u32, flags u8, 3 zero bytes = 16 bytes in host byte order. .NET has no vsock endpoint and
/// its <c>SocketAddress</c> refuses family 40, so the bytes are built here and passed to <c>connect(2)</c>.
/// </summary>
public readonly record struct VsockAddress(uint Cid, uint Port)
{
    /// <summary><c>AF_VSOCK</c> on Linux.</summary>
    public const ushort AddressFamily = 40;

    /// <summary>Size of <c>struct sockaddr_vm</c>.</summary>
    public const int Size = 16;

    public void Encode(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"sockaddr_vm needs {Size} bytes, got {destination.Length}", nameof(destination));
        }
        destination[..Size].Clear();
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination, AddressFamily);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Port);
            BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Cid);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination, AddressFamily);
            BinaryPrimitives.WriteUInt32BigEndian(destination[4..], Port);
            BinaryPrimitives.WriteUInt32BigEndian(destination[8..], Cid);
        }
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        Encode(bytes);
        return bytes;
    }

    public static VsockAddress Decode(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            throw new ArgumentException($"sockaddr_vm needs {Size} bytes, got {source.Length}", nameof(source));
        }
        var little = BitConverter.IsLittleEndian;
        var family = little ? BinaryPrimitives.ReadUInt16LittleEndian(source) : BinaryPrimitives.ReadUInt16BigEndian(source);
        if (family != AddressFamily)
        {
            throw new ArgumentException($"sockaddr family {family} is not AF_VSOCK ({AddressFamily})", nameof(source));
        }
        var port = little ? BinaryPrimitives.ReadUInt32LittleEndian(source[4..]) : BinaryPrimitives.ReadUInt32BigEndian(source[4..]);
        var cid = little ? BinaryPrimitives.ReadUInt32LittleEndian(source[8..]) : BinaryPrimitives.ReadUInt32BigEndian(source[8..]);
        return new VsockAddress(cid, port);
    }

    public override string ToString() => $"vsock://{Cid}:{Port}";
}
