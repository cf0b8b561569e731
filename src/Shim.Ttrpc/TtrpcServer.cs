using System.Collections.Concurrent;
using System.Net.Sockets;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Shim.Ttrpc;

/// <summary>
/// A ttrpc server on a unix socket. Register handlers by (service, method) — no code generation — then
/// <see cref="Listen(string)"/>; stop with <see cref="StopAsync"/>.
/// </summary>
/// <example><code>
/// var server = new TtrpcServer();
/// server.Register("containerd.task.v2.Task", "Connect", ConnectRequest.Parser,
///     (req, ctx) => Task.FromResult(new ConnectResponse { ShimPid = 1 }));
/// server.Listen("/run/kataplug/s.sock");
/// </code></example>
public sealed class TtrpcServer : IAsyncDisposable
{
    private readonly TtrpcServerOptions options;
    private readonly ILogger logger;
    private readonly MethodTable methods = new();
    private readonly ConcurrentDictionary<ServerConnection, Task> connections = new();
    private readonly CancellationTokenSource accepting = new();
    private readonly Lock gate = new();
    private Socket? listener;
    private string? ownedPath;
    private Task acceptLoop = Task.CompletedTask;
    private Task? stopping;

    public TtrpcServer(TtrpcServerOptions? options = null)
    {
        this.options = options ?? new TtrpcServerOptions();
        if (this.options.MaxConnections < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), this.options.MaxConnections, "MaxConnections must be at least 1");
        }
        if (this.options.MaxConcurrentRequestsPerConnection < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), this.options.MaxConcurrentRequestsPerConnection,
                "MaxConcurrentRequestsPerConnection must be at least 1");
        }
        logger = this.options.Logger ?? NullLogger.Instance;
    }

    /// <summary>Connections currently served.</summary>
    public int ConnectionCount => connections.Count;

    /// <summary>
    /// Routes <paramref name="service"/>/<paramref name="method"/> to <paramref name="handler"/>. Throw
    /// <see cref="TtrpcException"/> from the handler to choose the status code; honour the context's token.
    /// Safe to call before or after <c>Listen</c>.
    /// </summary>
    public TtrpcServer Register<TRequest, TResponse>(
        string service,
        string method,
        MessageParser<TRequest> parser,
        Func<TRequest, TtrpcCallContext, Task<TResponse>> handler)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage
    {
        methods.Add(service, method, parser, handler);
        return this;
    }

    /// <summary>Binds <paramref name="socketPath"/> (mode from options, 0600 by default), listens and starts accepting.</summary>
    public void Listen(string socketPath)
    {
        var socket = UnixListenSocket.Bind(socketPath, options.SocketMode, options.Backlog);
        try
        {
            Start(socket, socketPath);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Serves an already bound and listening unix socket (the daemon inherits it from <c>start</c>).</summary>
    public void Listen(Socket listeningSocket)
    {
        ArgumentNullException.ThrowIfNull(listeningSocket);
        if (listeningSocket.AddressFamily != AddressFamily.Unix || listeningSocket.SocketType != SocketType.Stream)
        {
            throw new ArgumentException(
                $"ttrpc needs a unix stream socket, got {listeningSocket.AddressFamily}/{listeningSocket.SocketType}", nameof(listeningSocket));
        }
        if (!IsListening(listeningSocket))
        {
            // Otherwise accept() would fail with EINVAL forever.
            throw new ArgumentException("the socket is not listening; call Listen() on it before handing it to the server", nameof(listeningSocket));
        }
        Start(listeningSocket, ownedPath: null);
    }

    /// <summary>Serves the listening unix socket behind file descriptor <paramref name="fd"/> (takes ownership).</summary>
    public void ListenOnFileDescriptor(int fd)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        Socket socket;
        try
        {
            socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        }
        catch (SocketException ex)
        {
            throw new ArgumentException($"file descriptor {fd} is not a socket ({ex.SocketErrorCode}); pass the inherited listening socket's fd", nameof(fd), ex);
        }
        try
        {
            Listen(socket);
        }
        catch (ArgumentException ex)
        {
            socket.Dispose();
            throw new ArgumentException($"file descriptor {fd}: {ex.Message}", nameof(fd), ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // SO_ACCEPTCONN (SOL_SOCKET 1, option 30): 1 when listen() was called.
    private static bool IsListening(Socket socket)
    {
        Span<byte> value = stackalloc byte[sizeof(int)];
        return socket.GetRawSocketOption(1, 30, value) == sizeof(int) && BitConverter.ToInt32(value) != 0;
    }

    /// <summary>
    /// Stops accepting, lets in-flight calls finish for up to <paramref name="drainTimeout"/> (new requests on
    /// open connections get UNAVAILABLE), then cancels the rest and closes every connection. Idempotent.
    /// When it returns the socket no longer accepts; the task completes once every connection is closed.
    /// Do not await it from inside a handler (it waits for that handler): start it and return.
    /// </summary>
    public Task StopAsync(TimeSpan drainTimeout)
    {
        Socket? socket;
        string? path;
        TaskCompletionSource done;
        lock (gate)
        {
            if (stopping is not null)
            {
                return stopping;
            }
            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            stopping = done.Task;
            socket = listener;
            path = ownedPath;
        }

        // Synchronous part: after this no connection is admitted and open ones refuse new requests.
        accepting.Cancel();
        socket?.Dispose();
        RemoveSocketFile(path);
        var drains = connections.Keys.Select(c => c.DrainAsync()).ToArray();
        _ = FinishStopAsync(drains, drainTimeout, done);
        return done.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero).ConfigureAwait(false);
        accepting.Dispose();
    }

    private void Start(Socket socket, string? ownedPath)
    {
        lock (gate)
        {
            if (stopping is not null)
            {
                throw new InvalidOperationException("ttrpc server is stopped; create a new one");
            }
            if (listener is not null)
            {
                throw new InvalidOperationException("ttrpc server is already listening; one server serves one socket");
            }
            listener = socket;
            this.ownedPath = ownedPath;
            acceptLoop = Task.Run(() => AcceptLoopAsync(socket));
        }
    }

    private async Task AcceptLoopAsync(Socket socket)
    {
        while (!accepting.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await socket.AcceptAsync(accepting.Token).ConfigureAwait(false);
            }
            catch (Exception) when (accepting.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                // EMFILE and friends: transient; back off so the loop does not spin.
                logger.LogWarning("ttrpc: accept failed: {Error}", ex.SocketErrorCode);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), accepting.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }
            Admit(accepted);
        }
    }

    private void Admit(Socket accepted)
    {
        if (connections.Count >= options.MaxConnections)
        {
            logger.LogWarning("ttrpc: {Count} connections open (MaxConnections); refusing a new one", connections.Count);
            accepted.Dispose();
            return;
        }
        PeerCredentials peer;
        try
        {
            peer = PeerCredentials.FromSocket(accepted);
        }
        catch (SocketException ex)
        {
            logger.LogWarning("ttrpc: cannot read peer credentials ({Error}); closing the connection", ex.SocketErrorCode);
            accepted.Dispose();
            return;
        }
        bool allowed;
        try
        {
            allowed = options.PeerPolicy.IsAllowed(peer);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "ttrpc: peer policy '{Policy}' threw; rejecting {Peer}", options.PeerPolicy.Name, peer);
            allowed = false;
        }
        if (!allowed)
        {
            logger.LogWarning("ttrpc: invalid credentials: operation not permitted ({Peer}; policy: {Policy})", peer, options.PeerPolicy.Name);
            accepted.Dispose();
            return;
        }

        var connection = new ServerConnection(accepted, methods, peer, options, logger);
        var gateOpen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connections[connection] = ServeAsync(connection, gateOpen.Task);
        gateOpen.SetResult();
        if (accepting.IsCancellationRequested)
        {
            connection.Abort(); // Raced with StopAsync, which may already have taken its snapshot.
        }
    }

    private async Task ServeAsync(ServerConnection connection, Task registered)
    {
        await registered.ConfigureAwait(false);
        try
        {
            await connection.RunAsync().ConfigureAwait(false);
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            connections.TryRemove(connection, out _);
        }
    }

    private void RemoveSocketFile(string? path)
    {
        if (path is null)
        {
            return;
        }
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("ttrpc: could not remove socket file {Path}: {Reason}", path, ex.Message);
        }
    }

    private async Task FinishStopAsync(Task[] drains, TimeSpan drainTimeout, TaskCompletionSource done)
    {
        try
        {
            await acceptLoop.ConfigureAwait(false);
            try
            {
                await Task.WhenAll(drains).WaitAsync(drainTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                logger.LogWarning("ttrpc: calls still running after the {Timeout} drain period are cancelled", drainTimeout);
            }
            foreach (var connection in connections.Keys)
            {
                connection.Abort();
            }
            // Aborted handlers answer nothing and return at once; the serve tasks end with them.
            await Task.WhenAll(connections.Values.ToArray()).ConfigureAwait(false);
            done.SetResult();
        }
        catch (Exception ex)
        {
            done.SetException(ex);
        }
    }
}
