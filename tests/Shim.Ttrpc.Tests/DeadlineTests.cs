using Google.Protobuf.WellKnownTypes;

namespace Shim.Ttrpc.Tests;

public sealed class DeadlineTests
{
    /// <summary>A handler that waits until its token is cancelled and reports it.</summary>
    private static ServerHarness WithHang(ServerHarness harness, TaskCompletionSource<TtrpcCallContext> cancelled, bool honourToken = true) =>
        harness.Handle(Echo.Service, "Hang", StringValue.Parser, async (r, ctx) =>
        {
            var never = new TaskCompletionSource();
            ctx.CancellationToken.Register(() => cancelled.TrySetResult(ctx));
            await (honourToken ? never.Task.WaitAsync(ctx.CancellationToken) : never.Task);
            return r;
        });

    [Fact]
    public async Task Timeout_nano_expiry_answers_deadline_exceeded_and_cancels_the_handler_token()
    {
        var cancelled = new TaskCompletionSource<TtrpcCallContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = WithHang(new ServerHarness(), cancelled).Start();
        await using var peer = await harness.ConnectRawAsync();

        await peer.SendFrameAsync(1, 1, Echo.RequestData("Hang", "", timeoutNano: 1_000_000));
        var response = Echo.ParseResponse((await peer.ReadFrameAsync())!);

        response.Status.Code.ShouldBe((int)StatusCode.DeadlineExceeded);
        response.Status.Message.ShouldBe("context deadline exceeded");
        var ctx = await cancelled.Task.WaitAsync(RawPeer.Patience);
        ctx.Deadline.ShouldNotBeNull();
    }

    [Fact]
    public async Task A_handler_ignoring_its_token_is_still_answered_at_the_deadline()
    {
        var cancelled = new TaskCompletionSource<TtrpcCallContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = WithHang(new ServerHarness(), cancelled, honourToken: false).Start();
        await using var client = await harness.ConnectClientAsync();
        await using var peer = await harness.ConnectRawAsync();

        await peer.SendFrameAsync(1, 1, Echo.RequestData("Hang", "", timeoutNano: 1_000_000));

        Echo.ParseResponse((await peer.ReadFrameAsync())!).Status.Code.ShouldBe((int)StatusCode.DeadlineExceeded);
        (await Echo.CallAsync(client, "Hang", "x", TimeSpan.FromMilliseconds(50)).ContinueWith(t => t.Exception?.InnerException))
            .ShouldBeOfType<TtrpcException>().Code.ShouldBe(StatusCode.DeadlineExceeded);
    }

    [Fact]
    public async Task Negative_timeout_nano_is_already_expired_and_the_handler_never_runs()
    {
        var ran = false;
        await using var harness = new ServerHarness()
            .Handle(Echo.Service, "Echo", StringValue.Parser, (r, _) => { ran = true; return Task.FromResult(r); })
            .Start();
        await using var peer = await harness.ConnectRawAsync();

        await peer.SendFrameAsync(1, 1, Echo.RequestData("Echo", "", timeoutNano: -5));

        Echo.ParseResponse((await peer.ReadFrameAsync())!).Status.Code.ShouldBe((int)StatusCode.DeadlineExceeded);
        ran.ShouldBeFalse();
    }

    [Fact]
    public async Task Client_timeout_is_sent_as_timeout_nano_and_reaches_the_handler_as_a_deadline()
    {
        var seen = new TaskCompletionSource<TtrpcCallContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = new ServerHarness()
            .Handle(Echo.Service, "Ctx", StringValue.Parser, (r, ctx) => { seen.SetResult(ctx); return Task.FromResult(r); })
            .Start();
        await using var client = await harness.ConnectClientAsync();

        var before = DateTimeOffset.UtcNow;
        await Echo.CallAsync(client, "Ctx", "", TimeSpan.FromSeconds(30));
        var ctx = await seen.Task.WaitAsync(RawPeer.Patience);

        ctx.Deadline.ShouldNotBeNull();
        ctx.Deadline.Value.ShouldBeInRange(before + TimeSpan.FromSeconds(29), DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Infinite_client_timeout_sends_no_deadline_and_negative_is_refused()
    {
        var seen = new TaskCompletionSource<TtrpcCallContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = new ServerHarness()
            .Handle(Echo.Service, "Ctx", StringValue.Parser, (r, ctx) => { seen.SetResult(ctx); return Task.FromResult(r); })
            .Start();
        await using var client = await harness.ConnectClientAsync();

        await Echo.CallAsync(client, "Ctx", "", Timeout.InfiniteTimeSpan);

        (await seen.Task.WaitAsync(RawPeer.Patience)).Deadline.ShouldBeNull();
        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => Echo.CallAsync(client, "Ctx", "", TimeSpan.FromSeconds(-2)));
    }

    [Fact]
    public async Task Client_cancellation_throws_operation_cancelled_and_the_connection_stays_usable()
    {
        var cancelled = new TaskCompletionSource<TtrpcCallContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = WithHang(new ServerHarness(), cancelled).WithEcho().Start();
        await using var client = await harness.ConnectClientAsync();
        using var cts = new CancellationTokenSource();

        var call = client.CallAsync(Echo.Service, "Hang", new StringValue(), StringValue.Parser, null, cts.Token);
        cts.Cancel();

        await Should.ThrowAsync<OperationCanceledException>(() => call.WaitAsync(RawPeer.Patience));
        (await Echo.CallAsync(client, "Echo", "after")).Value.ShouldBe("after");
    }
}
