using Google.Protobuf.WellKnownTypes;

namespace Shim.Ttrpc.Tests;

public sealed class ShutdownTests
{
    [Fact]
    public async Task Stop_lets_an_in_flight_call_finish_and_refuses_new_connections()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = new ServerHarness().WithEcho()
            .Handle(Echo.Service, "Slow", StringValue.Parser, async (r, _) => { started.SetResult(); await release.Task; return r; })
            .Start();
        await using var client = await harness.ConnectClientAsync();
        var slow = Echo.CallAsync(client, "Slow", "finished");
        await started.Task.WaitAsync(RawPeer.Patience);

        var stop = harness.Server.StopAsync(TimeSpan.FromSeconds(30));

        await Should.ThrowAsync<TtrpcClosedException>(() => TtrpcClient.ConnectAsync(harness.Path, CancellationToken.None));
        stop.IsCompleted.ShouldBeFalse();
        release.SetResult();
        (await slow).Value.ShouldBe("finished");
        await stop.WaitAsync(RawPeer.Patience);
        await client.Completion.WaitAsync(RawPeer.Patience);
    }

    [Fact]
    public async Task New_requests_during_the_drain_get_unavailable()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = new ServerHarness().WithEcho()
            .Handle(Echo.Service, "Slow", StringValue.Parser, async (r, _) => { started.SetResult(); await release.Task; return r; })
            .Start();
        await using var client = await harness.ConnectClientAsync();
        var slow = Echo.CallAsync(client, "Slow", "x");
        await started.Task.WaitAsync(RawPeer.Patience);

        var stop = harness.Server.StopAsync(TimeSpan.FromSeconds(30));
        var refused = await Should.ThrowAsync<TtrpcException>(() => Echo.CallAsync(client, "Echo", "late"));

        refused.Code.ShouldBe(StatusCode.Unavailable);
        release.SetResult();
        await slow;
        await stop.WaitAsync(RawPeer.Patience);
    }

    [Fact]
    public async Task After_the_drain_period_handlers_are_cancelled_and_the_server_stops()
    {
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = new ServerHarness()
            .Handle(Echo.Service, "Wait", StringValue.Parser, async (r, ctx) =>
            {
                ctx.CancellationToken.Register(() => cancelled.TrySetResult());
                started.SetResult();
                await new TaskCompletionSource().Task.WaitAsync(ctx.CancellationToken);
                return r;
            })
            .Start();
        await using var client = await harness.ConnectClientAsync();
        var wait = Echo.CallAsync(client, "Wait", "x");
        await started.Task.WaitAsync(RawPeer.Patience);

        await harness.Server.StopAsync(TimeSpan.FromMilliseconds(50)).WaitAsync(RawPeer.Patience);

        await cancelled.Task.WaitAsync(RawPeer.Patience);
        await Should.ThrowAsync<TtrpcClosedException>(() => wait);
        harness.Server.ConnectionCount.ShouldBe(0);
    }

    [Fact]
    public async Task A_shutdown_handler_can_start_the_stop_and_its_reply_still_arrives()
    {
        TtrpcServer? server = null;
        Task? stopping = null;
        await using var harness = new ServerHarness()
            .Handle(Echo.Service, "Shutdown", StringValue.Parser, (r, _) =>
            {
                stopping = server!.StopAsync(TimeSpan.FromSeconds(5)); // started, not awaited: it waits for this handler
                return Task.FromResult(r);
            })
            .Start();
        server = harness.Server;
        await using var client = await harness.ConnectClientAsync();

        (await Echo.CallAsync(client, "Shutdown", "bye")).Value.ShouldBe("bye");

        await stopping!.WaitAsync(RawPeer.Patience);
        await client.Completion.WaitAsync(RawPeer.Patience);
    }

    [Fact]
    public async Task Stop_is_idempotent_and_a_stopped_server_cannot_listen_again()
    {
        var harness = new ServerHarness().WithEcho().Start();
        var first = harness.Server.StopAsync(TimeSpan.FromSeconds(1));

        harness.Server.StopAsync(TimeSpan.FromSeconds(1)).ShouldBeSameAs(first);
        await first.WaitAsync(RawPeer.Patience);
        using var other = new TestSocketPath();
        Should.Throw<InvalidOperationException>(() => harness.Server.Listen(other.Path));
        await harness.DisposeAsync();
    }
}
