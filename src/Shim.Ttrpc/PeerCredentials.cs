using System.Buffers.Binary;
using System.Net.Sockets;

namespace Shim.Ttrpc;

/// <summary>The connecting process as the kernel recorded it at <c>connect()</c> (<c>struct ucred</c>).</summary>
public readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;
    private const int UcredSize = 12;

    /// <summary>Reads <c>SO_PEERCRED</c> from a connected unix socket (Linux).</summary>
    /// <exception cref="SocketException">the socket is not a connected unix socket.</exception>
    public static PeerCredentials FromSocket(Socket socket)
    {
        Span<byte> ucred = stackalloc byte[UcredSize];
        var n = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        if (n != UcredSize)
        {
            throw new SocketException((int)SocketError.ProtocolNotSupported);
        }
        // struct ucred is in host byte order; Linux hosts we run on are little-endian.
        return new PeerCredentials(
            BinaryPrimitives.ReadInt32LittleEndian(ucred),
            BinaryPrimitives.ReadUInt32LittleEndian(ucred[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(ucred[8..]));
    }

    public override string ToString() => $"pid {Pid} uid {Uid} gid {Gid}";
}
