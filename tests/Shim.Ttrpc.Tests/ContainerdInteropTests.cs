using System.Diagnostics;
using Google.Protobuf.WellKnownTypes;
using Shim.Containerd.Protos;
using Shim.Containerd.Protos.Events;
using Shim.Containerd.Protos.EventsService;

namespace Shim.Ttrpc.Tests;

/// <summary>Our client against containerd 1.6's Go ttrpc server (the events service on its ttrpc address).</summary>
[Trait("Category", "Containerd")]
public sealed class ContainerdInteropTests : IAsyncLifetime
{
    private PrivateContainerd containerd = null!;

    public async Task InitializeAsync() => containerd = await PrivateContainerd.StartAsync();

    public async Task DisposeAsync() => await containerd.DisposeAsync();

    private static ForwardRequest Forward(string ns, string topic, Google.Protobuf.IMessage @event) => new()
    {
        Envelope = new Envelope
        {
            Timestamp = Timestamp.FromDateTime(DateTime.UtcNow),
            Namespace = ns,
            Topic = topic,
            Event = ContainerdAny.Pack(@event),
        },
    };

    private static Task<Empty> CallForward(TtrpcClient client, ForwardRequest request, string ns) =>
        client.CallAsync(EventsServiceNames.Service, EventsServiceNames.Forward, request, Empty.Parser, TimeSpan.FromSeconds(5),
            TtrpcMetadata.Empty.With(EventsServiceNames.NamespaceMetadataKey, ns), CancellationToken.None).WaitAsync(RawPeer.Patience);

    [Fact]
    public async Task Forwarded_event_is_accepted_and_decoded_by_ctr_events()
    {
        await using var client = await TtrpcClient.ConnectAsync(containerd.TtrpcAddress, CancellationToken.None);
        using var events = containerd.StartCtrEvents();
        try
        {
            var line = ReadLineContainingAsync(events, "/tasks/start");
            // ctr subscribes asynchronously: forward until the subscriber has seen one (each attempt bounded).
            for (var attempt = 0; attempt < 20 && !line.IsCompleted; attempt++)
            {
                (await CallForward(client, Forward("kataplug-test", TaskEventTopics.Start, new TaskStart { ContainerId = "p10", Pid = 4242 }), "kataplug-test"))
                    .ShouldBe(new Empty());
                await line.ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromMilliseconds(250))
                    .ContinueWith(_ => { }, TaskScheduler.Default); // bounded wait for the subscriber's line
            }

            var printed = await line.WaitAsync(RawPeer.Patience);
            printed.ShouldContain("kataplug-test");
            printed.ShouldContain("\"container_id\":\"p10\"");
            printed.ShouldContain("\"pid\":4242");
        }
        finally
        {
            events.Kill();
            await events.WaitForExitAsync().WaitAsync(RawPeer.Patience);
        }
    }

    [Fact]
    public async Task Go_server_status_codes_reach_our_client()
    {
        await using var client = await TtrpcClient.ConnectAsync(containerd.TtrpcAddress, CancellationToken.None);

        var method = await Should.ThrowAsync<TtrpcException>(() => client.CallAsync(EventsServiceNames.Service, "Frobnicate",
            new Empty(), Empty.Parser, TimeSpan.FromSeconds(5), CancellationToken.None).WaitAsync(RawPeer.Patience));
        method.Code.ShouldBe(StatusCode.Unimplemented);
        method.StatusMessage.ShouldContain("Frobnicate");

        var invalid = await Should.ThrowAsync<TtrpcException>(() =>
            CallForward(client, Forward("not a valid namespace!", TaskEventTopics.Start, new TaskStart()), "default"));
        invalid.Code.ShouldBe(StatusCode.InvalidArgument);
    }

    [Fact]
    public async Task Concurrent_forwards_on_one_connection_all_succeed()
    {
        await using var client = await TtrpcClient.ConnectAsync(containerd.TtrpcAddress, CancellationToken.None);

        var calls = Enumerable.Range(0, 200).Select(i =>
            CallForward(client, Forward("kataplug-test", TaskEventTopics.Oom, new TaskOOM { ContainerId = $"c{i}" }), "kataplug-test"));

        (await Task.WhenAll(calls)).Length.ShouldBe(200);
    }

    private static Task<string> ReadLineContainingAsync(Process process, string text) => Task.Run(async () =>
    {
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return line;
            }
        }
        throw new InvalidOperationException($"ctr events ended without a line containing '{text}': {await process.StandardError.ReadToEndAsync()}");
    });
}
