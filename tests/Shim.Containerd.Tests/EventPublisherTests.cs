using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Shim.Containerd.Events;
using Shim.Containerd.Protos;
using Shim.Containerd.Protos.Events;
using Shim.Containerd.Protos.EventsService;
using Shim.Ttrpc;

namespace Shim.Containerd.Tests;

/// <summary>The events publisher against a stand-in for containerd's Events/Forward ttrpc service.</summary>
public sealed class EventPublisherTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly TempSocket socket = new();

    /// <summary>A fake containerd events endpoint recording every Forward.</summary>
    private sealed class FakeContainerd : IAsyncDisposable
    {
        private readonly TtrpcServer server = new();
        private readonly List<(Envelope Envelope, string? Namespace)> received = [];
        private TaskCompletionSource<int> countReached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int target = int.MaxValue;

        public FakeContainerd(string path)
        {
            server.Register(EventsServiceNames.Service, EventsServiceNames.Forward, ForwardRequest.Parser, (request, context) =>
            {
                lock (received)
                {
                    context.Metadata.TryGetValue(EventsServiceNames.NamespaceMetadataKey, out var ns);
                    received.Add((request.Envelope, ns));
                    if (received.Count >= target)
                    {
                        countReached.TrySetResult(received.Count);
                    }
                }
                return Task.FromResult(new Empty());
            });
            server.Listen(path);
        }

        public IReadOnlyList<(Envelope Envelope, string? Namespace)> Received
        {
            get
            {
                lock (received)
                {
                    return [.. received];
                }
            }
        }

        public Task WaitForAsync(int count)
        {
            lock (received)
            {
                target = count;
                countReached = new(TaskCreationOptions.RunContinuationsAsynchronously);
                if (received.Count >= count)
                {
                    countReached.TrySetResult(received.Count);
                }
                return countReached.Task.WaitAsync(Patience);
            }
        }

        public ValueTask DisposeAsync() => server.DisposeAsync();
    }

    [Fact]
    public async Task Forward_CarriesBareTypeUrls_TheNamespace_AndKeepsOrder()
    {
        await using var containerd = new FakeContainerd(socket.Path);
        await using var publisher = new TtrpcEventPublisher(socket.Path, "k8s.io", NullLogger.Instance);
        publisher.Publish(TaskEventTopics.Create, new TaskCreate { ContainerId = "c1", Pid = 1 });
        publisher.Publish(TaskEventTopics.Start, new TaskStart { ContainerId = "c1", Pid = 1 });
        publisher.Publish(TaskEventTopics.Exit, new TaskExit { ContainerId = "c1", Id = "c1", ExitStatus = 7 });
        publisher.Publish(TaskEventTopics.Delete, new TaskDelete { ContainerId = "c1", ExitStatus = 7 });
        await publisher.FlushAsync(Patience);

        var got = containerd.Received;
        got.Select(r => r.Envelope.Topic).ShouldBe([TaskEventTopics.Create, TaskEventTopics.Start, TaskEventTopics.Exit, TaskEventTopics.Delete]);
        got.Select(r => r.Envelope.Event.TypeUrl).ShouldBe(["containerd.events.TaskCreate", "containerd.events.TaskStart", "containerd.events.TaskExit", "containerd.events.TaskDelete"]);
        got.ShouldAllBe(r => r.Namespace == "k8s.io" && r.Envelope.Namespace == "k8s.io");
        TaskExit.Parser.ParseFrom(got[2].Envelope.Event.Value).ExitStatus.ShouldBe(7u);
        publisher.Sent.ShouldBe(4);
    }

    [Fact]
    public async Task AcrossAContainerdRestart_TheEventIsResent_WithItsOriginalTimestamp()
    {
        var first = new FakeContainerd(socket.Path);
        await using var publisher = new TtrpcEventPublisher(socket.Path, "default", NullLogger.Instance);
        publisher.Publish(TaskEventTopics.Create, new TaskCreate { ContainerId = "c1" });
        await first.WaitForAsync(1);
        await first.DisposeAsync(); // containerd stops: the publisher's connection breaks

        var before = DateTimeOffset.UtcNow;
        publisher.Publish(TaskEventTopics.Exit, new TaskExit { ContainerId = "c1", ExitStatus = 137 });
        await using var second = new FakeContainerd(socket.Path); // containerd is back on the same socket
        await second.WaitForAsync(1);

        var resent = second.Received.ShouldHaveSingleItem().Envelope;
        resent.Topic.ShouldBe(TaskEventTopics.Exit);
        resent.Timestamp.ToDateTimeOffset().ShouldBeLessThanOrEqualTo(DateTimeOffset.UtcNow);
        resent.Timestamp.ToDateTimeOffset().ShouldBeGreaterThanOrEqualTo(before.AddMilliseconds(-1));
        await publisher.FlushAsync(Patience);
    }

    [Fact]
    public async Task WithContainerdAway_TheQueueIsBounded_AndKeepsTheNewest()
    {
        await using var publisher = new TtrpcEventPublisher(socket.Path, "default", NullLogger.Instance, capacity: 2);
        for (uint i = 1; i <= 5; i++)
        {
            publisher.Publish(TaskEventTopics.Exit, new TaskExit { ContainerId = "c1", Pid = i });
        }
        await using var containerd = new FakeContainerd(socket.Path);
        await publisher.FlushAsync(Patience);
        var pids = containerd.Received.Select(r => TaskExit.Parser.ParseFrom(r.Envelope.Event.Value).Pid).ToList();
        pids.Count.ShouldBeLessThanOrEqualTo(3); // at most one in flight + the capacity
        pids[^1].ShouldBe(5u);
    }

    public void Dispose() => socket.Dispose();
}
