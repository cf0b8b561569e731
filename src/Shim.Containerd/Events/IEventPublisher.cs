using Google.Protobuf;

namespace Shim.Containerd.Events;

/// <summary>
/// Sends task events to containerd in order. <see cref="Publish"/> only enqueues (never blocks an RPC handler);
/// order of calls = order on the wire, which gives TaskStart before TaskExit before TaskDelete (§11.3).
/// </summary>
public interface IEventPublisher : IAsyncDisposable
{
    /// <summary>Enqueues <paramref name="message"/> under <paramref name="topic"/>, time-stamped now.</summary>
    void Publish(string topic, IMessage message);

    /// <summary>Waits until everything queued so far was sent (or dropped), at most <paramref name="timeout"/>.</summary>
    Task FlushAsync(TimeSpan timeout);
}
