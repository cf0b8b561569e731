using System.Threading.Channels;

namespace Shim.Qmp;

/// <summary>
/// Events matching a filter, buffered from the moment of <see cref="QmpClient.Subscribe"/>. Subscribe before sending
/// the command that triggers the event: QEMU may emit it before the command's reply.
/// </summary>
public sealed class QmpSubscription : IDisposable
{
    private readonly Channel<QmpEvent> _events = Channel.CreateUnbounded<QmpEvent>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = true });
    private readonly Func<QmpEvent, bool> _filter;
    private readonly QmpClient _owner;

    internal QmpSubscription(QmpClient owner, Func<QmpEvent, bool> filter)
    {
        _owner = owner;
        _filter = filter;
    }

    /// <summary>Runs on the reader loop: must be cheap and must not throw (a throwing filter counts as no match).</summary>
    internal void Offer(QmpEvent evt)
    {
        bool match;
        try { match = _filter(evt); }
        catch (Exception) { match = false; }
        if (match) _events.Writer.TryWrite(evt);
    }

    internal void Fail(Exception error) => _events.Writer.TryComplete(error);

    /// <summary>The next matching event. Throws <see cref="QmpTimeoutException"/> at the deadline and
    /// <see cref="QmpConnectionLostException"/> if QEMU goes away first.</summary>
    public async Task<QmpEvent> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        => await TryWaitAsync(timeout, cancellationToken).ConfigureAwait(false)
           ?? throw new QmpTimeoutException("event", timeout, _owner.SocketPath);

    /// <summary>The next matching event, or null at the deadline.</summary>
    public async Task<QmpEvent?> TryWaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_events.Reader.TryRead(out var ready)) return ready;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            return await _events.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (ChannelClosedException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    /// <summary>A matching event already received, without waiting.</summary>
    public bool TryRead(out QmpEvent? evt)
    {
        var ok = _events.Reader.TryRead(out var e);
        evt = e;
        return ok;
    }

    public void Dispose() => _owner.Unsubscribe(this);
}
