using System.Net.Sockets;

namespace Shim.Agent;

/// <summary>Opens a byte stream to the agent's ttrpc server for each kind of <see cref="AgentEndpoint"/>.</summary>
public static class AgentDialer
{
    /// <summary>One connection attempt (no retry). The returned socket is ready for ttrpc.</summary>
    /// <exception cref="AgentConnectException">connect or handshake failed.</exception>
    public static async Task<Socket> ConnectAsync(AgentEndpoint endpoint, TimeSpan handshakeTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint is VsockAgentEndpoint vsock)
        {
            return await VsockConnector.ConnectAsync(vsock, cancellationToken).ConfigureAwait(false);
        }
        var (socket, address) = endpoint switch
        {
            HybridVsockAgentEndpoint h => (new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified), new UnixDomainSocketEndPoint(h.SocketPath)),
            UnixAgentEndpoint u => (new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified), new UnixDomainSocketEndPoint(u.SocketPath)),
            _ => throw new ArgumentException($"unsupported endpoint {endpoint}", nameof(endpoint)),
        };
        try
        {
            try
            {
                await socket.ConnectAsync(address, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                throw new AgentConnectException(endpoint.ToString(), $"connect failed ({ex.SocketErrorCode}: {ex.Message})", ex);
            }
            if (endpoint is HybridVsockAgentEndpoint hybrid)
            {
                await HybridVsockHandshake.PerformAsync(socket, hybrid.Port, endpoint.ToString(), handshakeTimeout, cancellationToken).ConfigureAwait(false);
            }
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
