using System.Net.Sockets;

namespace Shim.Agent;

/// <summary>Connects an <c>AF_VSOCK</c> stream socket to (CID, port) through libc, as .NET cannot.</summary>
internal static class VsockConnector
{
    public static async Task<Socket> ConnectAsync(VsockAgentEndpoint endpoint, CancellationToken cancellationToken)
    {
        var fd = LinuxSockets.Socket(VsockAddress.AddressFamily, LinuxSockets.SockStream | LinuxSockets.SockCloexec, 0);
        if (fd < 0)
        {
            throw new AgentConnectException(endpoint.ToString(),
                $"cannot create an AF_VSOCK socket ({LinuxSockets.Describe(LinuxSockets.LastErrno)}); load the vhost_vsock module");
        }
        var address = new VsockAddress(endpoint.Cid, endpoint.Port).ToBytes();
        // A blocking connect on a pool thread: the kernel bounds it (SO_VM_SOCKETS_CONNECT_TIMEOUT, 2 s by default).
        var connect = Task.Run(() => Connect(fd, address), CancellationToken.None);
        int errno;
        try
        {
            errno = await connect.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _ = connect.ContinueWith(_ => LinuxSockets.Close(fd), TaskScheduler.Default);
            throw;
        }
        if (errno != 0)
        {
            LinuxSockets.Close(fd);
            throw new AgentConnectException(endpoint.ToString(), $"connect failed ({LinuxSockets.Describe(errno)}); is the VM up and the agent listening?");
        }
        try
        {
            return ForeignStreamSocket.Adopt(fd);
        }
        catch (SocketException ex)
        {
            throw new AgentConnectException(endpoint.ToString(), $"cannot adopt the vsock fd ({ex.Message})", ex);
        }
    }

    /// <summary>Returns 0 or the errno of <c>connect(2)</c>.</summary>
    private static unsafe int Connect(int fd, byte[] address)
    {
        fixed (byte* p = address)
        {
            return LinuxSockets.Connect(fd, p, address.Length) == 0 ? 0 : LinuxSockets.LastErrno;
        }
    }
}
