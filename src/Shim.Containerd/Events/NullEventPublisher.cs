using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Shim.Containerd.Events;

/// <summary>Used when <c>TTRPC_ADDRESS</c> is not set (the daemon run by hand): logs each event at debug level.</summary>
public sealed class NullEventPublisher(ILogger logger) : IEventPublisher
{
    public void Publish(string topic, IMessage message) =>
        logger.LogDebug("event {Topic} not sent: TTRPC_ADDRESS is not set", topic);

    public Task FlushAsync(TimeSpan timeout) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
