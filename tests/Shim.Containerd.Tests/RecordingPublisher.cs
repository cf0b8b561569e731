using Google.Protobuf;
using Shim.Containerd.Events;

namespace Shim.Containerd.Tests;

/// <summary>Records every published event in order.</summary>
public sealed class RecordingPublisher : IEventPublisher
{
    private readonly List<(string Topic, IMessage Message)> events = [];

    public IReadOnlyList<(string Topic, IMessage Message)> Events
    {
        get
        {
            lock (events)
            {
                return [.. events];
            }
        }
    }

    public IReadOnlyList<string> Topics => [.. Events.Select(e => e.Topic)];

    public void Publish(string topic, IMessage message)
    {
        lock (events)
        {
            events.Add((topic, message));
        }
    }

    public Task FlushAsync(TimeSpan timeout) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
