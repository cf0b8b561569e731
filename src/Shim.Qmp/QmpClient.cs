using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Shim.Qmp;

/// <summary>
/// A QMP client over a unix socket. One reader loop routes replies to callers by request <c>id</c> and events to
/// subscribers; any number of callers may issue commands concurrently, and a caller waiting for an event never holds
/// the channel. Losing the connection fails every pending call and subscription at once.
/// </summary>
public sealed class QmpClient : IAsyncDisposable
{
    private static readonly TimeSpan SendStallLimit = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private readonly Lock _writeLock = new();
    private readonly TaskCompletionSource<QmpGreeting> _greeting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Exception> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _subscribersLock = new();
    private QmpSubscription[] _subscribers = [];
    private long _nextId;
    private volatile Exception? _failure;
    private readonly TaskCompletionSource _readerDone = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private QmpClient(Socket socket, string socketPath)
    {
        _socket = socket;
        SocketPath = socketPath;
    }

    public string SocketPath { get; }

    /// <summary>Filled once the handshake is complete.</summary>
    public QmpGreeting Greeting { get; private set; } = new(new QemuVersion(0, 0, 0, ""), []);

    /// <summary>Completes with the reason when the connection is lost (never faults).</summary>
    public Task<Exception> Closed => _closed.Task;

    public bool IsConnected => _failure is null;

    /// <summary>Every event, raised on the reader loop: handlers must be quick and must not block.</summary>
    public event Action<QmpEvent>? EventReceived;

    /// <summary>
    /// Connects, reads the greeting (skipping any event sent before it) and negotiates capabilities. A refused or reset
    /// connection surfaces as <see cref="QmpConnectionLostException"/>; callers that launched QEMU should then look at
    /// its exit code and stderr (a bad <c>-device</c> makes QEMU greet, then reset the socket).
    /// </summary>
    public static async Task<QmpClient> ConnectAsync(string socketPath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var client = new QmpClient(socket, socketPath);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // Synchronous on purpose: a unix connect completes or fails at once, and any async operation would switch
            // the socket to non-blocking mode, putting every read behind the epoll thread (one more hop per reply).
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new QmpConnectionLostException(socketPath, $"connect failed ({e.SocketErrorCode})", e, neverConnected: true);
        }

        // A peer that stops reading must not block a caller forever in send(): after this the connection is declared lost.
        socket.SendTimeout = (int)SendStallLimit.TotalMilliseconds;
        var started = System.Diagnostics.Stopwatch.StartNew();
        client.StartReader();
        try
        {
            client.Greeting = await client._greeting.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            var left = timeout - started.Elapsed;
            await client.ExecuteAsync("qmp_capabilities", null, left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            return client;
        }
        catch (TimeoutException)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw new QmpTimeoutException("greeting", timeout, socketPath);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Sends <paramref name="command"/> with a fresh id and returns QEMU's <c>return</c> value. Throws
    /// <see cref="QmpCommandException"/> for an <c>error</c> reply, <see cref="QmpTimeoutException"/> at the deadline
    /// (a late reply is then dropped), <see cref="QmpConnectionLostException"/> if QEMU goes away.
    /// </summary>
    public async Task<JsonNode?> ExecuteAsync(string command, JsonObject? arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(command);
        ThrowIfClosed();
        var id = Interlocked.Increment(ref _nextId);
        var pending = new Pending(command);
        _pending[id] = pending;
        // The reader may have failed between the check and the insert: never leave a call nobody will complete.
        if (_failure is { } lost && _pending.TryRemove(id, out _)) throw Fresh(lost);

        var payload = QmpWire.Command(command, arguments, id);
        try
        {
            Write(payload);
            return await pending.Reply.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _pending.TryRemove(id, out _);
            throw new QmpTimeoutException($"command '{command}'", timeout, SocketPath);
        }
        catch (OperationCanceledException)
        {
            _pending.TryRemove(id, out _);
            throw;
        }
    }

    /// <summary>Starts buffering events that match <paramref name="filter"/>; dispose to stop.</summary>
    public QmpSubscription Subscribe(Func<QmpEvent, bool> filter)
    {
        var sub = new QmpSubscription(this, filter);
        lock (_subscribersLock)
        {
            if (_failure is { } lost) sub.Fail(Fresh(lost));
            else _subscribers = [.. _subscribers, sub];
        }
        return sub;
    }

    /// <summary>Shorthand for events named <paramref name="name"/>, optionally further filtered.</summary>
    public QmpSubscription Subscribe(string name, Func<QmpEvent, bool>? filter = null) =>
        Subscribe(e => e.Name == name && (filter is null || filter(e)));

    internal void Unsubscribe(QmpSubscription sub)
    {
        lock (_subscribersLock) _subscribers = Array.FindAll(_subscribers, s => !ReferenceEquals(s, sub));
    }

    public async ValueTask DisposeAsync()
    {
        Fail(new QmpConnectionLostException(SocketPath, "client disposed"));
        try { _socket.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _socket.Dispose();
        await _readerDone.Task.ConfigureAwait(false);
    }

    private void ThrowIfClosed()
    {
        if (_failure is { } lost) throw Fresh(lost);
    }

    /// <summary>A new instance per caller, so concurrent rethrows do not share (and scramble) one stack trace.</summary>
    private Exception Fresh(Exception failure) => failure is QmpConnectionLostException c
        ? new QmpConnectionLostException(SocketPath, c.Reason, c.InnerException ?? c)
        : failure;

    private void Write(byte[] payload)
    {
        // Synchronous and whole: a command is a few hundred bytes that the kernel buffers at once, and abandoning half
        // a JSON object would leave QEMU waiting for its end (qmp.md §1).
        lock (_writeLock)
        {
            ThrowIfClosed();
            try
            {
                var sent = 0;
                while (sent < payload.Length) sent += _socket.Send(payload, sent, payload.Length - sent, SocketFlags.None);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                var lost = new QmpConnectionLostException(SocketPath, $"write failed ({e.Message})", e);
                Fail(lost);
                throw Fresh(_failure ?? lost);
            }
        }
    }

    private void StartReader()
    {
        // One dedicated thread per connection doing blocking reads: the kernel wakes it directly when QEMU answers,
        // which saves the epoll-thread hop of async sockets (see QmpBenchmarks). Commands never get threads of their own.
        var t = new Thread(ReadLoop) { IsBackground = true, Name = $"qmp-reader {Path.GetFileName(SocketPath)}" };
        t.Start();
    }

    private void ReadLoop()
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    // A line longer than the buffer (big query-pci replies): grow.
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var n = _socket.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None);
                if (n == 0)
                {
                    Fail(new QmpConnectionLostException(SocketPath, "QEMU closed the connection (EOF)"));
                    return;
                }
                filled += n;
                var start = 0;
                int newline;
                while ((newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n')) >= 0)
                {
                    var line = buffer.AsSpan(start, newline).TrimEnd("\r \t"u8);
                    start += newline + 1;
                    if (!line.IsEmpty) Dispatch(line);
                }
                if (start > 0)
                {
                    buffer.AsSpan(start, filled - start).CopyTo(buffer);
                    filled -= start;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            var why = e is SocketException se ? se.SocketErrorCode.ToString() : "socket closed";
            Fail(new QmpConnectionLostException(SocketPath, $"read failed ({why})", e));
        }
        catch (Exception e)
        {
            Fail(e as QmpException ?? new QmpProtocolException(SocketPath, e.Message, e));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            _readerDone.TrySetResult();
        }
    }

    private void Dispatch(ReadOnlySpan<byte> line)
    {
        JsonObject message;
        try
        {
            message = JsonNode.Parse(line) as JsonObject
                ?? throw new QmpProtocolException(SocketPath, "a message that is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new QmpProtocolException(SocketPath, $"invalid JSON line: {e.Message}", e);
        }

        if (message.TryGetPropertyValue("event", out var evName))
        {
            DeliverEvent(message, evName?.GetValue<string>() ?? "");
            return;
        }
        if (message.TryGetPropertyValue("QMP", out var qmp))
        {
            _greeting.TrySetResult(QmpWire.Greeting(qmp as JsonObject));
            return;
        }
        if (!message.TryGetPropertyValue("id", out var idNode) || idNode is not JsonValue idValue
            || !idValue.TryGetValue<long>(out var id))
        {
            return; // Not ours (no id): nothing waits for it.
        }
        if (!_pending.TryRemove(id, out var pending)) return; // Caller gave up (deadline): drop the late reply.

        if (message.TryGetPropertyValue("error", out var error) && error is JsonObject err)
        {
            pending.Reply.TrySetException(new QmpCommandException(
                pending.Command,
                err["class"]?.GetValue<string>() ?? "",
                err["desc"]?.GetValue<string>() ?? ""));
            return;
        }
        message.TryGetPropertyValue("return", out var ret);
        message.Remove("return"); // Detach so callers own the node.
        pending.Reply.TrySetResult(ret);
    }

    private void DeliverEvent(JsonObject message, string name)
    {
        var subs = _subscribers;
        var handlers = EventReceived;
        if (subs.Length == 0 && handlers is null) return;
        var evt = QmpWire.Event(message, name);
        foreach (var s in subs) s.Offer(evt);
        if (handlers is null) return;
        foreach (var h in handlers.GetInvocationList().Cast<Action<QmpEvent>>())
        {
            try { h(evt); }
            catch (Exception) { /* A broken observer must not stop the reader loop. */ }
        }
    }

    private void Fail(Exception reason)
    {
        QmpSubscription[] subs;
        lock (_subscribersLock)
        {
            if (_failure is not null) return;
            _failure = reason;
            subs = _subscribers;
            _subscribers = [];
        }
        _greeting.TrySetException(reason);
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var p)) p.Reply.TrySetException(Fresh(reason));
        }
        foreach (var s in subs) s.Fail(Fresh(reason));
        _closed.TrySetResult(reason);
    }

    private sealed class Pending(string command)
    {
        public string Command { get; } = command;

        public TaskCompletionSource<JsonNode?> Reply { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
