using System.Net.Sockets;

namespace Shim.Agent.Tests;

public sealed class ForeignStreamSocketTests
{
    private static CancellationToken Ct => TestDeadline.Token;

    /// <summary>
    /// The vsock path adopts a raw connected fd into a .NET Socket. No vsock peer exists on the build host, so
    /// the same adoption is exercised with one end of a unix socketpair made through libc.
    /// </summary>
    [Fact]
    public async Task An_adopted_raw_fd_carries_bytes_both_ways_through_async_socket_IO()
    {
        var (raw, peerFd) = RawPair();
        using var adopted = ForeignStreamSocket.Adopt(raw);
        using var peer = new Socket(new SafeSocketHandle(peerFd, ownsHandle: true));
        await using var stream = new NetworkStream(adopted, ownsSocket: false);

        var payload = new byte[256 * 1024];
        new Random(7).NextBytes(payload);
        var send = peer.SendAsync(payload, SocketFlags.None, Ct).AsTask();
        var received = new byte[payload.Length];
        await stream.ReadExactlyAsync(received, Ct);
        await send;
        received.ShouldBe(payload);

        await stream.WriteAsync("pong"u8.ToArray(), Ct);
        var back = new byte[4];
        (await peer.ReceiveAsync(back, SocketFlags.None, Ct)).ShouldBe(4);
        back.ShouldBe("pong"u8.ToArray());
        adopted.Connected.ShouldBeTrue();
    }

    private static unsafe (int Raw, nint Peer) RawPair()
    {
        var fds = stackalloc int[2];
        LinuxSockets.SocketPair(LinuxSockets.AfUnix, LinuxSockets.SockStream | LinuxSockets.SockCloexec, 0, fds).ShouldBe(0);
        return (fds[0], fds[1]);
    }
}
