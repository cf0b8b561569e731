using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Shim.TestAgent;

/// <summary>
/// Plays the VMM's hybrid-vsock backend (Firecracker / Cloud Hypervisor): accepts on a unix socket, reads
/// <c>CONNECT &lt;port&gt;\n</c> (keyword case-insensitive), and for the agent's port answers <c>OK &lt;n&gt;\n</c>
/// and splices the connection to the agent's ttrpc socket. Any other port, or garbage, is dropped without a
/// reply, as a VMM does when no guest listener exists.
/// </summary>
public sealed class HybridVsockMuxer : IAsyncDisposable
{
    private const int MaxLine = 64;
    private static readonly TimeSpan LineTimeout = TimeSpan.FromSeconds(10);
    private readonly Socket listener;
    private readonly string agentSocketPath;
    private readonly uint agentPort;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<Socket, byte> open = new();
    private readonly Task acceptLoop;
    private int nextHostPort = 1_073_741_824;

    public HybridVsockMuxer(string socketPath, uint agentPort, string agentSocketPath)
    {
        this.agentPort = agentPort;
        this.agentSocketPath = agentSocketPath;
        listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socketPath));
        listener.Listen(64);
        acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Handshakes refused so far (bad port or garbage).</summary>
    public int Refused => refused;

    private int refused;
    private int disposed;

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            open[client] = 0;
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        Socket? agent = null;
        try
        {
            var port = await ReadConnectLineAsync(client).ConfigureAwait(false);
            if (port != agentPort)
            {
                Interlocked.Increment(ref refused);
                return;
            }
            agent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            open[agent] = 0;
            await agent.ConnectAsync(new UnixDomainSocketEndPoint(agentSocketPath), stopping.Token).ConfigureAwait(false);
            var hostPort = Interlocked.Increment(ref nextHostPort);
            await client.SendAsync(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"OK {hostPort}\n")), SocketFlags.None, stopping.Token).ConfigureAwait(false);
            using var a = new NetworkStream(client, ownsSocket: false);
            using var b = new NetworkStream(agent, ownsSocket: false);
            // Either direction ending ends the connection, like a vsock stream reset.
            await Task.WhenAny(CopyAsync(a, b), CopyAsync(b, a)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or FormatException)
        {
            if (ex is FormatException)
            {
                Interlocked.Increment(ref refused);
            }
        }
        finally
        {
            Close(client);
            if (agent is not null)
            {
                Close(agent);
            }
        }
    }

    private async Task CopyAsync(Stream from, Stream to)
    {
        try
        {
            await from.CopyToAsync(to, 64 * 1024, stopping.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>Returns the port of a well-formed <c>CONNECT &lt;port&gt;</c> line; throws <see cref="FormatException"/> otherwise.</summary>
    private async Task<uint> ReadConnectLineAsync(Socket client)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        timeout.CancelAfter(LineTimeout);
        var line = new byte[MaxLine];
        var length = 0;
        while (true)
        {
            var n = await client.ReceiveAsync(line.AsMemory(length, 1), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            if (n == 0)
            {
                throw new FormatException("connection closed before the CONNECT line");
            }
            if (line[length] == (byte)'\n')
            {
                break;
            }
            if (++length == MaxLine)
            {
                throw new FormatException("CONNECT line too long");
            }
        }
        return ParseConnectLine(Encoding.ASCII.GetString(line, 0, length));
    }

    public static uint ParseConnectLine(string line)
    {
        var parts = line.TrimEnd('\r').Split(' ');
        return parts.Length == 2 && parts[0].Equals("CONNECT", StringComparison.OrdinalIgnoreCase)
               && uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            ? port
            : throw new FormatException($"not a CONNECT line: '{line}'");
    }

    private void Close(Socket socket)
    {
        open.TryRemove(socket, out _);
        socket.Dispose();
    }

    /// <summary>Refuses new connections; spliced ones live until either side closes (so in-flight replies still arrive).</summary>
    public void StopAccepting() => listener.Dispose();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }
        await stopping.CancelAsync().ConfigureAwait(false);
        listener.Dispose();
        await acceptLoop.ConfigureAwait(false);
        foreach (var socket in open.Keys)
        {
            Close(socket);
        }
    }
}
