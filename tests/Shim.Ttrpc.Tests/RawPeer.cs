using System.Buffers.Binary;
using System.Net.Sockets;

namespace Shim.Ttrpc.Tests;

/// <summary>A byte-level peer: sends hand-made frames and reads raw frames, every wait bounded.</summary>
internal sealed class RawPeer : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly Socket socket;

    public RawPeer(Socket connected) => socket = connected;

    public static async Task<RawPeer> ConnectAsync(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        using var cts = new CancellationTokenSource(Patience);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cts.Token);
        return new RawPeer(socket);
    }

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        using var cts = new CancellationTokenSource(Patience);
        await socket.SendAsync(bytes, SocketFlags.None, cts.Token);
    }

    /// <summary>Sends a frame made of a header and data.</summary>
    public Task SendFrameAsync(uint streamId, byte type, ReadOnlySpan<byte> data, uint? declaredLength = null)
    {
        var frame = new byte[10 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, declaredLength ?? (uint)data.Length);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), streamId);
        frame[8] = type;
        data.CopyTo(frame.AsSpan(10));
        return SendAsync(frame);
    }

    /// <summary>Shuts our sending side: the server sees EOF.</summary>
    public void ShutdownSend() => socket.Shutdown(SocketShutdown.Send);

    /// <summary>Reads one whole frame (header + data bytes, as on the wire); null on EOF.</summary>
    public async Task<byte[]?> ReadFrameAsync()
    {
        var header = new byte[10];
        if (!await ReadExactlyOrEofAsync(header))
        {
            return null;
        }
        var length = BinaryPrimitives.ReadUInt32BigEndian(header);
        var frame = new byte[10 + length];
        header.CopyTo(frame, 0);
        (await ReadExactlyOrEofAsync(frame.AsMemory(10))).ShouldBeTrue("connection ended inside a frame");
        return frame;
    }

    /// <summary>Reads until the server closes; fails if a frame arrives instead.</summary>
    public async Task ExpectClosedAsync()
    {
        var frame = await ReadFrameAsync();
        frame.ShouldBeNull($"expected the server to close the connection, got frame {(frame is null ? "" : Hex.Format(frame))}");
    }

    private async Task<bool> ReadExactlyOrEofAsync(Memory<byte> buffer)
    {
        using var cts = new CancellationTokenSource(Patience);
        var filled = 0;
        while (filled < buffer.Length)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer[filled..], SocketFlags.None, cts.Token);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
            {
                n = 0;
            }
            if (n == 0)
            {
                return filled == 0 ? false : throw new EndOfStreamException($"EOF after {filled} of {buffer.Length} bytes");
            }
            filled += n;
        }
        return true;
    }

    public ValueTask DisposeAsync()
    {
        socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
