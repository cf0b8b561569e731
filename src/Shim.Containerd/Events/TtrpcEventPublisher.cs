using System.Threading.Channels;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Shim.Containerd.Protos;
using Shim.Containerd.Protos.EventsService;
using Shim.Ttrpc;

namespace Shim.Containerd.Events;

/// <summary>
/// Forwards events over ttrpc to containerd's <c>TTRPC_ADDRESS</c> (<c>Events/Forward</c>, bare type URLs, namespace
/// metadata; §11). One ordered, bounded queue: on a broken connection (containerd restarting: EPIPE, ECONNRESET,
/// EOF, refused) it reconnects and resends the SAME envelope with its original timestamp, backing off up to
/// <see cref="MaxBackoff"/>; a full queue drops the oldest waiting event and logs its topic.
/// </summary>
public sealed class TtrpcEventPublisher : IEventPublisher
{
    public static readonly TimeSpan ForwardTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);
    public const int DefaultCapacity = 1024;

    private readonly string socketPath;
    private readonly string ns;
    private readonly ILogger logger;
    private readonly Channel<Pending> queue;
    private readonly CancellationTokenSource stop = new();
    private readonly Task pump;
    private TtrpcClient? client;
    private long enqueued;
    private long completed;
    private readonly Lock progress = new();
    private readonly List<(long Target, TaskCompletionSource Done)> flushWaiters = [];

    public TtrpcEventPublisher(string ttrpcSocketPath, string ns, ILogger logger, int capacity = DefaultCapacity)
    {
        ArgumentException.ThrowIfNullOrEmpty(ttrpcSocketPath);
        socketPath = ttrpcSocketPath.StartsWith("unix://", StringComparison.Ordinal) ? ttrpcSocketPath["unix://".Length..] : ttrpcSocketPath;
        this.ns = ns;
        this.logger = logger;
        queue = Channel.CreateBounded<Pending>(
            new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest },
            dropped =>
            {
                logger.LogWarning("events queue full ({Capacity}): dropping {Topic}", capacity, dropped.Envelope.Topic);
                Complete();
            });
        pump = Task.Run(PumpAsync);
    }

    /// <summary>Events sent successfully.</summary>
    public long Sent { get; private set; }

    public void Publish(string topic, IMessage message)
    {
        var envelope = new Envelope
        {
            Timestamp = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
            Namespace = ns,
            Topic = topic,
            Event = ContainerdAny.Pack(message),
        };
        lock (progress)
        {
            enqueued++;
        }
        if (!queue.Writer.TryWrite(new Pending(envelope)))
        {
            logger.LogWarning("events publisher is closed: dropping {Topic}", topic);
            Complete();
        }
    }

    public Task FlushAsync(TimeSpan timeout)
    {
        TaskCompletionSource done;
        lock (progress)
        {
            if (completed >= enqueued)
            {
                return Task.CompletedTask;
            }
            done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            flushWaiters.Add((enqueued, done));
        }
        return done.Task.WaitAsync(timeout).ContinueWith(
            t => { if (t.IsFaulted) { logger.LogWarning("events not flushed within {Timeout}", timeout); } },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await stop.CancelAsync().ConfigureAwait(false);
        await pump.ConfigureAwait(false);
        if (client is not null)
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
        stop.Dispose();
    }

    private async Task PumpAsync()
    {
        try
        {
            await foreach (var item in queue.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                await SendWithRetryAsync(item.Envelope).ConfigureAwait(false);
                Complete();
            }
        }
        catch (OperationCanceledException)
        {
            // Disposed: whatever is still queued is lost, as the daemon is exiting.
        }
    }

    private async Task SendWithRetryAsync(Envelope envelope)
    {
        var backoff = TimeSpan.FromMilliseconds(50);
        var request = new ForwardRequest { Envelope = envelope };
        var metadata = TtrpcMetadata.Empty.With(EventsServiceNames.NamespaceMetadataKey, ns);
        for (var attempt = 1; ; attempt++)
        {
            stop.Token.ThrowIfCancellationRequested();
            try
            {
                client ??= await TtrpcClient.ConnectAsync(socketPath, stop.Token, logger).ConfigureAwait(false);
                await client.CallAsync(EventsServiceNames.Service, EventsServiceNames.Forward, request, Empty.Parser,
                    ForwardTimeout, metadata, stop.Token).ConfigureAwait(false);
                Sent++;
                return;
            }
            catch (TtrpcException ex) when (ex is TtrpcClosedException || ex.Code is StatusCode.DeadlineExceeded or StatusCode.Unavailable)
            {
                // containerd gone or restarting: reconnect and resend the same envelope.
                if (attempt == 1 || attempt % 20 == 0)
                {
                    logger.LogWarning("forwarding {Topic} to {Socket} failed (attempt {Attempt}): {Error}; retrying", envelope.Topic, socketPath, attempt, ex.Message);
                }
                await DropClientAsync().ConfigureAwait(false);
            }
            catch (TtrpcException ex)
            {
                // containerd rejected the envelope itself: resending cannot help.
                logger.LogError("containerd rejected event {Topic}: {Error}", envelope.Topic, ex.Message);
                return;
            }
            await Task.Delay(backoff, stop.Token).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private async Task DropClientAsync()
    {
        if (client is not null)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            client = null;
        }
    }

    private void Complete()
    {
        lock (progress)
        {
            completed++;
            for (var i = flushWaiters.Count - 1; i >= 0; i--)
            {
                if (completed >= flushWaiters[i].Target)
                {
                    flushWaiters[i].Done.TrySetResult();
                    flushWaiters.RemoveAt(i);
                }
            }
        }
    }

    private sealed record Pending(Envelope Envelope);
}
