using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Shim.Agent;

/// <summary>
/// An <c>AF_VSOCK</c> address (<c>struct sockaddr_vm</c>, linux/vm_sockets.h): family u16, reserved u16,
/// port u32, cid u32, flags u8, 3 zero bytes — 16 bytes, host byte order. .NET has no vsock endpoint.
/// </summary>
public sealed class VsockEndPoint : EndPoint
{
    /// <summary><c>AF_VSOCK</c> on Linux.</summary>
    public const AddressFamily VsockAddressFamily = (AddressFamily)40;

    /// <summary>Size of <c>struct sockaddr_vm</c>.</summary>
    public const int SockaddrSize = 16;

    public VsockEndPoint(uint cid, uint port)
    {
        Cid = cid;
        Port = port;
    }

    public uint Cid { get; }

    public uint Port { get; }

    public override AddressFamily AddressFamily => VsockAddressFamily;

    public override SocketAddress Serialize()
    {
        var address = new SocketAddress(VsockAddressFamily, SockaddrSize);
        Span<byte> bytes = stackalloc byte[SockaddrSize];
        Encode(bytes);
        // Bytes 0-1 (family) are written by SocketAddress itself; copy the rest.
        for (var i = 2; i < SockaddrSize; i++)
        {
            address[i] = bytes[i];
        }
        return address;
    }

    public override EndPoint Create(SocketAddress socketAddress)
    {
        ArgumentNullException.ThrowIfNull(socketAddress);
        if (socketAddress.Family != VsockAddressFamily || socketAddress.Size < SockaddrSize)
        {
            throw new ArgumentException($"not a sockaddr_vm: family {socketAddress.Family}, size {socketAddress.Size}", nameof(socketAddress));
        }
        Span<byte> bytes = stackalloc byte[SockaddrSize];
        for (var i = 0; i < SockaddrSize; i++)
        {
            bytes[i] = socketAddress[i];
        }
        return Decode(bytes);
    }

    /// <summary>Writes the 16-byte <c>sockaddr_vm</c> (Linux is little-endian on every arch Kata ships but s390x/ppc64; use native order).</summary>
    public void Encode(Span<byte> destination)
    {
        if (destination.Length < SockaddrSize)
        {
            throw new ArgumentException($"need {SockaddrSize} bytes, got {destination.Length}", nameof(destination));
        }
        destination[..SockaddrSize].Clear();
        WriteNative16(destination, (ushort)VsockAddressFamily);
        WriteNative32(destination[4..], Port);
        WriteNative32(destination[8..], Cid);
    }

    public static VsockEndPoint Decode(ReadOnlySpan<byte> source)
    {
        if (source.Length < SockaddrSize)
        {
            throw new ArgumentException($"need {SockaddrSize} bytes, got {source.Length}", nameof(source));
        }
        var family = BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt16LittleEndian(source) : BinaryPrimitives.ReadUInt16BigEndian(source);
        if (family != (ushort)VsockAddressFamily)
        {
            throw new ArgumentException($"sockaddr family {family} is not AF_VSOCK (40)", nameof(source));
        }
        return new VsockEndPoint(ReadNative32(source[8..]), ReadNative32(source[4..]));
    }

    public override string ToString() => $"vsock://{Cid}:{Port}";

    public override bool Equals(object? obj) => obj is VsockEndPoint other && other.Cid == Cid && other.Port == Port;

    public override int GetHashCode() => HashCode.Combine(Cid, Port);

    private static void WriteNative16(Span<byte> d, ushort v)
    {
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(d, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(d, v);
        }
    }

    private static void WriteNative32(Span<byte> d, uint v)
    {
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(d, v);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(d, v);
        }
    }

    private static uint ReadNative32(ReadOnlySpan<byte> s) =>
        BitConverter.IsLittleEndian ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);
}
