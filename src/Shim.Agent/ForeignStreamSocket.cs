using System.Net.Sockets;

namespace Shim.Agent;

/// <summary>
/// Hands a connected stream socket of a family .NET does not know (<c>AF_VSOCK</c>) to code that needs a
/// connected <see cref="Socket"/> (<c>TtrpcClient</c>). A <c>Socket</c> built from such an fd reports
/// <c>Connected = false</c> and <c>NetworkStream</c> refuses it, so: wrap one end of a fresh unix socketpair
/// (which .NET sees as a connected stream), then <c>dup3</c> the foreign fd over it before any I/O. .NET
/// registers the fd with epoll only on the first async operation, which then sees the foreign socket; reads
/// and writes are plain <c>recv</c>/<c>send</c>, which every stream socket family supports. Zero-copy, no pump.
/// </summary>
internal static unsafe class ForeignStreamSocket
{
    /// <summary>Takes ownership of <paramref name="fd"/> (closed on every path).</summary>
    public static Socket Adopt(int fd)
    {
        var pair = stackalloc int[2];
        if (LinuxSockets.SocketPair(LinuxSockets.AfUnix, LinuxSockets.SockStream | LinuxSockets.SockCloexec, 0, pair) != 0)
        {
            var errno = LinuxSockets.LastErrno;
            LinuxSockets.Close(fd);
            throw new SocketException(errno);
        }
        LinuxSockets.Close(pair[1]);
        Socket socket;
        try
        {
            socket = new Socket(new SafeSocketHandle(pair[0], ownsHandle: true));
        }
        catch
        {
            LinuxSockets.Close(pair[0]);
            LinuxSockets.Close(fd);
            throw;
        }
        // .NET's async engine expects a non-blocking fd; O_NONBLOCK lives on the open file, so set it on ours.
        if (!LinuxSockets.SetNonBlocking(fd) || LinuxSockets.Dup3(fd, pair[0], LinuxSockets.SockCloexec) < 0)
        {
            var errno = LinuxSockets.LastErrno;
            LinuxSockets.Close(fd);
            socket.Dispose();
            throw new SocketException(errno);
        }
        LinuxSockets.Close(fd);
        return socket;
    }
}
