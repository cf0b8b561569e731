using Google.Protobuf.WellKnownTypes;

namespace Shim.Ttrpc.Tests;

public sealed class DispatchTests
{
    [Fact]
    public async Task Round_trip_returns_the_handler_reply()
    {
        await using var harness = new ServerHarness().WithEcho().Start();
        await using var client = await harness.ConnectClientAsync();

        (await Echo.CallAsync(client, "Echo", "hello")).Value.ShouldBe("hello");
    }

    [Fact]
    public async Task Replies_come_back_out_of_order_and_a_slow_call_blocks_nothing()
    {
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var slowStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = new ServerHarness().WithEcho()
            .Handle(Echo.Service, "Slow", StringValue.Parser, async (r, ctx) =>
            {
                slowStarted.SetResult();
                return new StringValue { Value = r.Value + await release.Task.WaitAsync(ctx.CancellationToken) };
            })
            .Start();
        await using var client = await harness.ConnectClientAsync();

        var slow = Echo.CallAsync(client, "Slow", "wait-");
        await slowStarted.Task.WaitAsync(RawPeer.Patience);
        (await Echo.CallAsync(client, "Echo", "fast")).Value.ShouldBe("fast");
        slow.IsCompleted.ShouldBeFalse();

        release.SetResult("done");
        (await slow).Value.ShouldBe("wait-done");
    }

    [Fact]
    public async Task Raw_replies_are_matched_by_stream_id_when_sent_out_of_order()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = new ServerHarness().WithEcho()
            .Handle(Echo.Service, "Slow", StringValue.Parser, async (r, _) => { await release.Task; return r; })
            .Start();
        await using var peer = await harness.ConnectRawAsync();

        await peer.SendFrameAsync(1, 1, Echo.RequestData("Slow", "one"));
        await peer.SendFrameAsync(3, 1, Echo.RequestData("Echo", "three"));
        var first = (await peer.ReadFrameAsync())!;
        release.SetResult();
        var second = (await peer.ReadFrameAsync())!;

        FrameHeader.Read(first).StreamId.ShouldBe(3u);
        StringValue.Parser.ParseFrom(Echo.ParseResponse(first).Payload).Value.ShouldBe("three");
        FrameHeader.Read(second).StreamId.ShouldBe(1u);
        StringValue.Parser.ParseFrom(Echo.ParseResponse(second).Payload).Value.ShouldBe("one");
    }

    [Fact]
    public async Task A_thousand_concurrent_calls_all_complete_with_their_own_reply()
    {
        await using var harness = new ServerHarness().WithEcho().Start();
        await using var client = await harness.ConnectClientAsync();

        var calls = Enumerable.Range(0, 1000).Select(i => Echo.CallAsync(client, "Echo", $"call-{i}-" + new string('x', i))).ToArray();
        var replies = await Task.WhenAll(calls);

        for (var i = 0; i < replies.Length; i++)
        {
            replies[i].Value.ShouldBe($"call-{i}-" + new string('x', i));
        }
    }

    [Fact]
    public async Task Several_clients_call_one_server_concurrently()
    {
        await using var harness = new ServerHarness().WithEcho().Start();
        var clients = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => harness.ConnectClientAsync()));
        try
        {
            var replies = await Task.WhenAll(clients.SelectMany((c, ci) =>
                Enumerable.Range(0, 50).Select(i => Echo.CallAsync(c, "Echo", $"{ci}:{i}"))));

            replies.Select(r => r.Value).ShouldBe(
                Enumerable.Range(0, 8).SelectMany(ci => Enumerable.Range(0, 50).Select(i => $"{ci}:{i}")));
        }
        finally
        {
            foreach (var c in clients)
            {
                await c.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Unknown_service_and_method_answer_unimplemented()
    {
        await using var harness = new ServerHarness().WithEcho().Start();
        await using var client = await harness.ConnectClientAsync();

        var method = await Should.ThrowAsync<TtrpcException>(() => Echo.CallAsync(client, "Frobnicate", "x"));
        method.Code.ShouldBe(StatusCode.Unimplemented);
        method.StatusMessage.ShouldBe("method Frobnicate");

        var service = await Should.ThrowAsync<TtrpcException>(() =>
            client.CallAsync("no.Such", "Echo", new StringValue(), StringValue.Parser, null, CancellationToken.None));
        service.Code.ShouldBe(StatusCode.Unimplemented);
        service.StatusMessage.ShouldBe("service no.Such");
    }

    [Fact]
    public async Task Garbage_payload_answers_internal_and_keeps_the_connection()
    {
        await using var harness = new ServerHarness().WithEcho().Start();
        await using var peer = await harness.ConnectRawAsync();

        var request = new Wire.Request { Service = Echo.Service, Method = "Echo", Payload = Google.Protobuf.ByteString.CopyFrom(0xff, 0xff, 0xff) };
        await peer.SendFrameAsync(1, 1, Google.Protobuf.MessageExtensions.ToByteArray(request));
        var status = Echo.ParseResponse((await peer.ReadFrameAsync())!).Status;

        status.Code.ShouldBe((int)StatusCode.Internal);
        status.Message.ShouldStartWith("ttrpc: error unmarshalling payload: ");
        await peer.SendFrameAsync(3, 1, Echo.RequestData("Echo", "still here"));
        StringValue.Parser.ParseFrom(Echo.ParseResponse((await peer.ReadFrameAsync())!).Payload).Value.ShouldBe("still here");
    }

    [Theory]
    [InlineData(StatusCode.NotFound, "task p10 not found")]
    [InlineData(StatusCode.AlreadyExists, "task p10 already exists")]
    [InlineData(StatusCode.FailedPrecondition, "task p10 already started")]
    public async Task Ttrpc_exception_code_and_message_reach_the_client(StatusCode code, string message)
    {
        await using var harness = new ServerHarness()
            .Handle(Echo.Service, "Fail", StringValue.Parser, (_, _) => Task.FromException<StringValue>(new TtrpcException(code, message)))
            .Start();
        await using var client = await harness.ConnectClientAsync();

        var ex = await Should.ThrowAsync<TtrpcException>(() => Echo.CallAsync(client, "Fail", ""));
        ex.Code.ShouldBe(code);
        ex.StatusMessage.ShouldBe(message);
    }

    [Fact]
    public async Task Unknown_exception_becomes_unknown_with_its_message_and_cancellation_becomes_deadline()
    {
        await using var harness = new ServerHarness()
            .Handle<StringValue, StringValue>(Echo.Service, "Boom", StringValue.Parser, (_, _) => throw new InvalidOperationException("disk on fire"))
            .Handle<StringValue, StringValue>(Echo.Service, "Cancel", StringValue.Parser, (_, _) => throw new OperationCanceledException())
            .Handle<StringValue, StringValue>(Echo.Service, "Todo", StringValue.Parser, (_, _) => throw new NotImplementedException("later"))
            .Start();
        await using var client = await harness.ConnectClientAsync();

        var boom = await Should.ThrowAsync<TtrpcException>(() => Echo.CallAsync(client, "Boom", ""));
        boom.Code.ShouldBe(StatusCode.Unknown);
        boom.StatusMessage.ShouldBe("disk on fire");
        (await Should.ThrowAsync<TtrpcException>(() => Echo.CallAsync(client, "Cancel", ""))).Code.ShouldBe(StatusCode.DeadlineExceeded);
        (await Should.ThrowAsync<TtrpcException>(() => Echo.CallAsync(client, "Todo", ""))).Code.ShouldBe(StatusCode.Unimplemented);
    }

    [Fact]
    public async Task Metadata_reaches_the_handler_with_repeated_keys_and_case_insensitive_lookup()
    {
        var seen = new TaskCompletionSource<TtrpcMetadata>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = new ServerHarness()
            .Handle(Echo.Service, "Md", StringValue.Parser, (r, ctx) => { seen.SetResult(ctx.Metadata); return Task.FromResult(r); })
            .Start();
        await using var client = await harness.ConnectClientAsync();

        var metadata = TtrpcMetadata.Empty.With("containerd-namespace-ttrpc", "k8s.io").With("x-trace", "a").With("X-Trace", "b");
        await client.CallAsync(Echo.Service, "Md", new StringValue(), StringValue.Parser, null, metadata, CancellationToken.None).WaitAsync(RawPeer.Patience);
        var received = await seen.Task.WaitAsync(RawPeer.Patience);

        received.TryGetValue("Containerd-Namespace-Ttrpc", out var ns).ShouldBeTrue();
        ns.ShouldBe("k8s.io");
        received.GetAll("x-trace").ShouldBe(["a", "b"]);
        received.TryGetValue("absent", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Handler_context_names_the_call_and_the_peer()
    {
        var seen = new TaskCompletionSource<TtrpcCallContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var harness = new ServerHarness()
            .Handle(Echo.Service, "Ctx", StringValue.Parser, (r, ctx) => { seen.SetResult(ctx); return Task.FromResult(r); })
            .Start();
        await using var client = await harness.ConnectClientAsync();

        await Echo.CallAsync(client, "Ctx", "");
        var ctx = await seen.Task.WaitAsync(RawPeer.Patience);

        ctx.Service.ShouldBe(Echo.Service);
        ctx.Method.ShouldBe("Ctx");
        ctx.StreamId.ShouldBe(1u);
        ctx.Deadline.ShouldBeNull();
        ctx.Peer.Pid.ShouldBe(Environment.ProcessId);
        ctx.Peer.Uid.ShouldBe(ProcessIdentity.EffectiveUserId);
    }

    [Fact]
    public async Task A_handler_returning_null_answers_internal_instead_of_leaving_the_caller_waiting()
    {
        await using var harness = new ServerHarness()
            .Handle(Echo.Service, "Null", StringValue.Parser, (_, _) => Task.FromResult<StringValue>(null!))
            .Handle<StringValue, StringValue>(Echo.Service, "NullTask", StringValue.Parser, (_, _) => null!)
            .Start();
        await using var client = await harness.ConnectClientAsync();

        var nullReply = await Should.ThrowAsync<TtrpcException>(() => Echo.CallAsync(client, "Null", ""));
        nullReply.Code.ShouldBe(StatusCode.Internal);
        nullReply.StatusMessage.ShouldContain("returned null");
        (await Should.ThrowAsync<TtrpcException>(() => Echo.CallAsync(client, "NullTask", ""))).Code.ShouldBe(StatusCode.Internal);
    }

    [Fact]
    public async Task Empty_reply_is_status_only_like_the_go_server()
    {
        await using var harness = new ServerHarness()
            .Handle(Echo.Service, "Empty", StringValue.Parser, (_, _) => Task.FromResult(new Empty()))
            .Start();
        await using var peer = await harness.ConnectRawAsync();

        await peer.SendFrameAsync(1, 1, Echo.RequestData("Empty", "x"));

        Hex.Format((await peer.ReadFrameAsync())!).ShouldBe("00000002000000010200" + "0a00");
    }

    [Fact]
    public async Task A_reply_over_4_MiB_is_replaced_by_resource_exhausted_and_the_connection_kept()
    {
        await using var harness = new ServerHarness().WithEcho()
            .Handle(Echo.Service, "Huge", StringValue.Parser, (_, _) => Task.FromResult(new StringValue { Value = new string('x', TtrpcLimits.MaxDataLength) }))
            .Start();
        await using var client = await harness.ConnectClientAsync();

        var ex = await Should.ThrowAsync<TtrpcException>(() => Echo.CallAsync(client, "Huge", ""));

        ex.Code.ShouldBe(StatusCode.ResourceExhausted);
        ex.StatusMessage.ShouldStartWith("message length ");
        (await Echo.CallAsync(client, "Echo", "next")).Value.ShouldBe("next");
    }

    [Fact]
    public void Registering_a_method_twice_is_refused()
    {
        var server = new TtrpcServer();
        server.Register(Echo.Service, "Echo", StringValue.Parser, (r, _) => Task.FromResult(r));

        Should.Throw<InvalidOperationException>(() => server.Register(Echo.Service, "Echo", StringValue.Parser, (r, _) => Task.FromResult(r)))
            .Message.ShouldContain("test.Echo/Echo");
    }
}
