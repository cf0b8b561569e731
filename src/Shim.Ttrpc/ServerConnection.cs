using System.Net.Sockets;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Shim.Ttrpc.Wire;

namespace Shim.Ttrpc;

/// <summary>
/// One accepted connection: a single reader loop, a handler task per request, whole-frame writes under a
/// lock. Replies go out as handlers finish, in any order (ttrpc.md §6.1). Protocol violations that leave the
/// peer's state unknowable (undecodable Request, even stream id, reused stream id, truncated or non-ttrpc
/// frame) close the connection after the error reply; oversized and non-Request frames do not (ttrpc.md §2).
/// </summary>
internal sealed class ServerConnection : IAsyncDisposable
{
    private readonly Socket socket;
    private readonly NetworkStream stream;
    private readonly FrameReader reader;
    private readonly FrameWriter writer;
    private readonly MethodTable methods;
    private readonly PeerCredentials peer;
    private readonly ILogger logger;
    private readonly SemaphoreSlim concurrency;
    private readonly CancellationTokenSource lifetime = new();
    private readonly Lock gate = new();
    private readonly Dictionary<uint, Task> inflight = [];
    private bool draining;

    public ServerConnection(Socket socket, MethodTable methods, PeerCredentials peer, TtrpcServerOptions options, ILogger logger)
    {
        this.socket = socket;
        stream = new NetworkStream(socket, ownsSocket: true);
        // Buffered reads: most frames are small, so header and data usually arrive in one syscall.
        reader = new FrameReader(new BufferedStream(stream, 64 * 1024));
        writer = new FrameWriter(stream);
        this.methods = methods;
        this.peer = peer;
        this.logger = logger;
        concurrency = new SemaphoreSlim(options.MaxConcurrentRequestsPerConnection);
    }

    public PeerCredentials Peer => peer;

    /// <summary>Reads and dispatches until the peer closes, a protocol violation, or <see cref="Abort"/>.</summary>
    public async Task RunAsync()
    {
        try
        {
            while (await ReadOneAsync().ConfigureAwait(false))
            {
            }
        }
        catch (TtrpcProtocolException ex)
        {
            logger.LogWarning("ttrpc: closing connection from {Peer}: {Reason}", peer, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Reset, local abort or shutdown: a normal end for a connection.
            logger.LogDebug("ttrpc: connection from {Peer} ended: {Reason}", peer, ex.Message);
        }
        catch (Exception ex)
        {
            // Never fault: a bug here must cost one connection, not the server.
            logger.LogError(ex, "ttrpc: closing connection from {Peer} after an unexpected error", peer);
        }
        finally
        {
            Abort();
        }
    }

    /// <summary>Stops taking new requests (they get UNAVAILABLE) and completes when the in-flight ones have replied.</summary>
    public Task DrainAsync()
    {
        lock (gate)
        {
            draining = true;
            return Task.WhenAll(inflight.Values);
        }
    }

    /// <summary>Cancels every handler's token and closes the socket.</summary>
    public void Abort()
    {
        try
        {
            lifetime.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        stream.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        Abort();
        Task[] pending;
        lock (gate)
        {
            pending = [.. inflight.Values];
        }
        await Task.WhenAll(pending).ConfigureAwait(false);
        writer.Dispose();
        concurrency.Dispose();
        lifetime.Dispose();
    }

    /// <summary>Handles one frame; false when the connection must end.</summary>
    private async Task<bool> ReadOneAsync()
    {
        using var frame = await reader.ReadAsync(lifetime.Token).ConfigureAwait(false);
        if (frame is null)
        {
            return false;
        }
        var id = frame.Header.StreamId;
        if (frame.IsOversized)
        {
            await SendStatusAsync(id, StatusCode.ResourceExhausted, TtrpcLimits.OversizedMessage(frame.Header.Length)).ConfigureAwait(false);
            return true;
        }
        if (frame.Header.Type != FrameType.Request)
        {
            // "for future compat" (Go): Data frames of a 1.2 peer and unknown types are dropped.
            return true;
        }

        Request request;
        try
        {
            request = Request.Parser.ParseFrom(frame.Data);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await SendStatusAsync(id, StatusCode.InvalidArgument, $"unmarshal request error: {ex.Message}").ConfigureAwait(false);
            throw new TtrpcProtocolException($"undecodable Request on stream {id}: {ex.Message}", ex);
        }
        if (id % 2 == 0)
        {
            await SendStatusAsync(id, StatusCode.InvalidArgument, "StreamID must be odd for client initiated streams").ConfigureAwait(false);
            throw new TtrpcProtocolException($"client sent a Request on even stream {id}");
        }

        await concurrency.WaitAsync(lifetime.Token).ConfigureAwait(false);
        var accepted = false;
        try
        {
            lock (gate)
            {
                if (inflight.ContainsKey(id))
                {
                    throw new TtrpcProtocolException($"client reused stream {id} while its call was pending");
                }
                if (!draining)
                {
                    // Created unstarted so it is in the table before it can remove itself.
                    var arrival = System.Diagnostics.Stopwatch.GetTimestamp();
                    var call = new Task<Task>(() => HandleAsync(request, id, arrival));
                    inflight[id] = call.Unwrap();
                    call.Start(TaskScheduler.Default);
                    accepted = true;
                }
            }
        }
        finally
        {
            if (!accepted)
            {
                concurrency.Release();
            }
        }
        if (!accepted)
        {
            await SendStatusAsync(id, StatusCode.Unavailable, "ttrpc: server shutting down").ConfigureAwait(false);
        }
        return true;
    }

    private async Task HandleAsync(Request request, uint id, long arrival)
    {
        try
        {
            var (status, reply) = await InvokeAsync(request, id, arrival).ConfigureAwait(false);
            if (lifetime.IsCancellationRequested)
            {
                return; // Connection gone: nobody to answer.
            }
            var response = new Response { Status = status, Payload = reply };
            try
            {
                await writer.WriteAsync(id, FrameType.Response, response, lifetime.Token).ConfigureAwait(false);
            }
            catch (TtrpcException ex) when (ex.Code == StatusCode.ResourceExhausted)
            {
                logger.LogWarning("ttrpc: reply to {Service}/{Method} on stream {Id} is too large: {Reason}", request.Service, request.Method, id, ex.Message);
                await SendStatusAsync(id, ex.Code, ex.StatusMessage).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            // Only connection loss reaches here: InvokeAsync turns handler failures into a status.
            logger.LogDebug("ttrpc: reply on stream {Id} not sent, connection from {Peer} ended: {Reason}", id, peer, ex.Message);
        }
        finally
        {
            lock (gate)
            {
                inflight.Remove(id);
            }
            try
            {
                concurrency.Release();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private async Task<(Status Status, ByteString Reply)> InvokeAsync(Request request, uint id, long arrival)
    {
        if (request.TimeoutNano < 0)
        {
            // The client's deadline had passed before it sent the request (ttrpc.md §6.2).
            return (ExceptionStatus.Make(StatusCode.DeadlineExceeded, ExceptionStatus.DeadlineExceededMessage), ByteString.Empty);
        }

        using var call = CancellationTokenSource.CreateLinkedTokenSource(lifetime.Token);
        DateTimeOffset? deadline = null;
        if (request.TimeoutNano > 0)
        {
            var timeout = DeadlineTimeout.FromNanoseconds(request.TimeoutNano);
            deadline = DateTimeOffset.UtcNow + timeout;
            call.CancelAfter(timeout);
        }

        Task<IMessage>? work = null;
        try
        {
            var handler = methods.Find(request.Service, request.Method);
            var metadata = request.Metadata.Count == 0
                ? TtrpcMetadata.Empty
                : new TtrpcMetadata(request.Metadata.Select(kv => KeyValuePair.Create(kv.Key, kv.Value)));
            var context = new TtrpcCallContext(request.Service, request.Method, id, metadata, deadline, peer, call.Token) { ArrivalTimestamp = arrival };
            work = handler.InvokeAsync(request.Payload, context);
            // WaitAsync: a handler that ignores its token still gets its caller answered at the deadline.
            var reply = await work.WaitAsync(call.Token).ConfigureAwait(false);
            // Encoded here so a reply that fails to serialise still gets its caller a status.
            return (new Status(), UnsafeByteOperations.UnsafeWrap(reply.ToByteArray()));
        }
        catch (OperationCanceledException) when (call.IsCancellationRequested && !lifetime.IsCancellationRequested)
        {
            ObserveLateFailure(work);
            return (ExceptionStatus.Make(StatusCode.DeadlineExceeded, ExceptionStatus.DeadlineExceededMessage), ByteString.Empty);
        }
        catch (Exception) when (lifetime.IsCancellationRequested)
        {
            ObserveLateFailure(work); // Connection gone; the handler may still fault later.
            throw;
        }
        catch (Exception ex)
        {
            if (ex is not TtrpcException)
            {
                logger.LogWarning(ex, "ttrpc: handler {Service}/{Method} failed", request.Service, request.Method);
            }
            return (ExceptionStatus.FromException(ex), ByteString.Empty);
        }
    }

    private static void ObserveLateFailure(Task? work) =>
        work?.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private ValueTask SendStatusAsync(uint id, StatusCode code, string message) =>
        writer.WriteAsync(id, FrameType.Response, new Response { Status = ExceptionStatus.Make(code, message) }, lifetime.Token);
}
