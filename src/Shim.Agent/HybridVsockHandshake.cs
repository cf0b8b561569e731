using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Shim.Agent;

/// <summary>
/// The host side of the hybrid-vsock handshake (kata-agent-protocol.md §1.2): send <c>CONNECT &lt;port&gt;\n</c>,
/// read one line byte-wise (every later byte belongs to ttrpc) and require it to start with <c>OK</c>.
/// </summary>
public static class HybridVsockHandshake
{
    /// <summary>Longest reply line accepted; <c>OK &lt;u32&gt;\n</c> is at most 14 bytes.</summary>
    public const int MaxReplyLength = 64;

    public static byte[] ConnectLine(uint port) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"CONNECT {port}\n"));

    /// <summary>Runs the handshake on a connected socket; returns the host-side port from <c>OK &lt;n&gt;</c> (0 if absent).</summary>
    /// <exception cref="AgentConnectException">the VMM closed the socket, answered something else, or <paramref name="timeout"/> passed.</exception>
    public static async Task<uint> PerformAsync(Socket socket, uint port, string endpoint, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        using var deadline = new CancellationTokenSource(timeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var line = new byte[MaxReplyLength];
        var length = 0;
        try
        {
            await socket.SendAsync(ConnectLine(port), SocketFlags.None, linked.Token).ConfigureAwait(false);
            while (true)
            {
                var n = await socket.ReceiveAsync(line.AsMemory(length, 1), SocketFlags.None, linked.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new AgentConnectException(endpoint,
                        $"the VMM closed the connection after 'CONNECT {port}' (no guest listener on port {port} yet: is the agent running?)");
                }
                if (line[length] == (byte)'\n')
                {
                    break;
                }
                if (++length == MaxReplyLength)
                {
                    throw new AgentConnectException(endpoint, $"handshake reply longer than {MaxReplyLength} bytes without a newline: not a hybrid-vsock muxer");
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new AgentConnectException(endpoint, $"no 'OK' reply to 'CONNECT {port}' within {timeout.TotalSeconds:0.###} s");
        }
        catch (SocketException ex)
        {
            throw new AgentConnectException(endpoint, $"handshake failed ({ex.SocketErrorCode})", ex);
        }
        var reply = Encoding.ASCII.GetString(line, 0, length).TrimEnd('\r');
        if (!reply.StartsWith("OK", StringComparison.Ordinal))
        {
            throw new AgentConnectException(endpoint, $"handshake reply '{reply}' to 'CONNECT {port}' is not 'OK <port>'");
        }
        return uint.TryParse(reply.AsSpan(2).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var hostPort) ? hostPort : 0;
    }
}
