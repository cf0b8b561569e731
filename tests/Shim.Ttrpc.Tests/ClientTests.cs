using System.Net.Sockets;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Shim.Ttrpc.Tests;

/// <summary>The client against a hand-driven server socket (as containerd's events service would answer).</summary>
public sealed class ClientTests : IAsyncLifetime
{
    private readonly TestSocketPath path = new();
    private Socket listener = null!;
    private TtrpcClient client = null!;
    private RawPeer server = null!;

    public async Task InitializeAsync()
    {
        listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path.Path));
        listener.Listen(1);
        client = await TtrpcClient.ConnectAsync(path.Path, CancellationToken.None);
        server = new RawPeer(await listener.AcceptAsync().WaitAsync(RawPeer.Patience));
    }

    public async Task DisposeAsync()
    {
        await client.DisposeAsync();
        await server.DisposeAsync();
        listener.Dispose();
        path.Dispose();
    }

    private Task<StringValue> Call(string text, TimeSpan? timeout = null) =>
        client.CallAsync(Echo.Service, "Echo", new StringValue { Value = text }, StringValue.Parser, timeout, CancellationToken.None);

    private async Task<(uint Id, Wire.Request Request)> ReceiveRequestAsync()
    {
        var frame = (await server.ReadFrameAsync())!;
        var header = FrameHeader.Read(frame);
        header.Type.ShouldBe(FrameType.Request);
        header.Flags.ShouldBe((byte)0);
        return (header.StreamId, Wire.Request.Parser.ParseFrom(frame.AsSpan(10)));
    }

    private Task ReplyAsync(uint id, IMessage response, byte type = 2) => server.SendFrameAsync(id, type, response.ToByteArray());

    [Fact]
    public async Task Stream_ids_are_odd_and_start_at_one()
    {
        var calls = new[] { Call("a"), Call("b"), Call("c") };
        var ids = new List<uint>();
        for (var i = 0; i < 3; i++)
        {
            var (id, request) = await ReceiveRequestAsync();
            ids.Add(id);
            await ReplyAsync(id, new Wire.Response { Status = new Wire.Status(), Payload = request.Payload });
        }

        ids.Order().ShouldBe([1u, 3u, 5u]);
        (await Task.WhenAll(calls).WaitAsync(RawPeer.Patience)).Select(r => r.Value).ShouldBe(["a", "b", "c"]);
    }

    [Fact]
    public async Task Out_of_order_replies_are_matched_by_stream_id()
    {
        var first = Call("first");
        var (id1, _) = await ReceiveRequestAsync();
        var second = Call("second");
        var (id3, _) = await ReceiveRequestAsync();

        await ReplyAsync(id3, new Wire.Response { Payload = new StringValue { Value = "reply-3" }.ToByteString() });
        (await second.WaitAsync(RawPeer.Patience)).Value.ShouldBe("reply-3");
        first.IsCompleted.ShouldBeFalse();
        await ReplyAsync(id1, new Wire.Response { Payload = new StringValue { Value = "reply-1" }.ToByteString() });
        (await first.WaitAsync(RawPeer.Patience)).Value.ShouldBe("reply-1");
    }

    [Fact]
    public async Task Empty_response_frame_is_success_with_an_empty_message()
    {
        var call = Call("x");
        var (id, _) = await ReceiveRequestAsync();

        await server.SendFrameAsync(id, 2, []);

        (await call.WaitAsync(RawPeer.Patience)).ShouldBe(new StringValue());
    }

    [Fact]
    public async Task Error_status_becomes_a_ttrpc_exception()
    {
        var call = Call("x");
        var (id, _) = await ReceiveRequestAsync();

        await ReplyAsync(id, new Wire.Response { Status = new Wire.Status { Code = 5, Message = "task p10 not found" } });

        var ex = await Should.ThrowAsync<TtrpcException>(() => call.WaitAsync(RawPeer.Patience));
        ex.Code.ShouldBe(StatusCode.NotFound);
        ex.StatusMessage.ShouldBe("task p10 not found");
    }

    [Fact]
    public async Task Reply_for_an_unknown_stream_is_dropped()
    {
        var call = Call("x");
        var (id, _) = await ReceiveRequestAsync();

        await ReplyAsync(99, new Wire.Response { Payload = new StringValue { Value = "stray" }.ToByteString() });
        await ReplyAsync(id, new Wire.Response { Payload = new StringValue { Value = "mine" }.ToByteString() });

        (await call.WaitAsync(RawPeer.Patience)).Value.ShouldBe("mine");
    }

    [Fact]
    public async Task Non_response_frame_fails_only_that_call()
    {
        var call = Call("x");
        var (id, _) = await ReceiveRequestAsync();

        await ReplyAsync(id, new Wire.Response(), type: 1);

        (await Should.ThrowAsync<TtrpcException>(() => call.WaitAsync(RawPeer.Patience))).StatusMessage.ShouldStartWith("unknown message type received");
        var next = Call("y");
        var (id2, request) = await ReceiveRequestAsync();
        await ReplyAsync(id2, new Wire.Response { Payload = request.Payload });
        (await next.WaitAsync(RawPeer.Patience)).Value.ShouldBe("y");
    }

    [Fact]
    public async Task Oversized_reply_is_discarded_and_fails_that_call_with_resource_exhausted()
    {
        var call = Call("x");
        var (id, _) = await ReceiveRequestAsync();

        await server.SendFrameAsync(id, 2, new byte[TtrpcLimits.MaxDataLength + 1]);

        var ex = await Should.ThrowAsync<TtrpcException>(() => call.WaitAsync(RawPeer.Patience));
        ex.Code.ShouldBe(StatusCode.ResourceExhausted);
        ex.StatusMessage.ShouldBe("message length 4194305 exceed maximum message size of 4194304");
        client.IsClosed.ShouldBeFalse();
    }

    [Fact]
    public async Task Oversized_request_is_refused_locally_and_nothing_is_sent()
    {
        var ex = await Should.ThrowAsync<TtrpcException>(() => Call(new string('x', TtrpcLimits.MaxDataLength)).WaitAsync(RawPeer.Patience));

        ex.Code.ShouldBe(StatusCode.ResourceExhausted);
        ex.StatusMessage.ShouldStartWith("message length ");
        var next = Call("small");
        var (id, request) = await ReceiveRequestAsync();
        id.ShouldBe(3u); // stream 1 was consumed by the refused call, never sent
        await ReplyAsync(id, new Wire.Response { Payload = request.Payload });
        (await next.WaitAsync(RawPeer.Patience)).Value.ShouldBe("small");
    }

    [Fact]
    public async Task Peer_closing_mid_call_fails_pending_and_later_calls_with_closed()
    {
        var pending = Call("x");
        await ReceiveRequestAsync();

        await server.DisposeAsync();

        var ex = await Should.ThrowAsync<TtrpcClosedException>(() => pending.WaitAsync(RawPeer.Patience));
        ex.Message.ShouldStartWith("ttrpc: closed");
        await client.Completion.WaitAsync(RawPeer.Patience);
        client.IsClosed.ShouldBeTrue();
        await Should.ThrowAsync<TtrpcClosedException>(() => Call("later").WaitAsync(RawPeer.Patience));
    }

    [Fact]
    public async Task Local_timeout_fails_with_deadline_exceeded_and_sends_timeout_nano()
    {
        var call = Call("x", TimeSpan.FromMilliseconds(200));
        var (_, request) = await ReceiveRequestAsync();

        request.TimeoutNano.ShouldBe(200_000_000);
        var ex = await Should.ThrowAsync<TtrpcException>(() => call.WaitAsync(RawPeer.Patience));
        ex.Code.ShouldBe(StatusCode.DeadlineExceeded);
        ex.StatusMessage.ShouldBe("context deadline exceeded");
    }

    [Fact]
    public async Task Garbage_response_fails_that_call_with_internal()
    {
        var call = Call("x");
        var (id, _) = await ReceiveRequestAsync();

        await server.SendFrameAsync(id, 2, [0x0a, 0x7f]);

        (await Should.ThrowAsync<TtrpcException>(() => call.WaitAsync(RawPeer.Patience))).Code.ShouldBe(StatusCode.Internal);
    }

    [Fact]
    public async Task Truncated_reply_closes_the_connection_and_fails_pending_calls()
    {
        var call = Call("x");
        var (id, _) = await ReceiveRequestAsync();

        await server.SendFrameAsync(id, 2, [0x0a], declaredLength: 10);
        server.ShutdownSend();

        await Should.ThrowAsync<TtrpcClosedException>(() => call.WaitAsync(RawPeer.Patience));
    }
}
