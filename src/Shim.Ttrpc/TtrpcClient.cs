using System.Collections.Concurrent;
using System.Net.Sockets;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Shim.Ttrpc.Wire;

namespace Shim.Ttrpc;

/// <summary>
/// A ttrpc client on one connection: concurrent unary calls on odd stream ids (1, 3, 5 …), replies matched
/// by id in any order (ttrpc.md §7). When the connection ends every pending and later call fails with
/// <see cref="TtrpcClosedException"/>; reconnecting is the caller's choice (create a new client).
/// </summary>
public sealed class TtrpcClient : IAsyncDisposable
{
    private readonly NetworkStream stream;
    private readonly FrameReader reader;
    private readonly FrameWriter writer;
    private readonly ILogger logger;
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<Response>> pending = new();
    private readonly CancellationTokenSource lifetime = new();
    private readonly Task readLoop;
    private long lastStreamId = -1;
    private volatile string? closedReason;

    /// <summary>Takes ownership of a connected unix stream socket and starts reading replies.</summary>
    public TtrpcClient(Socket connectedSocket, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connectedSocket);
        stream = new NetworkStream(connectedSocket, ownsSocket: true);
        reader = new FrameReader(new BufferedStream(stream, 64 * 1024));
        writer = new FrameWriter(stream);
        this.logger = logger ?? NullLogger.Instance;
        readLoop = Task.Run(ReadLoopAsync);
    }

    /// <summary>Completes (never faults) when the connection has ended and all pending calls have failed.</summary>
    public Task Completion => readLoop;

    public bool IsClosed => closedReason is not null;

    /// <summary>Connects to the ttrpc server at <paramref name="socketPath"/> (a plain path, as in TTRPC_ADDRESS).</summary>
    public static async Task<TtrpcClient> ConnectAsync(string socketPath, CancellationToken cancellationToken, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new TtrpcClosedException($"cannot connect to '{socketPath}' ({ex.SocketErrorCode}); is the server running?", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new TtrpcClient(socket, logger);
    }

    /// <summary>Calls <paramref name="service"/>/<paramref name="method"/> without metadata.</summary>
    public Task<TResponse> CallAsync<TRequest, TResponse>(
        string service, string method, TRequest request, MessageParser<TResponse> parser,
        TimeSpan? timeout, CancellationToken cancellationToken)
        where TRequest : IMessage
        where TResponse : IMessage<TResponse> =>
        CallAsync(service, method, request, parser, timeout, TtrpcMetadata.Empty, cancellationToken);

    /// <summary>
    /// One unary call. <paramref name="timeout"/> travels as <c>timeout_nano</c> and bounds the local wait:
    /// when it passes the call fails with <see cref="StatusCode.DeadlineExceeded"/>. Null or
    /// <see cref="Timeout.InfiniteTimeSpan"/> = no deadline (what containerd sends for Create/Start/Wait).
    /// </summary>
    /// <exception cref="TtrpcException">the server answered a non-OK status, or the request is over 4 MiB (code 8).</exception>
    /// <exception cref="TtrpcClosedException">the connection ended before the reply.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<TResponse> CallAsync<TRequest, TResponse>(
        string service, string method, TRequest request, MessageParser<TResponse> parser,
        TimeSpan? timeout, TtrpcMetadata metadata, CancellationToken cancellationToken)
        where TRequest : IMessage
        where TResponse : IMessage<TResponse>
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parser);
        ArgumentNullException.ThrowIfNull(metadata);
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            timeout = null;
        }
        else if (timeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "use null or Timeout.InfiniteTimeSpan for no deadline");
        }
        cancellationToken.ThrowIfCancellationRequested();

        var wire = new Request
        {
            Service = service,
            Method = method,
            Payload = UnsafeByteOperations.UnsafeWrap(request.ToByteArray()),
            TimeoutNano = timeout is { } t ? DeadlineTimeout.ToNanoseconds(t) : 0,
        };
        foreach (var pair in metadata)
        {
            wire.Metadata.Add(new KeyValue { Key = pair.Key, Value = pair.Value });
        }

        var response = await RoundTripAsync(wire, timeout, cancellationToken).ConfigureAwait(false);
        if (response.Status is { Code: not 0 } status)
        {
            throw new TtrpcException((StatusCode)status.Code, status.Message);
        }
        try
        {
            return parser.ParseFrom(response.Payload);
        }
        catch (InvalidProtocolBufferException ex)
        {
            throw new TtrpcException(StatusCode.Internal, $"ttrpc: error unmarshalling {service}/{method} response: {ex.Message}", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close("client disposed");
        await readLoop.ConfigureAwait(false);
        writer.Dispose();
        lifetime.Dispose();
    }

    private async Task<Response> RoundTripAsync(Request wire, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var id = NextStreamId();
        var reply = new TaskCompletionSource<Response>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = reply;
        using var deadline = timeout is { } t ? new CancellationTokenSource(DeadlineTimeout.FromNanoseconds(DeadlineTimeout.ToNanoseconds(t))) : null;
        using var linked = deadline is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var token = linked?.Token ?? cancellationToken;
        try
        {
            if (closedReason is { } reason)
            {
                throw new TtrpcClosedException(reason);
            }
            try
            {
                await writer.WriteAsync(id, FrameType.Request, wire, token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                Close($"write failed: {ex.Message}");
                throw new TtrpcClosedException(closedReason ?? ex.Message, ex);
            }
            return await reply.Task.WaitAsync(token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
        {
            throw new TtrpcException(StatusCode.DeadlineExceeded, ExceptionStatus.DeadlineExceededMessage);
        }
        finally
        {
            // A late reply for this id is then dropped as "unknown channel".
            pending.TryRemove(id, out _);
        }
    }

    private uint NextStreamId()
    {
        var id = Interlocked.Add(ref lastStreamId, 2);
        // uint wraps after 2^31 calls; ids must not be reused on one connection (ttrpc.md §4).
        return id <= uint.MaxValue
            ? (uint)id
            : throw new TtrpcClosedException("stream ids exhausted on this connection; reconnect");
    }

    private async Task ReadLoopAsync()
    {
        var reason = "connection closed by peer";
        try
        {
            while (true)
            {
                using var frame = await reader.ReadAsync(lifetime.Token).ConfigureAwait(false);
                if (frame is null)
                {
                    break;
                }
                Deliver(frame);
            }
        }
        catch (Exception ex)
        {
            reason = ex is OperationCanceledException ? closedReason ?? "client closed" : ex.Message;
        }
        Close(reason);
    }

    private void Deliver(Frame frame)
    {
        var id = frame.Header.StreamId;
        if (!pending.TryGetValue(id, out var reply))
        {
            logger.LogDebug("ttrpc: received message for unknown channel {Id}", id);
            return;
        }
        if (frame.IsOversized)
        {
            reply.TrySetException(new TtrpcException(StatusCode.ResourceExhausted, TtrpcLimits.OversizedMessage(frame.Header.Length)));
            return;
        }
        if (frame.Header.Type != FrameType.Response)
        {
            reply.TrySetException(new TtrpcException(StatusCode.Internal, $"unknown message type received: {(byte)frame.Header.Type}"));
            return;
        }
        try
        {
            reply.TrySetResult(Response.Parser.ParseFrom(frame.Data));
        }
        catch (InvalidProtocolBufferException ex)
        {
            reply.TrySetException(new TtrpcException(StatusCode.Internal, $"ttrpc: unmarshal response error: {ex.Message}", ex));
        }
    }

    /// <summary>Marks the client closed, fails every pending call and closes the socket. Idempotent.</summary>
    private void Close(string reason)
    {
        if (Interlocked.CompareExchange(ref closedReason, reason, null) is not null)
        {
            return;
        }
        try
        {
            lifetime.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        stream.Dispose();
        foreach (var id in pending.Keys)
        {
            if (pending.TryRemove(id, out var reply))
            {
                reply.TrySetException(new TtrpcClosedException(reason));
            }
        }
    }
}
